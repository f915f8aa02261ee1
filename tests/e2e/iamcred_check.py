"""iamcred_check.py - test helper for test_iamcredentials.sh: verifies what the IAM
Credentials API signed against gkeid's published JWKS (with google-auth's own JWT code),
and drives google.auth.impersonated_credentials against gkeid.

Run with the Python bundled with gcloud and its third_party dir on sys.path:
  iamcred_check.py verify BASE JWT [AUD]        -> verifies the RS256 JWT against
                                                   BASE/oauth2/v3/certs (or BASE itself
                                                   when it is an account's JWKS URL);
                                                   prints the claims
  iamcred_check.py verify-blob BASE KEYID DATA_B64 SIG_B64
                                                -> verifies a signBlob signature; prints ok
  iamcred_check.py impersonate BASE SOURCE_TOKEN EMAIL
                                                -> impersonated_credentials.Credentials
                                                   (iam_endpoint_override); prints
                                                   "TOKEN EXPIRY"
  iamcred_check.py idtoken BASE SOURCE_TOKEN EMAIL AUD
                                                -> impersonated_credentials.IDTokenCredentials;
                                                   its endpoint is a module constant with no
                                                   override, so it is re-pointed here
  iamcred_check.py sign-bytes BASE SOURCE_TOKEN EMAIL
                                                -> Credentials.sign_bytes (same re-pointing)
"""
import base64
import json
import sys
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url_int(s):
    return int.from_bytes(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), "big")


def jwks_keys(base):
    # BASE is gkeid's URL (Google's own keys, /oauth2/v3/certs, which sign ID tokens) or
    # a full JWKS URL such as BASE/service_accounts/v1/metadata/jwk/EMAIL (an account's
    # own keys, which sign signJwt and signBlob).
    url = base if "/service_accounts/" in base else base + "/oauth2/v3/certs"
    with urllib.request.urlopen(url) as resp:
        jwks = json.load(resp)
    keys = {}
    for k in jwks["keys"]:
        pub = rsa.RSAPublicNumbers(b64url_int(k["e"]), b64url_int(k["n"])).public_key()
        keys[k["kid"]] = pub
    return keys


def pem(pub):
    return pub.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def cmd_verify(base, token, aud=None):
    from google.auth import jwt

    certs = {kid: pem(pub) for kid, pub in jwks_keys(base).items()}
    claims = jwt.decode(token, certs=certs, audience=aud)
    print(json.dumps(claims, sort_keys=True))


def cmd_verify_blob(base, kid, data_b64, sig_b64):
    pub = jwks_keys(base)[kid]
    pub.verify(base64.b64decode(sig_b64), base64.b64decode(data_b64), padding.PKCS1v15(),
               hashes.SHA256())
    print("ok")


def source(token):
    from google.oauth2 import credentials

    return credentials.Credentials(token=token)


def repoint(base):
    from google.auth import iam

    prefix = "https://iamcredentials.googleapis.com/v1/"
    for name in ("_IAM_ENDPOINT", "_IAM_SIGN_ENDPOINT", "_IAM_SIGNJWT_ENDPOINT",
                 "_IAM_IDTOKEN_ENDPOINT"):
        setattr(iam, name, getattr(iam, name).replace(prefix, base + "/iamcredentials/v1/"))


def target(base, src, email):
    from google.auth import impersonated_credentials

    return impersonated_credentials.Credentials(
        source_credentials=source(src),
        target_principal=email,
        target_scopes=["https://www.googleapis.com/auth/cloud-platform"],
        lifetime=600,
        iam_endpoint_override=(base + "/iamcredentials/v1/projects/-/serviceAccounts/" + email
                               + ":generateAccessToken"))


def cmd_impersonate(base, src, email):
    from google.auth.transport.requests import Request

    creds = target(base, src, email)
    creds.refresh(Request())
    print(creds.token, creds.expiry.strftime("%Y-%m-%dT%H:%M:%SZ"))


def cmd_idtoken(base, src, email, aud):
    from google.auth import impersonated_credentials
    from google.auth.transport.requests import Request

    repoint(base)
    idc = impersonated_credentials.IDTokenCredentials(target(base, src, email),
                                                      target_audience=aud, include_email=True)
    idc.refresh(Request())
    print(idc.token)


def cmd_sign_bytes(base, src, email):
    repoint(base)
    sig = target(base, src, email).sign_bytes(b"gkeid signs this")
    print(base64.b64encode(b"gkeid signs this").decode(), base64.b64encode(sig).decode())


def main(argv):
    cmds = {"verify": cmd_verify, "verify-blob": cmd_verify_blob,
            "impersonate": cmd_impersonate, "idtoken": cmd_idtoken,
            "sign-bytes": cmd_sign_bytes}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    try:
        cmds[argv[1]](*argv[2:])
    except Exception as e:  # print the server's answer as text, not as a repr
        sys.stderr.write("%s: %s\n" % (type(e).__name__, " ".join(str(a) for a in e.args)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
