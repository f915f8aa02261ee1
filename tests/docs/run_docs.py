#!/usr/bin/env python3
"""run_docs.py - runs the examples of documentation pages as tests, so the docs cannot
drift from the binary.

Usage: run_docs.py PAGE.md...   (paths relative to the repository root, or absolute)

For each page, in a fresh temporary directory W laid out like a checkout (W/build/gkeid
is the binary under test, $GKEID, default build/asan/gkeid; W/.gkeid is the data dir):

  1. starts `gkeid up --data-dir W/.gkeid --port 0` (cwd W) and waits for W/.gkeid/env;
  2. starts one bash (cwd W, HOME=W/home, PATH=W/build:$PATH) and sources .gkeid/env,
     so every example of the page runs as a reader who followed the page from its top;
  3. runs every ```console block in order, in that one shell (variables, `cd` and
     background jobs carry over from block to block):
       - a line starting with `$ ` is a command; a line ending in `\\` continues it, and
         a here-document (`<<EOF` or `<<'EOF'`) takes the lines up to its delimiter;
       - the lines after it, up to the next `$ ` or the end of the block, are its
         expected output: stdout and stderr together, as a terminal shows them. No
         lines means no output. The exit status is not checked (show it with
         `; echo $?` when it matters);
  4. stops gkeid and fails when it did not exit cleanly (sanitizer reports included).

A block is skipped when the last non-blank line before its fence is an HTML comment
starting with `<!-- illustration` (keep that rare: say why in the comment), and so is
any fence whose info string is not `console` (```sh, ```yaml, ...). A block whose
comment is `<!-- root` needs root: as root, a page with such blocks runs entirely in a
private network namespace (`unshare --net`), so its veth pairs and 169.254.169.254
never touch the machine's network; otherwise those blocks are reported as skipped.

Matching. Expected and actual output are compared line by line after the same
normalization of both:
  - `...` alone on a line matches any number of lines (zero included); `...` inside a
    line matches any text within that line;
  - runs of spaces and tabs count as one space; trailing spaces, trailing blank lines
    and carriage returns are dropped;
  - names that vary from run to run are replaced by placeholders:
      W (the temporary directory)                      -> ~/gkeid
      127.0.0.1 and pod addresses 127.x.y.z with ports -> ADDR:PORT, "port N" -> port PORT
      other loopback pod addresses 127.x.y.z           -> 127.X.Y.Z
      access tokens ya29.xxx                           -> ya29.TOKEN
      JWTs eyJxxx.yyy.zzz                              -> JWT
      RFC 3339 times 2026-01-02T03:04:05(.678)Z        -> TIME
      ages 3s, 2m, 2m30s, 5h, 4d                       -> AGE
      durations "2001 milliseconds", "0 ms"            -> N milliseconds, N ms
      generated name suffixes -x7k2p (Kubernetes' generateName alphabet, no vowels)
                                                       -> -XXXXX
      uniqueIds (21 digits), key IDs (40 hex digits)   -> UNIQUE_ID, KEY_ID
      IAM policy etags (etag: X, "etag": "X")          -> etag: ETAG
DOCS_RAW=1 shows the actual output of a failed command unnormalized (for writing docs).
Prints "ok - PAGE:LINE $ COMMAND" or "not ok - ..." with both outputs, then
"N passed, M failed" (as the other test files do); exits 1 when anything failed.
"""
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GKEID = os.environ.get("GKEID", os.path.join(ROOT, "build", "asan", "gkeid"))
CMD_TIMEOUT = float(os.environ.get("DOCS_CMD_TIMEOUT", "180"))
SANITIZER = re.compile(r"ERROR: AddressSanitizer|runtime error:|LeakSanitizer")


class Command:
    def __init__(self, line, text, expected, root):
        self.line, self.text, self.expected, self.root = line, text, expected, root


