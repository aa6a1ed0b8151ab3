#!/usr/bin/env python3
"""Scale-out benchmark for issue 16 "Several daemons, one PostgreSQL": 1, 2 and 3 crier daemons on one
database deliver N due-now posts to a slow loopback receiver, beside one daemon on its own SQLite journal.

    scripts/postgres.sh start
    python3 bench/scaleout.py BINARY [--posts 800] [--channels 8] [--nodes 1,2,3] [--delay 0.05]
                              [--rounds 1] [--lease 10s] [--no-sqlite]

BINARY is a crier build (release: `swift build -c release --product crier`, then .build/release/crier).

The receiver (in this process, 127.0.0.1, one thread per connection) answers every request after
--delay seconds (50 ms), counts requests, detects doubles by webhook-id and by (post, channel), and
tracks how many requests of each channel are in flight at once. Every channel has
`limits: { max_in_flight: 1 }`, a limit of each daemon: one daemon can deliver at most
channels / delay posts per second (160/s with the defaults) because it waits on the receiver, not on
the CPU; every added daemon adds that much again, so the rate should grow about linearly with the
nodes while the coordination through PostgreSQL (a claim per delivery) stays cheap. The receiver
never sees more requests of one channel at once than there are daemons.

Each row: a fresh database (`CREATE DATABASE crier_b_… OWNER crier` through the admin URL of
$CRIER_PG_ENV, else .build-postgres/postgres.env) and `crier migrate` once; then N posts (post i to
channel i mod C) split evenly over the nodes' queue directories (mtimes 60 s back, so they are settled
and due), every daemon started at once (`crier run --log-level warning`), timed until every post is in
its node's sent/ with a receipt. Columns:

  deliveries/s  N / (last request - first request) at the receiver
  wall s        spawn of the first daemon -> every post filed (includes startup and the last filing)
  doubles       requests whose webhook-id arrived before + (post, channel) pairs under 2+ webhook-ids
  max in flight the most requests of one channel the receiver held at once (at most 1 per daemon)
  vs 1 node     deliveries/s against the one-daemon PostgreSQL row of the same round
  load          the 1-minute load average before/after (the machine is shared)

Everything runs under /var/tmp and talks to 127.0.0.1 only; work dirs, daemons and databases are
removed on exit, Ctrl-C included.
"""
import argparse, atexit, json, os, random, shutil, signal, subprocess, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BASE = "/var/tmp"

# --- cleanup -----------------------------------------------------------------------------------------
PROCS, DIRS, DATABASES = [], [], []


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
        shutil.rmtree(d, ignore_errors=True)
    DIRS.clear()
    for name in DATABASES:
        try:
            admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        except Exception:
            pass
    DATABASES.clear()


atexit.register(cleanup)
for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(sig, lambda s, f: sys.exit(128 + s))


class BenchFailure(Exception):
    pass


def fail(message):
    raise BenchFailure(message)


def load():
    return open("/proc/loadavg").read().split()[0]


# --- the test PostgreSQL (scripts/postgres.sh) ----------------------------------------------------------
PG = {}


def read_pg_env():
    path = os.environ.get("CRIER_PG_ENV") or os.path.join(ROOT, ".build-postgres", "postgres.env")
    try:
        lines = open(path).read().splitlines()
    except OSError:
        fail(f"no PostgreSQL: {path} is missing; start one with `scripts/postgres.sh start`")
    for line in lines:
        key, _, value = line.partition("=")
        if value:
            PG[key] = value
    for key in ("CRIER_PG_ADMIN_URL", "CRIER_PG_PASSWORD", "CRIER_PG_PORT"):
        if key not in PG:
            fail(f"{path} lacks {key}; run `scripts/postgres.sh start` again")


def psql():
    path = PG.get("CRIER_PG_PSQL", "")
    return path if path and os.access(path, os.X_OK) else "psql"


