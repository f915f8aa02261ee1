// metadata_client.js - npm gcp-metadata and google-auth-library in a gkeid pod
// (run inside `gkeid exec`, which sets GCE_METADATA_HOST).
// Usage: node metadata_client.js [API_URL]
// Prints "available true", "instance-keys ...", "email E", "token ya29", "status N".
const gcpMetadata = require('gcp-metadata');
const { GoogleAuth } = require('google-auth-library');

async function main() {
  const api = process.argv[2];
  const available = await gcpMetadata.isAvailable();
  console.log('available', available);
  const inst = await gcpMetadata.instance({ params: { recursive: 'true' } });
  console.log('instance-keys', Object.keys(inst).sort().join(','));
  console.log('email', await gcpMetadata.instance('service-accounts/default/email'));
  console.log('project', await gcpMetadata.project('project-id'));
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  const token = await auth.getAccessToken();
  console.log('token', token.slice(0, 5));
  if (api) {
    const client = await auth.getClient();
    try {
      const res = await client.request({ url: api });
      console.log('status', res.status);
    } catch (e) {
      console.log('status', e.response ? e.response.status : 'none');
      console.log(e.response ? JSON.stringify(e.response.data) : String(e));
    }
  }
}
main().catch((e) => { console.log('error', e && e.message ? e.message : String(e)); process.exit(1); });
