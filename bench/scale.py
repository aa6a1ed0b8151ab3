#!/usr/bin/env python3
"""Scale benchmark for issue "Performance at scale": crier with a large backlog, one table per
scenario, one or more crier binaries side by side in the same run (e.g. main's build and yours).

    python3 bench/scale.py BINARY [BINARY ...] [--scenario idle,restart,pickup,lateness,preview]
                           [--sizes 10000,100000,1000000] [--idle-seconds 60] [--idle-delay 0]

A BINARY is a path, or NAME=PATH to name it in the tables. Scenarios (all by default):

  idle      N posts (one webhook channel, `at:` one day ahead plus i x 0.5 s, 20 random words each),
            NOTIFY_SOCKET set (the 5 s STATUS heartbeat runs), rescan 30s. Waits for READY=1 and for
            the first pick-up to finish (the journal holds N posts AND a STATUS line says N pending),
            then measures CPU-s per minute over --idle-seconds, VmRSS and VmHWM. Also reports the
            time to READY and to the end of that first pick-up.
  restart   the queue of `idle` (or of a first run, when idle is not selected), already journaled:
            SIGTERM, start again; time from spawn to READY=1 and the CPU-s used until then; the time
            until a STATUS line reports N pending; and when the process goes quiet (the first 2 s
            window after READY with < 0.1 CPU-s), i.e. the background re-check is over.
  pickup    empty journal: (a) N files already in the queue at start, (b) N files renamed into the
            queue of a running daemon. Time until `SELECT count(*) FROM post` is N, CPU-s used.
            Sizes above 100,000 are skipped (the issue measures 1M for idle and restart only).
  lateness  1,000 posts due over one minute, from ~20 s after the start, sent to a loopback receiver
            in this process that timestamps the first byte of each request; p50/p99/max of
            (arrival - due). Alongside, in the same minute, a bare timer (bench/scale_bare_timer.c:
            timerfd + one POST on a warm keep-alive socket, compiled with cc) sends 1,000 requests
            due 30 ms after each of crier's to the same receiver. Exactly-once is checked by
            webhook-id. Without a C compiler the baseline is Python (sleep until due + socket POST).
  preview   `crier preview --json` on 10,000 posts x 5 webhook channels (25 random words, due now),
            wall time median of 3 (CPU-s and max RSS from wait4), beside `cat` of the same files;
            the JSON is checked (every post planned on every channel).

Throughput (10,000 due-now posts, crier `run --once` vs a bare libcurl multi loop against nginx) is
bench/run.sh; it is not repeated here.

Everything runs under /var/tmp (ext4, real fsync) and talks to 127.0.0.1 only. Backlogs are generated
once into /var/tmp/crier-scale-cache/ (reused while their first post is still > 2 h ahead) and copied
with `cp -a` (mtimes kept, so settle_time does not delay the scan). Processes and work dirs are
removed on exit, Ctrl-C included. Each scenario prints `uptime` before and after: the machine is shared.
"""
import argparse, atexit, datetime, json, os, random, re, selectors, shutil, signal, socket, sqlite3
import statistics, struct, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = "/var/tmp"
CACHE = os.path.join(BASE, "crier-scale-cache")
CLK = os.sysconf("SC_CLK_TCK")

# --- cleanup -----------------------------------------------------------------------------------------
PROCS, DIRS = [], []


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            try:
                p.terminate()
                p.wait(15)
            except Exception:
                p.kill()
                p.wait()
    PROCS.clear()
    for d in DIRS:
        subprocess.run(["rm", "-rf", "--one-file-system", d])
    DIRS.clear()


atexit.register(cleanup)
for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(sig, lambda s, f: sys.exit(128 + s))


class BenchFailure(Exception):
    pass


def fail(message):
    raise BenchFailure(message)


def workdir(tag):
    d = tempfile.mkdtemp(prefix=f"crier-scale-{tag}.", dir=BASE)
    DIRS.append(d)
    return d


def drop(d):
    subprocess.run(["rm", "-rf", "--one-file-system", d])  # much faster than shutil.rmtree at 1M files
    if d in DIRS:
        DIRS.remove(d)


