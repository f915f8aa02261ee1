#!/usr/bin/env bash
# test_docs_groups.sh - the console examples of docs/groups.md, run as written against a
# fresh gkeid (tests/docs/run_docs.py says how outputs are compared).
exec bash "$(dirname "$0")/../docs/run_docs.sh" docs/groups.md
