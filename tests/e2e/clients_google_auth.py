"""clients_google_auth.py - Python google-auth (bundled with gcloud) against gkeid.

Usage: clients_google_auth.py KEY_FILE URL
Gets an access token from the key file's token_uri (the JWT-bearer grant), then GETs
URL with it. Prints "token ya29..." and "status N" (N is the HTTP status of the GET).
"""
import sys

import google.auth.transport.requests
from google.oauth2 import service_account

key_file, url = sys.argv[1], sys.argv[2]
creds = service_account.Credentials.from_service_account_file(
    key_file, scopes=["https://www.googleapis.com/auth/cloud-platform"])
creds.refresh(google.auth.transport.requests.Request())
print("token", creds.token[:5])
session = google.auth.transport.requests.AuthorizedSession(creds)
resp = session.get(url)
print("status", resp.status_code)
print(resp.text)