def parse(path):
    """The commands of the page's console blocks, in order."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    cmds = []
    i = 0
    last = ""  # the last non-blank line outside a block
    while i < len(lines):
        m = re.match(r"^\s*```(\S*)\s*$", lines[i])
        if not m:
            if lines[i].strip():
                last = lines[i].strip()
            i += 1
            continue
        info = m.group(1)
        start = i + 1
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            i += 1
        body = lines[start:i]
        i += 1
        skip = info != "console" or last.startswith("<!-- illustration")
        root = last.startswith("<!-- root")
        last = ""
        if skip:
            continue
        cur = None
        j = 0
        while j < len(body):
            ln = body[j]
            if ln.startswith("$ ") or ln == "$":
                no = start + j + 1
                text = ln[2:]
                while text.endswith("\\") and j + 1 < len(body):
                    j += 1
                    text += "\n" + body[j]
                hd = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", text)
                if hd:
                    while j + 1 < len(body):
                        j += 1
                        text += "\n" + body[j]
                        if body[j].strip() == hd.group(1):
                            break
                cur = Command(no, text, [], root)
                cmds.append(cur)
            elif cur is None:
                raise SystemExit("%s:%d: output before the first command of a console block"
                                 % (path, start + j + 1))
            else:
                cur.expected.append(ln)
            j += 1
    return cmds


def normalize(text, work):
    text = text.replace("\r", "")
    if work:
        text = text.replace(work, "~/gkeid")
    text = re.sub(r"\b127\.\d{1,3}\.\d{1,3}\.\d{1,3}(:\d+|( port )\d+)",
                  lambda m: "ADDR" + (m.group(2) or ":") + "PORT", text)
    text = re.sub(r"\b127\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", "127.X.Y.Z", text)
    text = re.sub(r"\bya29\.[A-Za-z0-9_\-.]*[A-Za-z0-9_\-]", "ya29.TOKEN", text)
    text = re.sub(r"\beyJ[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+){0,2}", "JWT", text)
    text = re.sub(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)", "TIME", text)
    text = re.sub(r"\b\d{21}\b", "UNIQUE_ID", text)
    text = re.sub(r"\b[0-9a-f]{40}\b", "KEY_ID", text)
    text = re.sub(r"\b(?:\d+[smhd])+\b", "AGE", text)
    text = re.sub(r"\b\d+ (milliseconds|ms)\b", r"N \1", text)
    text = re.sub(r"-[bcdfghjklmnpqrstvwxz2456789]{5}\b", "-XXXXX", text)
    text = re.sub(r"(\"?etag\"?: )\"?[A-Za-z0-9+/=_\-]+\"?", r"\1ETAG", text)
    out = [re.sub(r"[ \t]+", " ", ln).rstrip() for ln in text.split("\n")]
    while out and out[-1] == "":
        out.pop()
    return out


def matches(expected, actual):
    pat = ""
    for ln in expected:
        if ln.strip() == "...":
            pat += r"(?:[^\n]*\n)*?"
        else:
            pat += r"[^\n]*?".join(re.escape(p) for p in ln.split("...")) + r"\n"
    text = "".join(ln + "\n" for ln in actual)
    return re.fullmatch(pat, text) is not None


class Shell:
    """One bash for the page; each command is sourced, its output in a file."""

    def __init__(self, work, env):
        self.dir = os.path.join(work, ".docs")
        os.makedirs(self.dir)
        self.n = 0
        self.p = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=work, env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, start_new_session=True)

    def run(self, text):
        """(output, exit status), or (output, None) when the command did not finish."""
        self.n += 1
        cmd = os.path.join(self.dir, "cmd-%d.sh" % self.n)
        out = os.path.join(self.dir, "out-%d" % self.n)
        with open(cmd, "w") as f:
            f.write(text + "\n")
        mark = "__DOCS_DONE_%d__" % self.n
        self.p.stdin.write(('. %s >%s 2>&1 </dev/null; echo "%s $?"\n' % (cmd, out, mark)).encode())
        self.p.stdin.flush()
        rc = None
        buf = b""
        deadline = time.time() + CMD_TIMEOUT
        while rc is None:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                break
            chunk = os.read(self.p.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            m = re.search((mark + r" (\d+)\n").encode(), buf)
            if m:
                rc = int(m.group(1))
        try:
            with open(out, encoding="utf-8", errors="replace") as f:
                output = f.read()
        except OSError:
            output = ""
        return output, rc

    def close(self):
        """Ends the shell and everything it started (its process group)."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.p.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.p.wait(timeout=10)
                time.sleep(0.5)  # let the group's other members act on the signal
            except subprocess.TimeoutExpired:
                pass


