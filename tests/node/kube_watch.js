// kube_watch.js - npm @kubernetes/client-node's Watch and ListWatch against gkeid's API
// server (issue 11): a watch resumed from a resourceVersion, and 410 Gone (upstream's
// ERROR event with the Expired Status) handled by the informer's re-list.
// Usage: node kube_watch.js SERVER CA_FILE TOKEN resume
//        node kube_watch.js SERVER CA_FILE TOKEN gone RESOURCE_VERSION
// Prints one line per observation.
const k8s = require('@kubernetes/client-node');

const [server, caFile, token, mode, oldRv] = process.argv.slice(2);
const kc = new k8s.KubeConfig();
kc.loadFromOptions({
  clusters: [{ name: 'c', server, caFile }],
  users: [{ name: 'u', token }],
  contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: 'default' }],
  currentContext: 'x',
});
const core = kc.makeApiClient(k8s.CoreV1Api);
const path = '/api/v1/namespaces/default/configmaps';
const fail = (e) => { console.log('failed', e && (e.message || e.body || e)); process.exit(1); };
setTimeout(() => fail('timeout'), 20000).unref();

// Watches from rv until an event matches want; resolves with [event, its object].
function watchUntil(rv, want) {
  return new Promise((resolve) => {
    let ctl;
    const seen = [];
    new k8s.Watch(kc).watch(path, { resourceVersion: rv }, (type, obj) => {
      seen.push(type + ' ' + (obj.kind === 'Status' ? obj.code : obj.metadata.name));
      if (want(type, obj)) {
        ctl.abort();
        resolve([seen, obj]);
      }
    }, () => {}).then((c) => { ctl = c; }, fail);
  });
}

const cm = (name) => ({ body: { metadata: { name }, data: { by: 'client-node' } } });

async function resume() {
  const list = await core.listNamespacedConfigMap({ namespace: 'default' });
  await core.createNamespacedConfigMap({ namespace: 'default', ...cm('node-a') });
  const [seen, a] = await watchUntil(list.metadata.resourceVersion, (t, o) => o.metadata && o.metadata.name === 'node-a');
  console.log('watch', seen.join(','));
  await core.createNamespacedConfigMap({ namespace: 'default', ...cm('node-b') });
  // Resumed from node-a's resourceVersion: node-b only, node-a is not replayed.
  const [seen2] = await watchUntil(a.metadata.resourceVersion, (t, o) => o.metadata && o.metadata.name === 'node-b');
  console.log('resumed', seen2.join(','));
  console.log('rv', a.metadata.resourceVersion);
}

async function gone() {
  const [seen, st] = await watchUntil(oldRv, (t) => t === 'ERROR');
  console.log('watch', seen.join(','));
  console.log('status', st.kind, st.code, st.reason, st.message);
  // The informer (ListWatch) meets the same 410, forgets its resourceVersion and
  // re-lists, as client-node's cache.js does.
  const lw = new k8s.ListWatch(path, new k8s.Watch(kc),
    () => core.listNamespacedConfigMap({ namespace: 'default' }), false);
  lw.resourceVersion = oldRv;
  lw.on('add', (o) => {
    if (o.metadata.name === 'node-b') {
      console.log('relisted', lw.list().some((x) => x.metadata.name === 'node-a'));
      lw.stop();
      process.exit(0);
    }
  });
  lw.on('error', fail);
  await lw.start();
}

(mode === 'resume' ? resume() : gone()).then(() => { if (mode === 'resume') process.exit(0); }, fail);
