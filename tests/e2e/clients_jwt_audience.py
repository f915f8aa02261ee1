"""clients_jwt_audience.py - google-auth's self-signed JWT credentials against gkeid.

Usage: clients_jwt_audience.py KEY_FILE AUDIENCE URL
Makes google.auth.jwt.Credentials for AUDIENCE (no token endpoint involved), GETs URL
and prints "status N".
"""
import sys

import google.auth.transport.requests
from google.auth import jwt

key_file, audience, url = sys.argv[1:4]
creds = jwt.Credentials.from_service_account_file(key_file, audience=audience)
resp = google.auth.transport.requests.AuthorizedSession(creds).get(url)
print("status", resp.status_code)