def load():
    return open("/proc/loadavg").read().split()[:3]


def uptime_line(what):
    out = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"`uptime` {what}: {out}", flush=True)


# --- posts --------------------------------------------------------------------------------------------
_letters = "abcdefghijklmnopqrstuvwxyz"


def wordlist(seed=7, count=4000):
    r = random.Random(seed)
    return ["".join(r.choice(_letters) for _ in range(r.randint(2, 10))) for _ in range(count)]


WORDS = wordlist()


def iso_ms(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def backlog(n):
    """Cached queue of n posts: one day ahead + i x 0.5 s, 20 random words, channel ops."""
    os.makedirs(CACHE, exist_ok=True)
    now = time.time()
    for name in sorted(os.listdir(CACHE)):
        m = re.fullmatch(rf"backlog-{n}-(\d+)", name)
        if m:
            if int(m.group(1)) - now > 2 * 3600 and os.path.exists(os.path.join(CACHE, name, ".complete")):
                return os.path.join(CACHE, name, "q")
            shutil.rmtree(os.path.join(CACHE, name), ignore_errors=True)
    need = n * 4096 * 2 + n * 2048 + (1 << 30)  # cache + one work copy + journal + 1 GiB
    st = os.statvfs(BASE)
    if st.f_bavail * st.f_frsize < need or st.f_favail < 2 * n + 100000:
        fail(f"not enough space under {BASE} for {n} posts (need ~{need >> 20} MiB and {2 * n} inodes): "
             + subprocess.run(["df", "-h", BASE], capture_output=True, text=True).stdout)
    start = int(now) + 86400
    d = os.path.join(CACHE, f"backlog-{n}-{start}")
    q = os.path.join(d, "q")
    os.makedirs(q)
    print(f"(generating {n} posts into {q} …)", flush=True)
    t = time.monotonic()
    r = random.Random(n)
    old = now - 3600
    for i in range(n):
        text = " ".join(r.choice(WORDS) for _ in range(20))
        path = f"{q}/p{i:07d}.md"
        with open(path, "w") as f:
            f.write(f"---\nchannels: [ops]\nat: {iso_ms(start + i * 0.5)}\n---\n{text}\n")
        os.utime(path, (old, old))
    open(os.path.join(d, ".complete"), "w").close()
    print(f"(generated in {time.monotonic() - t:.0f} s)", flush=True)
    return q


def copy_queue(src, dst):
    subprocess.run(["cp", "-a", src, dst], check=True)


# --- crier process --------------------------------------------------------------------------------------
def proc_cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / CLK


def proc_mem(pid):
    out = {}
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(("VmRSS", "VmHWM")):
            k, v = line.split(":")
            out[k] = int(v.split()[0]) // 1024
    return out.get("VmRSS"), out.get("VmHWM")


class Crier:
    def __init__(self, binary, work, config, args=("run",), notify=True, log_level="info", log_name="crier.log"):
        self.work, self.config = work, config
        self.ready_at = self.ready_cpu = None
        self.ready = threading.Event()
        self.statuses = []  # (monotonic, text)
        env = dict(os.environ)
        self.sock = None
        if notify:
            path = os.path.join(work, "notify")
            if os.path.exists(path):
                os.unlink(path)
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.sock.bind(path)
            env["NOTIFY_SOCKET"] = path
            threading.Thread(target=self._drain, daemon=True).start()
        self.log = open(os.path.join(work, log_name), "ab")
        self.t0 = time.monotonic()
        self.p = subprocess.Popen([binary, *args, "--config", config, "--log-level", log_level],
                                  env=env, stdout=self.log, stderr=self.log)
        PROCS.append(self.p)

    def _drain(self):
        while True:
            try:
                m = self.sock.recv(65536)
            except OSError:
                return
            now = time.monotonic()
            for line in m.decode(errors="replace").split("\n"):
                if line == "READY=1" and not self.ready.is_set():
                    try:
                        self.ready_cpu = proc_cpu(self.p.pid)
                    except OSError:
                        pass
                    self.ready_at = now - self.t0
                    self.ready.set()
                elif line.startswith("STATUS="):
                    self.statuses.append((now, line[7:]))

    def since(self):
        return time.monotonic() - self.t0

    def cpu(self):
        return proc_cpu(self.p.pid)

    def alive(self):
        if self.p.poll() is not None:
            fail(f"crier exited with {self.p.returncode}; log tail:\n{self.tail()}")

    def tail(self, n=30):
        self.log.flush()
        try:
            lines = open(os.path.join(self.work, self.log.name), "rb").read().decode(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def wait_ready(self, timeout):
        end = time.monotonic() + timeout
        while not self.ready.wait(0.2):
            self.alive()
            if time.monotonic() > end:
                fail(f"no READY=1 within {timeout} s")
        return self.ready_at

    def wait_status_pending(self, n, timeout, after=0.0):
        """Seconds since spawn of the first STATUS line (sent at or after `after`) saying n pending."""
        end = time.monotonic() + timeout
        pattern = re.compile(rf"^{n} pending\b")
        while True:
            for t, text in list(self.statuses):
                if t - self.t0 >= after and pattern.search(text):
                    return t - self.t0
            self.alive()
            if time.monotonic() > end:
                last = self.statuses[-1][1] if self.statuses else "none"
                fail(f"no STATUS line with {n} pending within {timeout} s (last: {last})")
            time.sleep(0.1)

    def stop(self, timeout=120):
        t = time.monotonic()
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
                fail(f"crier did not stop within {timeout} s of SIGTERM")
        if self.sock:
            self.sock.close()
        self.log.close()
        if self.p in PROCS:
            PROCS.remove(self.p)
        return time.monotonic() - t


def journal_count(queue):
    path = os.path.join(queue, ".crier", "journal.sqlite")
    if not os.path.exists(path):
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT count(*) FROM post").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return -1


def wait_journaled(c, queue, n, timeout, interval):
    """Seconds since spawn when the journal first held n posts, and crier's CPU-s then."""
    end = time.monotonic() + timeout
    while True:
        count = journal_count(queue)
        if count >= n:
            t, cpu = c.since(), c.cpu()
            if count != n:
                fail(f"journal holds {count} posts, expected {n}")
            return t, cpu
        c.alive()
        if time.monotonic() > end:
            fail(f"only {count} of {n} posts journaled after {timeout} s; log tail:\n{c.tail()}")
        time.sleep(interval)


def webhook_config(work, queue, url="http://127.0.0.1:9/hook", extra_delivery="rescan: 30s", limits=""):
    cfg = os.path.join(work, "crier.yml")
    with open(cfg, "w") as f:
        f.write(f"queue: {queue}\ntimezone: UTC\ndelivery: {{ {extra_delivery} }}\nchannels:\n"
                f"  ops:\n    platform: webhook\n    url: {url}\n{limits}")
    return cfg


def poll_interval(n):
    return 0.05 if n <= 10000 else 0.1 if n <= 100000 else 0.5


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(x) for x in row) + " |")
    print(flush=True)


