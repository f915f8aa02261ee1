#!/usr/bin/env python3
"""gen-kube-apply.py - writes data/kube-apply.json: the merge structure that server-side
apply needs for every built-in kind (src/kube/apply.c): which lists are associative
(x-kubernetes-list-type map with its keys, or set), which maps and structs are atomic,
and how the types nest.

Source: the Go types of Kubernetes 1.30, k8s.io/api and k8s.io/apimachinery at tag
v0.30.9 (pkg/apis/meta/v1), read from git checkouts. The markers are those that
kube-openapi turns into the OpenAPI extensions kube-apiserver's field manager reads:
  // +listType=map|set|atomic and // +listMapKey=K   -> x-kubernetes-list-type / -map-keys
  patchStrategy:"merge" patchMergeKey:"K" (struct tag) -> x-kubernetes-patch-strategy /
      -merge-key; a list without a listType whose patch strategy contains "merge" is
      associative on that key (kube-openapi pkg/schemaconv/smd.go, VisitArray)
  // +structType=atomic (on a type), // +mapType=atomic (on a field) -> atomic
Every other list is atomic; structs and maps are granular.

Usage:
  scripts/gen-kube-apply.py API_REPO APIMACHINERY_REPO [TAG] > data/kube-apply.json

Output: {"source": ..., "kinds": {"<group>/<version>/<Kind>": TYPE},
         "types": {TYPE: {"field": FIELD, ..., "$atomic": 1 when the struct is atomic}}}
TYPE is "<dir>.<GoName>" ("core/v1.Container", "meta/v1.ObjectMeta"); every field of a
type is written (server-side apply refuses the fields a type does not declare). FIELD is
  "" a scalar (strings, numbers, booleans, IntOrString, Quantity, Time, RawExtension);
  "T" a struct held by value, "*T" a struct behind a pointer (T may be absent from
      "types" when none of its fields matter: then all of its fields are scalars);
  "[" REL "|" ELEM  a list: REL "" atomic, "s" set, "m:k1,k2" map keyed by k1, k2
      (a key written k=JSON has that default, from the key field's +default marker:
      "m:containerPort,protocol=\"TCP\"");
  "{" REL "|" ELEM  a map with string keys: REL "" granular, "a" atomic;
where ELEM is a FIELD, or "" for a scalar.
"""
import json
import re
import subprocess
import sys

SCALARS = {
    "string", "bool", "int", "int32", "int64", "uint", "uint32", "uint64", "float32",
    "float64", "byte", "[]byte",
}
# types outside the two repositories, or with their own JSON form: scalars to the merge
OPAQUE = {
    "intstr.IntOrString", "resource.Quantity", "meta/v1.Time", "meta/v1.MicroTime",
    "meta/v1.Duration", "meta/v1.FieldsV1", "types.UID", "runtime.RawExtension",
    "runtime.Object", "meta/v1.Fields",
}


