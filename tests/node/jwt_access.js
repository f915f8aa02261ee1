// jwt_access.js - npm google-auth-library against gkeid with a service-account key.
// The library hard-codes Google's token URL for key files, so offline it must use
// self-signed JWTs (useJWTAccessWithScope), which Google APIs accept as bearer tokens.
// Usage: node jwt_access.js KEY_FILE URL   -> prints "status N" and the body.
const fs = require('fs');
const { JWT } = require('google-auth-library');

async function main() {
  const [keyFile, url] = process.argv.slice(2);
  const key = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
  const client = new JWT({
    email: key.client_email,
    key: key.private_key,
    keyId: key.private_key_id,
    scopes: ['https://www.googleapis.com/auth/cloud-platform'],
  });
  client.useJWTAccessWithScope = true;
  try {
    const res = await client.request({ url });
    console.log('status', res.status);
    console.log(JSON.stringify(res.data));
  } catch (e) {
    console.log('status', e.response ? e.response.status : 'none');
    console.log(e.response ? JSON.stringify(e.response.data) : String(e));
  }
}
main();