def f1(x):
    return "–" if x is None else f"{x:.1f}"


def f2(x):
    return "–" if x is None else f"{x:.2f}"


def f3(x):
    return "–" if x is None else f"{x:.3f}"


# --- scenarios 1 and 2: idle, restart ------------------------------------------------------------------
def idle_and_restart(binaries, sizes, args, do_idle, do_restart):
    idle_rows, restart_rows = [], []
    for n in sizes:
        src = backlog(n)
        for name, binary in binaries:
            work = workdir("idle")
            queue = os.path.join(work, "queue")
            t = time.monotonic()
            copy_queue(src, queue)
            print(f"({name}, {n}: queue copied in {time.monotonic() - t:.1f} s)", flush=True)
            cfg = webhook_config(work, queue)
            big = max(120, n / 1000 * 2)
            load0 = load()
            c = Crier(binary, work, cfg)
            ready = c.wait_ready(big * 3)
            picked, picked_cpu = wait_journaled(c, queue, n, big * 6, poll_interval(n))
            status_at = c.wait_status_pending(n, big * 2, after=picked - 0.5)
            if do_idle:
                # --idle-delay: start the window later, past the one-time work after a first start
                # (the first safety-net rescan re-lists the directory crier has just changed).
                time.sleep(2 + args.idle_delay)
                cpu0 = c.cpu()
                time.sleep(args.idle_seconds)
                c.alive()
                cpu1 = c.cpu()
                rss, hwm = proc_mem(c.p.pid)
                idle_rows.append([name, f"{n:,}", f1(ready), f1(picked), f1(picked_cpu), f1(status_at),
                                  f3((cpu1 - cpu0) * 60 / args.idle_seconds), rss, hwm,
                                  "/".join(load0[:1] + load()[:1])])
                print(f"  idle {name} {n}: {idle_rows[-1]}", flush=True)
            if do_restart:
                restart_rows.append(restart(name, binary, work, queue, cfg, c, n, big))
                print(f"  restart {name} {n}: {restart_rows[-1]}", flush=True)
            else:
                c.stop()
            drop(work)
    return idle_rows, restart_rows


