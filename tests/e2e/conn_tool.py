"""conn_tool.py - hostile and lazy clients for test_conn_limits.sh (plain python3).

  conn_tool.py hold OUT HOST:PORT:COUNT ...
      opens COUNT idle connections to each HOST:PORT (sending nothing), writes
      "open N failed M" to OUT once it is done connecting (it gives up on a target
      after 3 connects in a row fail), then holds them until SIGTERM,
      when it writes "closed-by-server K" (how many the server has closed meanwhile).
  conn_tool.py stall MODE HOST PORT [CAP_SECONDS]
      one client that stops half-way, then waits for the server to close it; prints
      "closed S" (seconds after it stopped), or "open S" when the cap passed first.
      MODE: silent      connect, send nothing (a TLS port: no handshake)
            trickle     a request line and a header, then one byte every 0.2 s
            tls-silent  the TLS handshake, then nothing
            idle        one whole request, its whole answer, then nothing
"""
import resource
import select
import signal
import socket
import ssl
import sys
import time


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def server_closed(s):
    """True when the peer has closed s (EOF or reset), without blocking."""
    r, _, _ = select.select([s], [], [], 0)
    if not r:
        return False
    try:
        return s.recv(65536, socket.MSG_PEEK) == b""
    except (ConnectionError, OSError):
        return True


def hold(out, targets):
    raise_nofile()
    socks = []
    failed = 0
    i = 0
    for t in targets:
        host, port, count = t.rsplit(":", 2)
        streak = 0
        for _ in range(int(count)):
            i += 1
            if streak >= 3:  # the server stopped accepting: keep what is open
                failed += 1
                continue
            s = socket.socket()
            # spread over source addresses: one source runs out of quick ephemeral ports
            # the port is chosen at connect, by the whole address pair: chosen at bind, ports run
            # out while other tests hold many (IP_BIND_ADDRESS_NO_PORT, Linux 4.2)
            s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24), 1)
            s.bind(("127.202.%d.%d" % (i // 200, i % 200 + 1), 0))
            s.settimeout(2)
            try:
                s.connect((host, int(port)))
            except OSError:
                s.close()
                failed += 1
                streak += 1
                continue
            streak = 0
            socks.append(s)
    with open(out, "w") as f:
        f.write("open %d failed %d\n" % (len(socks), failed))

    def done(*_):
        closed = 0
        for s in socks:
            try:
                if server_closed(s):
                    closed += 1
            except ValueError:
                pass
        with open(out, "a") as f:
            f.write("closed-by-server %d\n" % closed)
        sys.exit(0)

    signal.signal(signal.SIGTERM, done)
    while True:
        signal.pause()


def wait_close(s, cap):
    t = time.monotonic()
    while time.monotonic() - t < cap:
        r, _, _ = select.select([s], [], [], 0.05)
        if r:
            try:
                data = s.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                continue  # TLS 1.3 session tickets: no data, not a close
            except (ConnectionError, OSError, ssl.SSLError):
                data = b""
            if data == b"":
                return "closed %.1f" % (time.monotonic() - t)
    return "open %.1f" % (time.monotonic() - t)


def stall(mode, host, port, cap):
    s = socket.create_connection((host, port), timeout=10)
    if mode == "silent":
        print(wait_close(s, cap))
    elif mode == "trickle":
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        t = time.monotonic()
        while time.monotonic() - t < cap:
            if server_closed(s):
                print("closed %.1f" % (time.monotonic() - t))
                return
            try:
                s.sendall(b"a")
            except OSError:
                print("closed %.1f" % (time.monotonic() - t))
                return
            time.sleep(0.2)
        print("open %.1f" % (time.monotonic() - t))
    elif mode == "tls-silent":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["http/1.1"])
        t = ctx.wrap_socket(s)
        t.setblocking(False)
        print(wait_close(t, cap))
    elif mode == "idle":
        s.sendall(b"GET /v1/projects/none HTTP/1.1\r\nHost: x\r\n\r\n")
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(65536)
        head, _, body = buf.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        while len(body) < length:
            body += s.recv(65536)
        print(wait_close(s, cap))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    if sys.argv[1] == "hold":
        hold(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "stall":
        stall(sys.argv[2], sys.argv[3], int(sys.argv[4]),
              float(sys.argv[5]) if len(sys.argv) > 5 else 30)
    else:
        sys.exit(__doc__)
