"""metadata_google_auth.py - Python google-auth (bundled with gcloud) in a gkeid pod.

Usage (inside `gkeid exec`): metadata_google_auth.py CLOUD_URL AUDIENCE [API_URL]
google.auth.default() finds the metadata server through GCE_METADATA_HOST/GCE_METADATA_IP,
compute_engine.Credentials refreshes, IDTokenCredentials gives an ID token that is
verified against gkeid's published JWKS, and the access token calls API_URL.
Prints "project P", "email E", "token ya29", "idtoken-email E", "status N".
"""
import sys

import base64
import json

import google.auth
import google.auth.transport.requests
from google.auth import compute_engine
from google.auth import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def jwks_pems(url, request):
    """The published JWKS as {kid: PEM public key}, for google.auth.jwt.decode."""
    resp = request(url=url, method="GET")
    keys = {}
    for k in json.loads(resp.data.decode())["keys"]:
        num = lambda s: int.from_bytes(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), "big")
        pub = rsa.RSAPublicNumbers(num(k["e"]), num(k["n"])).public_key()
        keys[k["kid"]] = pub.public_bytes(serialization.Encoding.PEM,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return keys

cloud, audience = sys.argv[1], sys.argv[2]
api = sys.argv[3] if len(sys.argv) > 3 else None
request = google.auth.transport.requests.Request()

creds, project = google.auth.default()
print("type", type(creds).__module__ + "." + type(creds).__name__)
print("project", project)
creds.refresh(request)
print("email", creds.service_account_email)
print("token", creds.token[:5])
print("expiry", "set" if creds.expiry else "none")

idc = compute_engine.IDTokenCredentials(request, audience, use_metadata_identity_endpoint=True)
try:
    idc.refresh(request)
    claims = jwt.decode(idc.token, certs=jwks_pems(cloud + "/oauth2/v3/certs", request),
                        audience=audience)
    print("idtoken-email", claims.get("email"))
    print("idtoken-aud", claims.get("aud"))
except Exception as e:  # an unannotated KSA gets GKE's refusal
    print("idtoken-error", str(e).replace("\n", " ")[:400])

if api:
    session = google.auth.transport.requests.AuthorizedSession(creds)
    resp = session.get(api)
    print("status", resp.status_code)