def restart(name, binary, work, queue, cfg, c, n, big):
    load0 = load()
    stop_s = c.stop()
    c = Crier(binary, work, cfg, log_name="crier-restart.log")
    ready = c.wait_ready(big * 3)
    ready_cpu = c.ready_cpu
    # Sample CPU every 0.1 s after READY; quiet = the first 2 s window with < 0.1 CPU-s.
    samples = [(c.since(), c.cpu())]
    quiet_at = quiet_cpu = None
    limit = max(90, ready * 4 + 60)
    status_at = None
    start = 0
    pattern = re.compile(rf"^{n} pending\b")
    while c.since() < limit:
        time.sleep(0.1)
        c.alive()
        samples.append((c.since(), c.cpu()))
        if status_at is None:
            status_at = next((t - c.t0 for t, s in list(c.statuses) if pattern.search(s)), None)
        # The newest sample ends a >= 2 s window that starts at samples[start]; quiet if < 0.1 CPU-s in it.
        while start + 1 < len(samples) and samples[-1][0] - samples[start + 1][0] >= 2.0:
            start += 1
        if quiet_at is None and samples[-1][0] - samples[start][0] >= 2.0 and samples[-1][1] - samples[start][1] < 0.1:
            quiet_at, quiet_cpu = samples[start]
        if quiet_at is not None and status_at is not None:
            break
    if status_at is None:
        status_at = c.wait_status_pending(n, big)
    count = journal_count(queue)
    if count != n:
        fail(f"after the restart the journal holds {count} posts, expected {n}")
    rss, hwm = proc_mem(c.p.pid)
    c.stop()
    return [name, f"{n:,}", f1(stop_s), f2(ready), f1(ready_cpu), f1(status_at),
            f1(quiet_at) if quiet_at is not None else f">{limit:.0f}", f1(quiet_cpu), rss, hwm,
            "/".join(load0[:1] + load()[:1])]


# --- scenario 3: first pick-up --------------------------------------------------------------------------
def pickup(binaries, sizes, args):
    rows = []
    for n in sizes:
        if n > 100000:
            print(f"(pickup: {n:,} skipped: 1M is measured for idle and restart only)")
            continue
        src = backlog(n)
        for name, binary in binaries:
            # (a) already in the queue at start
            work = workdir("pickup")
            queue = os.path.join(work, "queue")
            copy_queue(src, queue)
            cfg = webhook_config(work, queue)
            big = max(120, n / 1000 * 2)
            load0 = load()
            c = Crier(binary, work, cfg)
            ready = c.wait_ready(big * 3)
            t, cpu = wait_journaled(c, queue, n, big * 6, poll_interval(n))
            rss, hwm = proc_mem(c.p.pid)
            c.stop()
            rows.append([name, f"{n:,}", "in the queue at start", f2(t), f1(cpu), f2(ready), "–", hwm,
                         "/".join(load0[:1] + load()[:1])])
            print(f"  pickup {rows[-1]}", flush=True)
            drop(work)
            # (b) renamed into the queue of a running daemon
            work = workdir("pickup")
            queue = os.path.join(work, "queue")
            staging = os.path.join(work, "staging")
            os.makedirs(queue)
            copy_queue(src, staging)
            names = sorted(os.listdir(staging))
            cfg = webhook_config(work, queue)
            load0 = load()
            c = Crier(binary, work, cfg)
            c.wait_ready(big)
            time.sleep(1)
            cpu0 = c.cpu()
            t0 = time.monotonic()
            for f in names:
                os.rename(os.path.join(staging, f), os.path.join(queue, f))
            moved = time.monotonic() - t0
            t, cpu = wait_journaled(c, queue, n, big * 6, poll_interval(n))
            t -= t0 - c.t0
            rss, hwm = proc_mem(c.p.pid)
            c.stop()
            rows.append([name, f"{n:,}", "renamed in while running", f2(t), f1(cpu - cpu0), "–", f2(moved), hwm,
                         "/".join(load0[:1] + load()[:1])])
            print(f"  pickup {rows[-1]}", flush=True)
            drop(work)
    return rows


