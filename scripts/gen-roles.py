#!/usr/bin/env python3
"""gen-roles.py - compiles Google's predefined IAM roles into gkeid's role catalogue.

Reads the gcp/roles/*.json files of a checkout of the public iann0036/iam-dataset
repository (one file per role, as the IAM API's roles.get returns it: name, title,
description, stage, includedPermissions) and writes the compact catalogue that
src/iam/iam.c loads (the "gkeid-roles 1" format below). See data/README.

    python3 scripts/gen-roles.py CHECKOUT OUT [--commit SHA] [--date YYYY-MM-DD]

The format, UTF-8 text, one record a line:

    gkeid-roles 1
    source <where it came from: free text, ignored by the loader>
    permissions <N>
    <permission>                  N lines, strictly increasing in byte order
    roles <M>
    <name>\t<stage>\t<title>\t<description>\t<ids>     M lines, names strictly increasing

<ids> are the role's permissions as indices into the permission table, ascending,
written as deltas separated by single spaces (the first is the index itself, each next
one the difference to the one before, so every delta is at least 1). Title and
description escape backslash, newline, carriage return and tab as \\ \n \r \t.

The output is a pure function of the input files: the same checkout gives the same
bytes (the source line aside).
"""
import argparse
import json
import os
import re
import subprocess
import sys

PERM_RE = re.compile(r"^[A-Za-z0-9._/-]{1,256}$")
ROLE_RE = re.compile(r"^roles/[A-Za-z0-9._]{1,200}$")
STAGES = ("ALPHA", "BETA", "GA", "DEPRECATED", "EAP", "DISABLED")


def escape(s):
    return (s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


def git(checkout, *args):
    try:
        return subprocess.run(["git", "-C", checkout, *args], check=True,
                              capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def load_roles(checkout):
    folder = os.path.join(checkout, "gcp", "roles")
    roles = {}
    for fn in sorted(os.listdir(folder)):
        if not fn.endswith(".json"):
            continue
        with open(os.path.join(folder, fn), encoding="utf-8") as f:
            r = json.load(f)
        name = r.get("name")
        if not isinstance(name, str) or not ROLE_RE.match(name):
            sys.exit(f"gen-roles: {fn}: bad role name {name!r}")
        if name in roles:
            sys.exit(f"gen-roles: {fn}: {name} twice")
        perms = r.get("includedPermissions", [])
        if not isinstance(perms, list) or not all(isinstance(p, str) and PERM_RE.match(p)
                                                  for p in perms):
            sys.exit(f"gen-roles: {fn}: bad includedPermissions")
        stage = r.get("stage", "GA")
        if stage not in STAGES:
            sys.exit(f"gen-roles: {fn}: unknown stage {stage!r}")
        for k in ("title", "description"):
            if not isinstance(r.get(k, ""), str) or len(r.get(k, "")) > 4096:
                sys.exit(f"gen-roles: {fn}: bad {k}")
        roles[name] = {"stage": stage, "title": r.get("title", ""),
                       "description": r.get("description", ""),
                       "perms": sorted(set(perms))}
    if not roles:
        sys.exit(f"gen-roles: no roles in {folder}")
    return roles


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkout", help="a checkout of iann0036/iam-dataset (has gcp/roles/)")
    ap.add_argument("out", help="the catalogue to write")
    ap.add_argument("--commit", help="the dataset's commit (default: git rev-parse HEAD)")
    ap.add_argument("--date", help="the commit's date (default: from git)")
    a = ap.parse_args()

    roles = load_roles(a.checkout)
    commit = a.commit or git(a.checkout, "rev-parse", "HEAD") or "unknown"
    date = a.date or git(a.checkout, "log", "-1", "--format=%cs") or "unknown"
    perms = sorted({p for r in roles.values() for p in r["perms"]},
                   key=lambda s: s.encode("utf-8"))
    index = {p: i for i, p in enumerate(perms)}
    names = sorted(roles, key=lambda s: s.encode("utf-8"))

    lines = ["gkeid-roles 1",
             f"source github.com/iann0036/iam-dataset gcp/roles commit {commit} ({date})",
             f"permissions {len(perms)}"]
    lines += perms
    lines.append(f"roles {len(names)}")
    for n in names:
        r = roles[n]
        ids = sorted(index[p] for p in r["perms"])
        deltas = [ids[0]] + [b - a for a, b in zip(ids, ids[1:])] if ids else []
        lines.append("\t".join([n, r["stage"], escape(r["title"]), escape(r["description"]),
                                " ".join(map(str, deltas))]))
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, a.out)
    print(f"gen-roles: {len(names)} roles, {len(perms)} permissions -> {a.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
