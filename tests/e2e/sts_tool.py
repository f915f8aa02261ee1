"""sts_tool.py - test helper for test_sts.sh: JWKS and Kubernetes-style JWTs made with a
test issuer key, and token exchange through Python google-auth's identity_pool
credentials (the real client library) pointed at gkeid.

Run with the Python bundled with gcloud and its third_party dir on sys.path:
  sts_tool.py jwks PEM KID                      -> prints {"keys":[JWK]} for the key
  sts_tool.py jwt PEM KID ISS AUD SUB EXP_IN [ALG]
                                                -> prints a signed JWT (AUD may be a
                                                   comma list; ALG "none" = unsigned;
                                                   EXP_IN seconds from now, may be < 0)
  sts_tool.py pool BASE AUDIENCE TOKEN_FILE [GSA_EMAIL]
                                                -> identity_pool credentials: STS exchange
                                                   (then impersonation when GSA is given);
                                                   prints the access token
"""
import base64
import json
import sys
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def int_b64(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def cmd_jwks(pem, kid):
    pub = load_key(pem).public_key().public_numbers()
    jwk = {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
           "n": int_b64(pub.n), "e": int_b64(pub.e)}
    print(json.dumps({"keys": [jwk]}))


def cmd_jwt(pem, kid, iss, aud, sub, exp_in, alg="RS256"):
    now = int(time.time())
    auds = aud.split(",")
    claims = {"aud": auds if len(auds) > 1 or aud.endswith(".svc.id.goog") else aud,
              "exp": now + int(exp_in), "iat": now - 5, "nbf": now - 5, "iss": iss,
              "sub": sub,
              "kubernetes.io": {"namespace": sub.split(":")[2] if sub.count(":") >= 3 else "",
                                "serviceaccount": {"name": sub.split(":")[-1]}}}
    header = {"alg": alg, "kid": kid}
    if alg == "none":
        header = {"alg": "none"}
    h = b64url(json.dumps(header, separators=(",", ":")).encode())
    c = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = (h + "." + c).encode()
    if alg == "none":
        print(h + "." + c + ".")
        return
    sig = load_key(pem).sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    print(h + "." + c + "." + b64url(sig))


def cmd_pool(base, audience, token_file, gsa=None):
    from google.auth import identity_pool
    from google.auth.transport.requests import Request

    info = {
        "type": "external_account",
        "audience": audience,
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": base + "/sts/v1/token",
        "credential_source": {"file": token_file, "format": {"type": "text"}},
    }
    if gsa:
        info["service_account_impersonation_url"] = (
            base + "/iamcredentials/v1/projects/-/serviceAccounts/" + gsa + ":generateAccessToken")
    creds = identity_pool.Credentials.from_info(
        info, scopes=["https://www.googleapis.com/auth/cloud-platform"])
    creds.refresh(Request())
    print(creds.token)


def main(argv):
    cmds = {"jwks": cmd_jwks, "jwt": cmd_jwt, "pool": cmd_pool}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    cmds[argv[1]](*argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