def git_show(repo, tag, path):
    return subprocess.run(["git", "-C", repo, "show", f"{tag}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def git_files(repo, tag):
    out = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", tag],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def imports(src):
    m = {}
    block = re.search(r"^import \((.*?)^\)", src, re.S | re.M)
    lines = block.group(1).splitlines() if block else []
    for single in re.findall(r'^import (.*)$', src, re.M):
        lines.append(single)
    for line in lines:
        mm = re.match(r'\s*(\w+)?\s*"([^"]+)"', line)
        if not mm:
            continue
        path = mm.group(2)
        alias = mm.group(1) or path.rsplit("/", 1)[-1]
        if path.startswith("k8s.io/api/"):
            m[alias] = path[len("k8s.io/api/"):]
        elif path == "k8s.io/apimachinery/pkg/apis/meta/v1":
            m[alias] = "meta/v1"
        else:
            m[alias] = alias  # intstr, resource, runtime, types: opaque
    return m


FIELD_RE = re.compile(r'^\t([^`/]+?)\s*`(.*)`')


def parse(src, pkg, types, named):
    """types: {TYPE: {"fields": [(json, gotype, markers, tags)], "atomic": bool, "meta": set}}"""
    imp = imports(src)
    lines = src.splitlines()
    markers = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("//"):
            markers.append(line)
            i += 1
            continue
        m = re.match(r"^type (\w+) (struct \{|\[\]|map\[|\w)", line)
        if not m:
            if not line.startswith("//"):
                markers = []
            i += 1
            continue
        name = m.group(1)
        if not m.group(2).startswith("struct"):
            rest = line.split(None, 2)[2]
            named[f"{pkg}.{name}"] = (rest, imp, pkg)
            markers = []
            i += 1
            continue
        t = {"fields": [], "atomic": any("+structType=atomic" in x for x in markers),
             "embeds": []}
        types[f"{pkg}.{name}"] = t
        markers = []
        i += 1
        fmark = []
        while i < len(lines) and lines[i] != "}":
            fl = lines[i]
            i += 1
            s = fl.strip()
            if s.startswith("//"):
                fmark.append(s)
                continue
            fm = FIELD_RE.match(fl)
            if fm:
                tags = fm.group(2)
                js = re.search(r'json:"([^"]*)"', tags)
                jname = js.group(1).split(",")[0] if js else None
                words = fm.group(1).split(None, 1)
                gotype = words[-1]
                if len(words) == 1 and not jname:  # embedded: "metav1.TypeMeta"
                    t["embeds"].append(qualify(gotype, imp, pkg))
                elif jname == "" and js and ",inline" in js.group(1):
                    t["embeds"].append(qualify(gotype, imp, pkg))
                elif jname and jname != "-":
                    t["fields"].append((jname, gotype, fmark, tags, imp))
            fmark = []
        i += 1


def qualify(gotype, imp, pkg):
    if gotype in SCALARS:
        return gotype
    if "." in gotype:
        a, n = gotype.split(".", 1)
        return f"{imp.get(a, a)}.{n}"
    return f"{pkg}.{gotype}"


class Gen:
    def __init__(self, types, named):
        self.types = types
        self.named = named

    def ref(self, gotype, imp, pkg, mark, tags):
        """FIELD text for a Go type, or None for a scalar."""
        gotype = gotype.strip()
        if gotype.startswith("*"):
            r = self.ref(gotype[1:], imp, pkg, [], "")
            return None if r is None else ("*" + r if r[0] not in "[{*" else r)
        if gotype.startswith("[]") and gotype != "[]byte":
            elem = self.ref(gotype[2:], imp, pkg, [], "")
            rel = self.list_rel(mark, tags)
            if rel.startswith("m:"):
                rel = "m:" + ",".join(self.key_default(elem, k) for k in rel[2:].split(","))
            return "[" + rel + "|" + (elem or "")
        if gotype.startswith("map["):
            depth, j = 0, 3
            while True:
                if gotype[j] == "[":
                    depth += 1
                elif gotype[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            elem = self.ref(gotype[j + 1:], imp, pkg, [], "")
            atomic = any("+mapType=atomic" in x for x in mark)
            return "{" + ("a" if atomic else "") + "|" + (elem or "")
        q = qualify(gotype, imp, pkg)
        if q in SCALARS or q in OPAQUE:
            return None
        if q in self.named:
            rest, nimp, npkg = self.named[q]
            if rest.startswith("[]") or rest.startswith("map["):
                return self.ref(rest, nimp, npkg, mark, tags)
            return None
        if q in self.types:
            return q
        return None  # a type this script does not know: a scalar

    def key_default(self, elem, key):
        """key, or key=DEFAULT (JSON) when the element's field has a +default marker"""
        t = self.types.get((elem or "").lstrip("*"))
        for jname, _, mark, _, _ in t["fields"] if t else []:
            if jname == key:
                for x in mark:
                    if x.startswith("// +default="):
                        return key + "=" + x.split("=", 1)[1].strip()
        return key

    @staticmethod
    def list_rel(mark, tags):
        lt = [x.split("=", 1)[1].strip() for x in mark if x.startswith("// +listType=")]
        keys = [x.split("=", 1)[1].strip() for x in mark if x.startswith("// +listMapKey=")]
        if lt:
            if lt[0] == "map":
                return "m:" + ",".join(keys)
            return "s" if lt[0] == "set" else ""
        ps = re.search(r'patchStrategy:"([^"]*)"', tags)
        if ps and "merge" in ps.group(1).split(","):
            mk = re.search(r'patchMergeKey:"([^"]*)"', tags)
            return "m:" + mk.group(1) if mk else "s"
        return ""

    def fields(self, name, seen=None):
        t = self.types[name]
        out = {}
        for emb in t["embeds"]:
            if emb in self.types:
                out.update(self.fields(emb))
        for jname, gotype, mark, tags, imp in t["fields"]:
            r = self.ref(gotype, imp, name.rsplit(".", 1)[0], mark, tags)
            out[jname] = "" if r is None else r
        return out


def main():
    api, mach = sys.argv[1], sys.argv[2]
    tag = sys.argv[3] if len(sys.argv) > 3 else "v0.30.9"
    types, named, groups, kinds = {}, {}, {}, {}
    for path in git_files(api, tag):
        m = re.match(r"^(\w+/v\w+)/(\w+)\.go$", path)
        if not m or path.endswith("_test.go") or "generated" in path:
            continue
        src = git_show(api, tag, path)
        if m.group(2) == "register":
            g = re.search(r'GroupName = "([^"]*)"', src)
            groups[m.group(1)] = g.group(1) if g else ""
        parse(src, m.group(1), types, named)
    for path in git_files(mach, tag):
        if re.match(r"^pkg/apis/meta/v1/\w+\.go$", path) and "_test" not in path and \
                "generated" not in path:
            parse(git_show(mach, tag, path), "meta/v1", types, named)
    gen = Gen(types, named)
    out_types = {}
    for name in sorted(types):
        f = gen.fields(name)
        if types[name]["atomic"]:
            f["$atomic"] = 1
        if f:
            out_types[name] = f
    for name, t in sorted(types.items()):
        pkg, kind = name.rsplit(".", 1)
        if pkg == "meta/v1" or kind.endswith("List") or "meta/v1.TypeMeta" not in t["embeds"]:
            continue
        group = "" if pkg == "core/v1" else groups.get(pkg)
        if group is None:
            continue
        kinds[f"{group}/{pkg.split('/')[1]}/{kind}"] = name
    # keep only what the kinds reach
    keep = set()
    todo = list(kinds.values())
    while todo:
        n = todo.pop()
        if n in keep or n not in out_types:
            continue
        keep.add(n)
        for v in out_types[n].values():
            if isinstance(v, str):
                todo.append(v.split("|")[-1].lstrip("*"))
    doc = {
        "source": f"k8s.io/api and k8s.io/apimachinery {tag} (Go types and their markers)",
        "kinds": kinds,
        "types": {n: out_types[n] for n in sorted(keep)},
    }
    json.dump(doc, sys.stdout, indent=None, separators=(",", ":"), sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