# --- scenario 4: lateness -------------------------------------------------------------------------------
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux: SCM_TIMESTAMPNS has the same value


class Receiver:
    """Loopback HTTP/1.1 sink, one thread, epoll. Each request is stamped with the time its first bytes
    reached the socket: the kernel's receive timestamp (SO_TIMESTAMPNS), so the receiver's own wake-up
    latency is not counted; time.time() at wake-up if the kernel gives none."""
    ANSWER = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(512)
        self.listener.setblocking(False)
        self.port = self.listener.getsockname()[1]
        self.records = []  # (arrival unix time, path, webhook-id, body bytes)
        self.kernel_stamps = 0
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.listener, selectors.EVENT_READ, None)
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while self.running:
            for key, _ in self.sel.select(0.2):
                if key.data is None:
                    try:
                        conn, _ = self.listener.accept()
                    except BlockingIOError:
                        continue
                    conn.setblocking(False)
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    conn.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
                    self.sel.register(conn, selectors.EVENT_READ, {"buf": b"", "t": None, "continued": False})
                    continue
                now = time.time()
                conn, state = key.fileobj, key.data
                try:
                    data, ancillary, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(16))
                except (BlockingIOError, ConnectionError):
                    data, ancillary = b"", []
                for level, kind, value in ancillary:
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                        sec, nsec = struct.unpack("qq", value[:16])
                        now = sec + nsec / 1e9  # when the kernel received the bytes, not when Python woke up
                        self.kernel_stamps += 1
                if not data:
                    self.sel.unregister(conn)
                    conn.close()
                    continue
                if not state["buf"]:
                    state["t"] = now
                state["buf"] += data
                self._parse(conn, state, now)

    def _parse(self, conn, state, now):
        while True:
            buf = state["buf"]
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = buf[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            length = int(headers.get("content-length", "0"))
            if len(buf) < end + 4 + length:
                if headers.get("expect", "").lower() == "100-continue" and not state["continued"]:
                    conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                    state["continued"] = True
                return
            body = buf[end + 4:end + 4 + length]
            path = head[0].split(" ")[1] if " " in head[0] else "?"
            self.records.append((state["t"], path, headers.get("webhook-id"), body))
            conn.sendall(self.ANSWER)
            state["buf"] = buf[end + 4 + length:]
            state["continued"] = False
            state["t"] = now if state["buf"] else None

    def close(self):
        self.running = False
        self.thread.join(2)
        self.listener.close()


def percentile(values, q):
    s = sorted(values)
    if not s:
        return None
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def bare_timer_binary(work):
    src = os.path.join(HERE, "scale_bare_timer.c")
    out = os.path.join(work, "scale_bare_timer")
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        return None
    subprocess.run([cc, "-O2", "-o", out, src], check=True)
    return out


def python_bare_timer(port, schedule):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for due_ms, pid in schedule:
        delay = due_ms / 1000 - time.time()
        if delay > 0:
            time.sleep(delay)
        body = json.dumps({"post": pid, "due_ms": due_ms}).encode()
        s.sendall(b"POST /bare HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + f"webhook-id: b-{pid}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        answer = b""
        while not answer.endswith(b"}"):
            answer += s.recv(4096)
    s.close()


STAMPS = {"kernel": 0, "all": 0}


def lateness(binaries, args):
    rows = []
    n, span, lead = args.lateness_posts, 60.0, 20.0
    for name, binary in binaries:
        work = workdir("late")
        queue = os.path.join(work, "queue")
        os.makedirs(queue)
        receiver = Receiver()
        try:
            start_ms = int((time.time() + lead) * 1000)
            step = span * 1000 / n
            due = {f"late{i:05d}": start_ms + round(i * step) for i in range(n)}
            r = random.Random(4)
            old = time.time() - 3600
            for pid, ms in due.items():
                text = " ".join(r.choice(WORDS) for _ in range(20))
                path = os.path.join(queue, pid + ".md")
                with open(path, "w") as f:
                    f.write(f"---\nchannels: [ops]\nat: {iso_ms(ms / 1000)}\n---\ndue_ms {ms}: {text}\n")
                os.utime(path, (old, old))
            bare_schedule = [(ms + round(step / 2), pid) for pid, ms in due.items()]
            cfg = webhook_config(work, queue, url=f"http://127.0.0.1:{receiver.port}/crier",
                                 extra_delivery="rescan: 30s, max_in_flight: 500",
                                 limits="    limits: { max_in_flight: 500 }\n")
            load0 = load()
            bare_bin = bare_timer_binary(work)
            c = Crier(binary, work, cfg, log_level="warning")
            if bare_bin:
                sched = os.path.join(work, "bare.txt")
                with open(sched, "w") as f:
                    f.writelines(f"{ms} {pid}\n" for ms, pid in bare_schedule)
                bare = subprocess.Popen([bare_bin, str(receiver.port), sched], stderr=subprocess.PIPE, text=True)
                PROCS.append(bare)
                bare_label = "bare timer (C: timerfd + POST on a keep-alive socket)"
            else:
                bare = threading.Thread(target=python_bare_timer, args=(receiver.port, bare_schedule), daemon=True)
                bare.start()
                bare_label = "bare timer (Python: sleep until due + POST on a keep-alive socket)"
            c.wait_ready(lead)
            picked, _ = wait_journaled(c, queue, n, lead, 0.05)
            if picked > lead - 2:
                print(f"  warning: pick-up took {picked:.1f} s of the {lead:.0f} s lead", flush=True)
            end = start_ms / 1000 + span + 15
            while time.time() < end:
                c.alive()
                crier_count = sum(1 for rec in receiver.records if rec[1] == "/crier")
                bare_count = sum(1 for rec in receiver.records if rec[1] == "/bare")
                if time.time() > start_ms / 1000 + span + 2 and crier_count >= n and bare_count >= n:
                    time.sleep(2)  # room for a duplicate to show up
                    break
                time.sleep(0.5)
            if bare_bin:
                bare.wait(10)
                if bare.returncode != 0:
                    fail(f"bare timer failed: {bare.stderr.read()}")
            c.stop()
            records = list(receiver.records)
            STAMPS["kernel"] += receiver.kernel_stamps
            STAMPS["all"] += len(records)
        finally:
            receiver.close()
        load1 = load()
        for who, path, key, dues in (("crier " + name, "/crier", "post", due),
                                     (bare_label, "/bare", "post", dict((p, m) for m, p in bare_schedule))):
            got = [rec for rec in records if rec[1] == path]
            ids = [rec[2] for rec in got]
            dup = len(ids) - len(set(ids))
            late, seen, mismatch = [], set(), 0
            for t, _, _, body in got:
                data = json.loads(body)
                pid = data["data"]["post"] if "data" in data else data["post"]
                if "data" in data:
                    sched = datetime.datetime.strptime(data["data"]["scheduled_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
                    sched = sched.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000
                    if abs(sched - dues[pid]) > 1.5:
                        mismatch += 1
                if pid in seen:
                    continue
                seen.add(pid)
                late.append((t * 1000 - dues[pid]))
            missing = len(set(dues) - seen)
            rows.append([who, len(got), len(seen), dup, missing, f2(percentile(late, 0.5)), f2(percentile(late, 0.99)),
                         f2(max(late) if late else None), f2(min(late) if late else None),
                         "/".join(load0[:1] + load1[:1])])
            print(f"  lateness {rows[-1]}", flush=True)
            if dup or missing or len(got) != n:
                fail(f"{who}: {len(got)} requests for {len(seen)} of {n} posts, {dup} duplicate webhook-ids, {missing} missing")
            if mismatch:
                fail(f"{who}: {mismatch} events carry a scheduled_at other than the due time written")
        drop(work)
    return rows


# --- scenario 5: preview --------------------------------------------------------------------------------
def timed_child(argv, stdout):
    t = time.perf_counter()
    p = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE)
    PROCS.append(p)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    PROCS.remove(p)
    err = p.stderr.read().decode(errors="replace")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss // 1024, p.returncode, err


def preview(binaries, args):
    n, channels = args.preview_posts, ["alpha", "beta", "gamma", "delta", "epsilon"]
    work = workdir("preview")
    queue = os.path.join(work, "queue")
    os.makedirs(queue)
    cfg = os.path.join(work, "crier.yml")
    with open(cfg, "w") as f:
        f.write(f"queue: {queue}\ntimezone: UTC\nchannels:\n")
        for ch in channels:
            f.write(f"  {ch}:\n    platform: webhook\n    url: http://127.0.0.1:9/{ch}\n")
    r = random.Random(25)
    for i in range(n):
        with open(f"{queue}/p{i:06d}.md", "w") as f:
            f.write(f"---\nchannels: [{', '.join(channels)}]\n---\n" + " ".join(r.choice(WORDS) for _ in range(25)) + "\n")
    rows = []
    load0 = load()
    files = sorted(os.path.join(queue, x) for x in os.listdir(queue))
    cat = ["sh", "-c", f"find {queue} -name '*.md' -exec cat {{}} +"]
    timed_child(cat, subprocess.DEVNULL)  # warm the page cache
    out = os.path.join(work, "preview.json")
    walls = {name: [] for name, _ in binaries}
    walls["cat"] = []
    cpus, rss = {name: [] for name, _ in binaries}, {name: [] for name, _ in binaries}
    for _ in range(args.preview_rounds):
        for name, binary in binaries:
            with open(out, "wb") as fo:
                wall, cpu, maxrss, code, err = timed_child([binary, "preview", "--json", "--config", cfg], fo)
            if code != 0:
                fail(f"crier preview --json ({name}) exited {code}: {err[-2000:]}")
            report = json.load(open(out))
            posts = report["posts"]
            planned = sum(1 for p in posts for d in p["deliveries"] if d.get("at") and not d.get("errors"))
            if len(posts) != n or planned != n * len(channels):
                fail(f"crier preview --json ({name}): {len(posts)} posts, {planned} planned deliveries; expected {n} and {n * len(channels)}")
            walls[name].append(wall)
            cpus[name].append(cpu)
            rss[name].append(maxrss)
        wall, _, _, code, _ = timed_child(cat, subprocess.DEVNULL)
        walls["cat"].append(wall)
    load1 = load()
    for name, _ in binaries:
        rows.append([f"crier preview --json ({name})", f"{n:,} × {len(channels)}", f3(statistics.median(walls[name])),
                     " ".join(f"{w:.2f}" for w in walls[name]), f2(statistics.median(cpus[name])), max(rss[name]),
                     "/".join(load0[:1] + load1[:1])])
    rows.append([f"cat of the same {len(files):,} files (floor)", f"{n:,}", f3(statistics.median(walls["cat"])),
                 " ".join(f"{w:.3f}" for w in walls["cat"]), "–", "–", "/".join(load0[:1] + load1[:1])])
    drop(work)
    return rows


# --- main -----------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binaries", nargs="+", help="crier binaries: PATH or NAME=PATH")
    ap.add_argument("--scenario", default="idle,restart,pickup,lateness,preview")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--idle-seconds", type=float, default=60)
    ap.add_argument("--idle-delay", type=float, default=0,
                    help="seconds to wait after the pick-up before the idle window opens (steady state: 75)")
    ap.add_argument("--lateness-posts", type=int, default=1000)
    ap.add_argument("--preview-posts", type=int, default=10000)
    ap.add_argument("--preview-rounds", type=int, default=3)
    args = ap.parse_args()
    binaries = []
    for b in args.binaries:
        name, _, path = b.rpartition("=") if "=" in b else (b, "", b)
        path = os.path.abspath(path)
        if not os.access(path, os.X_OK):
            ap.error(f"{path} is not an executable")
        binaries.append((name, path))
    scenarios = [s.strip() for s in args.scenario.split(",") if s.strip()]
    for s in scenarios:
        if s not in ("idle", "restart", "pickup", "lateness", "preview", "throughput"):
            ap.error(f"unknown scenario {s}")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    print(f"machine: {os.cpu_count()} cores, kernel {os.uname().release}; work under {BASE}")
    print(f"binaries: " + ", ".join(f"{n} = {p}" for n, p in binaries))
    print(f"started {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}\n", flush=True)
    status = 0
    try:
        if "idle" in scenarios or "restart" in scenarios:
            uptime_line("before idle/restart")
            idle_rows, restart_rows = idle_and_restart(binaries, sizes, args, "idle" in scenarios, "restart" in scenarios)
            uptime_line("after idle/restart")
            if idle_rows:
                print(f"\n### idle: N posts a day ahead, NOTIFY_SOCKET set, rescan 30s; {args.idle_seconds:.0f} s window "
                      f"after READY=1 and the first pick-up{f' (+ {args.idle_delay:.0f} s)' if args.idle_delay else ''}\n")
                table(["binary", "posts", "READY s", "all journaled s", "CPU-s to journaled", "STATUS N pending s",
                       "idle CPU-s/min", "VmRSS MiB", "VmHWM MiB", "load 1m before/after"], idle_rows)
            if restart_rows:
                print("\n### restart: SIGTERM, start again on the journaled queue (times from spawn)\n")
                table(["binary", "posts", "stop s", "READY s", "CPU-s to READY", "STATUS N pending s",
                       "quiet from s", "CPU-s to quiet", "VmRSS MiB", "VmHWM MiB", "load 1m before/after"], restart_rows)
        if "pickup" in scenarios:
            uptime_line("before pickup")
            rows = pickup(binaries, sizes, args)
            uptime_line("after pickup")
            print("\n### first pick-up: empty journal, until `SELECT count(*) FROM post` = N\n")
            table(["binary", "posts", "files", "all journaled s", "CPU-s", "READY s", "rename loop s",
                   "VmHWM MiB", "load 1m before/after"], rows)
        if "lateness" in scenarios:
            uptime_line("before lateness")
            rows = lateness(binaries, args)
            uptime_line("after lateness")
            how = ("kernel receive timestamps, SO_TIMESTAMPNS" if STAMPS["kernel"] >= STAMPS["all"]
                   else f"receiver wake-up time for {STAMPS['all'] - STAMPS['kernel']} of {STAMPS['all']} requests")
            print(f"\n### lateness: {args.lateness_posts} posts due over 60 s from ~20 s after the start; arrival at the "
                  f"loopback receiver − due, ms ({how}); the bare timer's requests are due 30 ms after crier's, same minute\n")
            table(["sender", "requests", "posts", "duplicate ids", "missing", "p50 ms", "p99 ms", "max ms", "min ms",
                   "load 1m before/after"], rows)
        if "preview" in scenarios:
            uptime_line("before preview")
            rows = preview(binaries, args)
            uptime_line("after preview")
            print(f"\n### preview: {args.preview_posts:,} posts × 5 webhook channels, 25 words, due now; "
                  f"median of {args.preview_rounds}\n")
            table(["command", "posts", "wall s (median)", "runs", "CPU-s (median)", "max RSS MiB", "load 1m before/after"], rows)
        if "throughput" in scenarios:
            print("### throughput: see bench/run.sh (crier `run --once` vs a bare libcurl multi loop on a loopback nginx)\n")
    except BenchFailure as e:
        print(f"\nFAILED: {e}", file=sys.stderr, flush=True)
        status = 1
    finally:
        cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