class Page:
    def __init__(self, path):
        self.path = path
        self.name = os.path.relpath(path, ROOT)
        self.passed = 0
        self.failed = 0

    def ok(self, what):
        self.passed += 1
        print("ok - %s" % what, flush=True)

    def fail(self, what, detail=""):
        self.failed += 1
        print("not ok - %s" % what, flush=True)
        for ln in detail.split("\n") if detail else []:
            print("#   " + ln)
        sys.stdout.flush()

    def run(self):
        cmds = parse(self.path)
        if not cmds:
            print("# %s has no console examples" % self.name)
            print("0 passed, 0 failed", flush=True)
            return 0
        root_ok = os.geteuid() == 0 and os.environ.get("GKEID_DOCS_NETNS") == "1"
        if any(c.root for c in cmds) and os.geteuid() == 0 and not root_ok:
            # The page changes the network: run it in a namespace of its own.
            env = dict(os.environ, GKEID_DOCS_NETNS="1")
            r = subprocess.run(["unshare", "--net", "--", "true"], capture_output=True)
            if r.returncode == 0:
                return subprocess.call(["unshare", "--net", "--", sys.executable,
                                        os.path.abspath(__file__), self.path], env=env)
            print("# cannot make a network namespace (%s): root blocks are skipped"
                  % r.stderr.decode().strip())
        if root_ok:
            subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        work = tempfile.mkdtemp(prefix="gkeid-docs-%s." % re.sub(r"\W", "_", self.name))
        try:
            self.run_in(work, cmds, root_ok)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 0 if self.failed == 0 else 1

    def run_in(self, work, cmds, root_ok):
        os.makedirs(os.path.join(work, "build"))
        os.makedirs(os.path.join(work, "home"))
        os.symlink(GKEID, os.path.join(work, "build", "gkeid"))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GKEID_", "CLOUDSDK_")) and k != "KUBECONFIG"}
        env.update(HOME=os.path.join(work, "home"), PATH=os.path.join(work, "build") + ":" +
                   os.environ.get("PATH", "/usr/bin:/bin"), LC_ALL="C.UTF-8", TERM="dumb")
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        log = open(os.path.join(work, "gkeid.log"), "w")
        up = subprocess.Popen([GKEID, "up", "--data-dir", os.path.join(work, ".gkeid"), "--port", "0"],
                              cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
        envfile = os.path.join(work, ".gkeid", "env")
        deadline = time.time() + 120
        while not (os.path.exists(envfile) and os.path.getsize(envfile) > 0):
            if up.poll() is not None or time.time() > deadline:
                self.fail("%s: gkeid up starts" % self.name, open(log.name).read()[-4000:])
                up.kill()
                return
            time.sleep(0.1)
        sh = Shell(work, env)
        try:
            out, rc = sh.run(". .gkeid/env")
            if rc != 0:
                self.fail("%s: . .gkeid/env" % self.name, out)
                return
            for c in cmds:
                first = c.text.split("\n")[0]
                what = "%s:%d $ %s" % (self.name, c.line, first[:100])
                if c.root and not root_ok:
                    print("# skipped (needs root and a network namespace): %s" % what)
                    continue
                out, rc = sh.run(c.text)
                if rc is None:
                    self.fail(what + " (did not finish in %gs; the page stops here)" % CMD_TIMEOUT,
                              "output so far:\n" + out)
                    break
                want = normalize("\n".join(c.expected), None)
                got = normalize(out, work)
                if matches(want, got):
                    self.ok(what)
                else:
                    if os.environ.get("DOCS_RAW"):  # for writing docs: the output as is
                        got = out.replace(work, "~/gkeid").rstrip("\n").split("\n")
                    self.fail(what, "expected:\n" + "\n".join("  " + x for x in want) +
                              "\nactual (normalized):\n" + "\n".join("  " + x for x in got))
        finally:
            sh.close()
            up.send_signal(signal.SIGTERM)
            try:
                rc = up.wait(timeout=60)
            except subprocess.TimeoutExpired:
                up.kill()
                rc = "killed after 60 s"
            log.close()
            text = open(log.name, errors="replace").read()
            if rc != 0 or SANITIZER.search(text):
                self.fail("%s: gkeid exits cleanly (rc=%s)" % (self.name, rc), text[-4000:])
            else:
                self.ok("%s: gkeid exits cleanly" % self.name)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    rc = 0
    for p in sys.argv[1:]:
        path = p if os.path.isabs(p) else os.path.join(ROOT, p)
        rc |= Page(path).run()
    sys.exit(rc)


if __name__ == "__main__":
    main()
