"""first_token_steps.py - the steps of a pod's first token, each timed alone from outside
the node, with the node's own credentials and keep-alive connections as the node uses
them: the KSA get and the TokenRequest (the Kubernetes API over TLS, as the node), the
STS exchange of that token and generateAccessToken with the federated token (the cloud
API over HTTP). Run by bench/run.sh after bench_node_first_token (its pods and KSAs,
bench-ft/ft-N, annotated with bench-ft@PROJECT); argument: how many KSAs (default 200).
Prints "node.first_token_step.<step>_p50_ms" and "_p99_ms" lines."""
import http.client, json, os, ssl, sys, time, urllib.parse

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
d = os.environ["GKEID_DATA_DIR"]
st = json.load(open(d + "/nodes/local-node.json"))
proj = os.environ["GKEID_PROJECT"]
ctx = ssl.create_default_context(cafile=st["kubeCA"])
ctx.load_cert_chain(st["kubeCert"], st["kubeKey"])
ku = urllib.parse.urlsplit(st["kubeServer"])
kube = http.client.HTTPSConnection(ku.hostname, ku.port, context=ctx)
cu = urllib.parse.urlsplit(os.environ["GKEID_CLOUD_URL"])
cloud = http.client.HTTPConnection(cu.hostname, cu.port)
kube.connect(); cloud.connect()
for c in (kube.sock, cloud.sock):
    c.setsockopt(6, 1, 1)  # TCP_NODELAY, as the node's client
pool = "%s.svc.id.goog" % proj
aud = "identitynamespace:%s:https://container.googleapis.com/v1/projects/%s/locations/us-central1/clusters/demo-cluster" % (pool, proj)
gsa = "bench-ft@%s.iam.gserviceaccount.com" % proj
steps = {"ksa_get": [], "token_request": [], "sts": [], "generate_access_token": []}

def call(conn, step, method, path, body=None, headers=None):
    t = time.perf_counter()
    conn.request(method, path, body, headers or {})
    r = conn.getresponse()
    data = r.read()
    steps[step].append((time.perf_counter() - t) * 1e3)
    if r.status not in (200, 201):
        sys.exit("first_token_steps: %s: HTTP %d %s" % (step, r.status, data[:300]))
    return json.loads(data)

uids = []
for i in range(n):  # the pods' uids, for the TokenRequests' boundObjectRef (not timed)
    kube.request("GET", "/api/v1/namespaces/bench-ft/pods/ft-%d" % i)
    uids.append(json.loads(kube.getresponse().read())["metadata"]["uid"])
for i in range(n):
    ns, ksa = "bench-ft", "ft-%d" % i
    call(kube, "ksa_get", "GET", "/api/v1/namespaces/%s/serviceaccounts/%s" % (ns, ksa))
    tr = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                     "spec": {"audiences": [pool], "expirationSeconds": 7200,
                              "boundObjectRef": {"apiVersion": "v1", "kind": "Pod",
                                                 "name": "ft-%d" % i, "uid": uids[i]}}})
    tok = call(kube, "token_request", "POST", "/api/v1/namespaces/%s/serviceaccounts/%s/token" % (ns, ksa),
               tr, {"Content-Type": "application/json"})["status"]["token"]
    form = urllib.parse.urlencode({
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "audience": aud,
        "scope": "https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email",
        "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "subject_token": tok, "subject_token_type": "urn:ietf:params:oauth:token-type:jwt"})
    fed = call(cloud, "sts", "POST", "/sts/v1/token", form,
               {"Content-Type": "application/x-www-form-urlencoded"})["access_token"]
    call(cloud, "generate_access_token", "POST",
         "/iamcredentials/v1/projects/-/serviceAccounts/%s:generateAccessToken" % gsa,
         json.dumps({"scope": ["https://www.googleapis.com/auth/cloud-platform"], "lifetime": "3600s"}),
         {"Content-Type": "application/json", "Authorization": "Bearer " + fed})

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100))]
for s, v in steps.items():
    print("node.first_token_step.%s_p50_ms %.2f" % (s, pct(v, 50)))
    print("node.first_token_step.%s_p99_ms %.2f" % (s, pct(v, 99)))
