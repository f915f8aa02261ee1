#!/usr/bin/env bash
# run_docs.sh - runs run_docs.py (the console examples of the pages given) with gcloud's
# bundled Python, the one Python every machine with the Cloud SDK has.
PY=/usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3
[ -x "$PY" ] || PY=python3
exec "$PY" "$(dirname "$0")/run_docs.py" "$@"
