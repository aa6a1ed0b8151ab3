#!/usr/bin/env python3
"""Timer lateness: how long after its due time each post's request reaches a loopback receiver.

    python3 bench/lateness/lateness.py [--posts 1000] [--seconds 60] CRIER [CRIER ...]

For each crier binary: a fresh queue of --posts webhook posts due `at:` start + i × (seconds/posts)
(millisecond times, start a whole second 12 s ahead, so intake is long done), `crier run` as a
daemon, and beside it in the same run a bare DispatchSourceTimer (bare_timer.swift: wall deadline,
.strict, no leeway; one small POST per due time on a kept-alive connection) due half a step after
each post. The receiver takes the kernel's receive timestamp of each request's first segment
(SO_TIMESTAMPNS), so its own scheduling does not count: lateness = arrival − due.
"""
import os, re, shutil, signal, socket, struct, subprocess, sys, tempfile, threading, time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
HERE = os.path.dirname(os.path.abspath(__file__))
REPLY = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"
POST_RE = re.compile(rb'"post":"([^"]+)"')

class Receiver:
    def __init__(self):
        self.arrivals = {}  # post id -> kernel receive time (s)
        self.lock = threading.Lock()
        self.sock = socket.socket(); self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0)); self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()
    def accept(self):
        while True:
            conn, _ = self.sock.accept()
            conn.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()
    def serve(self, conn):
        buf = b""; started = None
        while True:
            try: data, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(16))
            except OSError: return
            if not data: return
            stamp = time.time()
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", payload[:16]); stamp = sec + nsec / 1e9
            if not buf: started = stamp
            buf += data
            while True:
                end = buf.find(b"\r\n\r\n")
                if end < 0: break
                m = re.search(rb"(?i)content-length:\s*(\d+)", buf[:end])
                total = end + 4 + (int(m.group(1)) if m else 0)
                if len(buf) < total: break
                body = buf[end + 4:total]; buf = buf[total:]
                p = POST_RE.search(body)
                if p:
                    with self.lock: self.arrivals.setdefault(p.group(1).decode(), started)
                conn.sendall(REPLY)
                started = stamp if buf else None

def stats(values):
    v = sorted(values)
    if not v: return "no samples"
    q = lambda p: v[min(len(v) - 1, int(round(p * (len(v) - 1))))]
    return (f"n={len(v):5d}  p50 {q(.5)*1e3:6.3f}  p90 {q(.9)*1e3:6.3f}  p99 {q(.99)*1e3:6.3f}  "
            f"max {v[-1]*1e3:6.3f} ms  (min {v[0]*1e3:6.3f})")

def build_bare(work):
    out = os.path.join(work, "bare_timer")
    subprocess.run(["swiftc", "-O", "-o", out, os.path.join(HERE, "bare_timer.swift")], check=True)
    return out

def run(crier, bare, posts, seconds):
    rx = Receiver()
    work = tempfile.mkdtemp(prefix="lateness.", dir="/var/tmp")
    queue = work + "/queue"; os.makedirs(queue)
    step = seconds / posts
    start = float(int(time.time()) + 12)
    for i in range(posts):
        due = start + i * step
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(due)) + ".%03dZ" % round((due % 1) * 1000)
        with open(f"{queue}/l{i:05d}.md", "w") as f:
            f.write(f"---\nchannels: [sink]\nat: {stamp}\n---\nLateness probe {i}: a short text of the usual size for a post.\n")
    cfg = work + "/crier.yml"
    with open(cfg, "w") as f:
        f.write(f"queue: {queue}\ntimezone: UTC\nchannels:\n  sink:\n    platform: webhook\n    url: http://127.0.0.1:{rx.port}/hook\n"
                f"    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")
    os.sync()
    proc = subprocess.Popen([crier, "run", "--config", cfg, "--log-level", "warning"], stderr=open(work + "/crier.log", "w"))
    bare_proc = subprocess.Popen([bare, str(rx.port), repr(start + step / 2), repr(step * 1000), str(posts)])
    time.sleep(max(0, start + seconds + 3 - time.time()))
    proc.send_signal(signal.SIGTERM); proc.wait(30); bare_proc.wait(10)
    with rx.lock: arrivals = dict(rx.arrivals)
    late_crier = [arrivals[f"l{i:05d}"] - (start + i * step) for i in range(posts) if f"l{i:05d}" in arrivals]
    late_bare = [arrivals[f"b{i}"] - (start + step / 2 + i * step) for i in range(posts) if f"b{i}" in arrivals]
    shutil.rmtree(work)
    return late_crier, late_bare

def main():
    args = sys.argv[1:]; posts, seconds = 1000, 60.0
    while args and args[0].startswith("--"):
        if args[0] == "--posts": posts = int(args[1])
        elif args[0] == "--seconds": seconds = float(args[1])
        else: sys.exit(__doc__)
        args = args[2:]
    if not args: sys.exit(__doc__)
    tools = tempfile.mkdtemp(prefix="lateness-tools.", dir="/var/tmp")
    bare = build_bare(tools)
    print(f"{posts} posts due over {seconds:g} s; lateness = kernel receive time at the loopback receiver − due; load {open('/proc/loadavg').read().split()[:3]}")
    for crier in args:
        c, b = run(crier, bare, posts, seconds)
        print(f"crier {crier}\n  crier       {stats(c)}\n  bare timer  {stats(b)}")
        sys.stdout.flush()
    print(f"load after {open('/proc/loadavg').read().split()[:3]}")
    shutil.rmtree(tools)

main()
