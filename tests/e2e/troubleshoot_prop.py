"""troubleshoot_prop.py - the property test of tests/e2e/test_troubleshoot.sh: on random
allow and deny policies, the Policy Troubleshooter's verdict for a request equals the
status the real API call gets (CAN_ACCESS <-> 200, CANNOT_ACCESS <-> 403).

Usage: troubleshoot_prop.py BASE_URL PROJECT ADMIN_TOKEN TESTER_EMAIL TESTER_TOKEN SEED N
Each round writes a random project allow policy (the admin's owner binding kept) and a
random deny policy (or none), then asks, for every request of REQUESTS, the troubleshooter
(v3 iam:troubleshoot) and the API itself as the tester. Prints one line per mismatch and
"ok ROUNDS CHECKS" at the end; exits 1 on a mismatch. Standard library only.
"""
import json
import random
import sys
import urllib.error
import urllib.request

BASE, PROJECT, ADMIN, TESTER, TTOKEN, SEED, ROUNDS = sys.argv[1:8]
SEED, ROUNDS = int(SEED), int(ROUNDS)
SA_PATH = "/iam/v1/projects/%s/serviceAccounts" % PROJECT

# (v1 permission, full resource name, method, path, body): each call checks that
# permission on that resource (and its project).
REQUESTS = [
    ("resourcemanager.projects.get", "//cloudresourcemanager.googleapis.com/projects/" + PROJECT,
     "GET", "/cloudresourcemanager/v1/projects/" + PROJECT, None),
    ("resourcemanager.projects.getIamPolicy",
     "//cloudresourcemanager.googleapis.com/projects/" + PROJECT,
     "POST", "/cloudresourcemanager/v1/projects/%s:getIamPolicy" % PROJECT, {}),
    ("iam.serviceAccounts.list", "//cloudresourcemanager.googleapis.com/projects/" + PROJECT,
     "GET", SA_PATH, None),
    ("iam.serviceAccounts.get", "//iam.googleapis.com/projects/%s/serviceAccounts/%s" % (PROJECT, TESTER),
     "GET", SA_PATH + "/" + TESTER, None),
]
ROLES = ["roles/viewer", "roles/browser", "roles/iam.serviceAccountViewer",
         "roles/iam.roleViewer", "roles/iam.securityReviewer", "roles/container.viewer"]
CONDS = ['request.time < timestamp("2000-01-01T00:00:00Z")',
         'request.time > timestamp("2000-01-01T00:00:00Z")',
         'resource.type == "iam.googleapis.com/ServiceAccount"',
         'resource.name.startsWith("projects/")']
PERMS_V2 = ["cloudresourcemanager.googleapis.com/projects.get",
            "cloudresourcemanager.googleapis.com/projects.*",
            "iam.googleapis.com/serviceAccounts.list", "iam.googleapis.com/serviceAccounts.*",
            "iam.googleapis.com/*.get", "cloudresourcemanager.googleapis.com/*.getIamPolicy"]
TESTER_V2 = "principal://iam.googleapis.com/projects/-/serviceAccounts/" + TESTER


def call(token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def random_allow(rng, base):
    bindings = [b for b in base if b["role"] == "roles/owner"]
    for role in rng.sample(ROLES, rng.randint(0, 3)):
        b = {"role": role, "members": ["serviceAccount:" + TESTER]}
        if role != "roles/viewer" and rng.random() < 0.4:  # not on basic roles (Google)
            b["condition"] = {"title": "c", "expression": rng.choice(CONDS)}
        bindings.append(b)
    return {"version": 3, "bindings": bindings}


def random_deny(rng):
    rules = []
    for _ in range(rng.randint(1, 2)):
        rule = {"deniedPrincipals": [rng.choice([TESTER_V2, "principalSet://goog/public:all"])],
                "deniedPermissions": rng.sample(PERMS_V2, rng.randint(1, 2))}
        # the admin who writes the policies is always excepted
        rule["exceptionPrincipals"] = ["principal://goog/subject/admin@example.com"]
        if rng.random() < 0.3:
            rule["exceptionPrincipals"].append(TESTER_V2)
        if rng.random() < 0.3:
            rule["exceptionPermissions"] = [rng.choice(PERMS_V2)]
        if rng.random() < 0.3:
            rule["denialCondition"] = {"title": "d", "expression": rng.choice(CONDS[:2])}
        rules.append({"denyRule": rule})
    return {"rules": rules}


def main():
    rng = random.Random(SEED)
    deny = "/iam/v2/policies/cloudresourcemanager.googleapis.com%%252Fprojects%%252F%s/denypolicies" % PROJECT
    st, base = call(ADMIN, "POST", "/cloudresourcemanager/v1/projects/%s:getIamPolicy" % PROJECT,
                    {"options": {"requestedPolicyVersion": 3}})
    assert st == 200, base
    base = base.get("bindings", [])
    checks = bad = 0
    for rnd in range(ROUNDS):
        call(ADMIN, "DELETE", deny + "/prop")
        allow = random_allow(rng, base)
        st, out = call(ADMIN, "POST", "/cloudresourcemanager/v1/projects/%s:setIamPolicy" % PROJECT,
                       {"policy": allow})
        assert st == 200, out
        d = random_deny(rng) if rng.random() < 0.7 else None
        if d:
            st, out = call(ADMIN, "POST", deny + "?policyId=prop", d)
            assert st == 200, out
        for perm, full, method, path, body in REQUESTS:
            st, ts = call(ADMIN, "POST", "/policytroubleshooter/v3/iam:troubleshoot",
                          {"accessTuple": {"principal": TESTER, "fullResourceName": full,
                                           "permission": perm}})
            assert st == 200, ts
            got, _ = call(TTOKEN, method, path, body)
            want = {"CAN_ACCESS": 200, "CANNOT_ACCESS": 403}.get(ts.get("overallAccessState"))
            checks += 1
            if got != want:
                bad += 1
                print("mismatch: seed %d round %d %s: troubleshooter %s, API %d\n  allow %s\n  deny %s"
                      % (SEED, rnd, perm, ts.get("overallAccessState"), got,
                         json.dumps(allow), json.dumps(d)))
    call(ADMIN, "DELETE", deny + "/prop")
    print("ok %d %d" % (ROUNDS, checks) if not bad else "%d mismatches" % bad)
    sys.exit(1 if bad else 0)


main()