def admin_sql(sql):
    env = dict(os.environ, PGCONNECT_TIMEOUT="5")
    env.pop("PGPASSWORD", None)
    out = subprocess.run([psql(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", PG["CRIER_PG_ADMIN_URL"], "-c", sql],
                         capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        fail(f"psql: {out.stderr.strip()}")
    return out.stdout.strip()


def fresh_database():
    name = "crier_b_" + "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    admin_sql(f"CREATE DATABASE {name} OWNER {PG.get('CRIER_PG_USER', 'crier')}")
    DATABASES.append(name)
    return name, f"postgres://{PG.get('CRIER_PG_USER', 'crier')}@{PG.get('CRIER_PG_HOST', '127.0.0.1')}:{PG['CRIER_PG_PORT']}/{name}"


def drop_database(name):
    admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    if name in DATABASES:
        DATABASES.remove(name)


# --- the receiver -----------------------------------------------------------------------------------------
class Receiver:
    """Answers after `delay`; counts requests, repeats by webhook-id, ids per (post, channel), and
    the most requests of one channel held at once."""

    def __init__(self, delay):
        self.delay = delay
        self.lock = threading.Lock()
        self.reset()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes: with Nagle on, the body waits for the ACK of
            # the headers, which the client delays by 40 ms — longer than the answer itself.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                channel = self.path.rsplit("/", 1)[-1]
                wid = self.headers.get("webhook-id", "")
                try:
                    post = json.loads(body)["data"]["post"]
                except Exception:
                    post = "?"
                receiver.arrive(channel, wid, post)
                time.sleep(receiver.delay)
                receiver.leave(channel)
                reply = json.dumps({"id": wid}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self):
        with self.lock:
            self.requests = 0
            self.ids = set()
            self.repeats = 0
            self.pairs = {}  # (post, channel) -> set of webhook-ids
            self.inflight = {}
            self.max_inflight = 0
            self.first = self.last = None

    def arrive(self, channel, wid, post):
        with self.lock:
            now = time.monotonic()
            self.first = self.first or now
            self.last = now
            self.requests += 1
            if wid in self.ids:
                self.repeats += 1
            self.ids.add(wid)
            self.pairs.setdefault((post, channel), set()).add(wid)
            self.inflight[channel] = self.inflight.get(channel, 0) + 1
            self.max_inflight = max(self.max_inflight, self.inflight[channel])

    def leave(self, channel):
        with self.lock:
            self.inflight[channel] -= 1

    def url(self, channel):
        return f"http://127.0.0.1:{self.port}/hook/{channel}"


# --- one row ------------------------------------------------------------------------------------------------
def config_text(queue, channels, receiver, store):
    text = f"queue: {queue}\ntimezone: UTC\ndelivery: {{ rescan: 30s, settle_time: 300ms, max_in_flight: 50 }}\n{store}channels:\n"
    for c in channels:
        text += f"  {c}:\n    platform: webhook\n    url: {receiver.url(c)}\n    limits: {{ max_in_flight: 1 }}\n"
    return text


def write_posts(queue, ids, channels):
    os.makedirs(queue, exist_ok=True)
    old = time.time() - 60
    for i in ids:
        path = os.path.join(queue, f"p{i:05d}.md")
        with open(path, "w") as f:
            f.write(f"---\nchannels: [{channels[i % len(channels)]}]\n---\nScale-out post {i}: {random.getrandbits(48):x}\n")
        os.utime(path, (old, old))


def filed(queue):
    try:
        return sum(1 for n in os.listdir(os.path.join(queue, "sent")) if n.endswith(".receipt.json"))
    except OSError:
        return 0


def run_row(binary, store_kind, nodes, args, receiver):
    channels = [f"ch{c}" for c in range(args.channels)]
    work = tempfile.mkdtemp(prefix="crier-scaleout.", dir=BASE)
    DIRS.append(work)
    env = dict(os.environ, CRIER_PG_PASSWORD=PG.get("CRIER_PG_PASSWORD", ""))
    env.pop("NOTIFY_SOCKET", None)
    database = None
    if store_kind == "postgres":
        database, url = fresh_database()
    configs, queues, counts = [], [], []
    for k in range(nodes):
        queue = os.path.join(work, f"node{k}", "queue")
        store = ""
        if store_kind == "postgres":
            store = (f"store:\n  kind: postgres\n  url: {url}\n  password: env:CRIER_PG_PASSWORD\n"
                     f"  node: bench-{k}\n  lease: {args.lease}\n")
        cfg = os.path.join(work, f"node{k}", "crier.yml")
        os.makedirs(os.path.dirname(cfg), exist_ok=True)
        with open(cfg, "w") as f:
            f.write(config_text(queue, channels, receiver, store))
        ids = list(range(k, args.posts, nodes))
        write_posts(queue, ids, channels)
        configs.append(cfg)
        queues.append(queue)
        counts.append(len(ids))
    if store_kind == "postgres":
        out = subprocess.run([binary, "migrate", "--config", configs[0]], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            fail(f"crier migrate failed ({out.returncode}): {out.stderr.strip()}")
    subprocess.run(["sync"])
    receiver.reset()
    load0 = load()
    procs, logs = [], []
    t0 = time.monotonic()
    for k, cfg in enumerate(configs):
        log = open(os.path.join(work, f"node{k}", "crier.log"), "wb")
        logs.append(log)
        p = subprocess.Popen([binary, "run", "--config", cfg, "--log-level", "warning"], env=env, stdout=log, stderr=log)
        PROCS.append(p)
        procs.append(p)
    deadline = t0 + args.timeout
    while True:
        done = [filed(q) for q in queues]
        if done == counts:
            break
        for k, p in enumerate(procs):
            if p.poll() is not None:
                logs[k].flush()
                tail = open(logs[k].name, "rb").read().decode(errors="replace")[-3000:]
                fail(f"node {k} exited with {p.returncode}:\n{tail}")
        if time.monotonic() > deadline:
            fail(f"not done within {args.timeout} s: filed {done} of {counts}, {receiver.requests} requests")
        time.sleep(0.05)
    wall = time.monotonic() - t0
    time.sleep(0.5)  # a late double would arrive now
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        PROCS.remove(p)
    for log in logs:
        log.close()
    with receiver.lock:
        delivered = len(receiver.pairs)
        split = sum(1 for ids in receiver.pairs.values() if len(ids) > 1)
        span = (receiver.last - receiver.first) if receiver.first else 0
        row = dict(requests=receiver.requests, repeats=receiver.repeats, split=split, delivered=delivered,
                   max_inflight=receiver.max_inflight, span=span)
    if delivered != args.posts:
        fail(f"{delivered} of {args.posts} posts arrived")
    if database:
        drop_database(database)
    shutil.rmtree(work, ignore_errors=True)
    DIRS.remove(work)
    row.update(wall=wall, rate=args.posts / span if span else 0, load=f"{load0}/{load()}")
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--posts", type=int, default=800)
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--nodes", default="1,2,3")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds the receiver takes to answer")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--lease", default="10s")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--no-sqlite", action="store_true", help="skip the single-node SQLite row")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        fail(f"{binary} is not an executable crier")
    read_pg_env()
    receiver = Receiver(args.delay)
    print(f"`uptime` before: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"{args.posts} posts, {args.channels} webhook channels with max_in_flight 1 per daemon, receiver answers after "
          f"{args.delay * 1000:.0f} ms: ceiling {args.channels / args.delay:.0f} deliveries/s per daemon\n", flush=True)
    plan = ([("sqlite", 1)] if not args.no_sqlite else []) + [("postgres", int(n)) for n in args.nodes.split(",")]
    rows = []
    for r in range(args.rounds):
        for store, nodes in plan:
            row = run_row(binary, store, nodes, args, receiver)
            rows.append((store, nodes, r + 1, row))
            print(f"  {store} x{nodes} round {r + 1}: {row['rate']:.1f} deliveries/s, wall {row['wall']:.2f} s, "
                  f"{row['repeats'] + row['split']} doubles, max in flight {row['max_inflight']}, load {row['load']}", flush=True)
    print()
    single = {r: row['rate'] for store, nodes, r, row in rows if store == "postgres" and nodes == 1}
    print("| store | daemons | round | deliveries/s | vs 1 node | wall s | requests | doubles | max in flight | load before/after |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for store, nodes, r, row in rows:
        ratio = f"{row['rate'] / single[r]:.2f}x" if single.get(r) else "-"
        print(f"| {store} | {nodes} | {r} | {row['rate']:.1f} | {ratio} | {row['wall']:.2f} | {row['requests']} | "
              f"{row['repeats'] + row['split']} | {row['max_inflight']} | {row['load']} |")
    doubles = sum(row['repeats'] + row['split'] for _, _, _, row in rows)
    crowded = [(store, nodes) for store, nodes, _, row in rows if row['max_inflight'] > nodes]
    if doubles or crowded:
        fail(f"{doubles} doubles; more in flight on one channel than daemons in {crowded}")
    print(f"\n`uptime` after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    try:
        main()
    except BenchFailure as error:
        print(f"scaleout: {error}", file=sys.stderr)
        sys.exit(1)
