#!/usr/bin/env python3
"""Soak: the real crier daemon under steady drops for a set time, against a loopback sink that fails
now and then; samples the daemon's RSS, open file descriptors, threads and CPU time every minute.

Run through bench/soak.sh, which builds the release binary first. Standard library only.

    soak.py --crier PATH --workdir DIR [--minutes 60] [--rate 3] [--fail 0.05] [--drain 180]

Everything talks to 127.0.0.1 only. The run is bounded: dropping stops after --minutes, the daemon
gets --drain seconds to finish, then SIGTERM (SIGKILL 30 s later), and the sink stops.
"""
import argparse
import base64
import hashlib
import hmac
import http.server
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SECRET_KEY = b"crier soak signing key, 32 bytes"
SECRET = "whsec_" + base64.b64encode(SECRET_KEY).decode()


class Sink:
    """Counts what arrives: answered 2xx, answered 503, bad signatures, ids accepted twice."""

    def __init__(self, fail_rate, seed):
        self.fail_rate = fail_rate
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.ok = 0
        self.failed = 0
        self.bad_signature = 0
        self.accepted_ids = set()
        self.accepted_twice = 0

    def answer(self, headers, body):
        """Returns (status, extra headers) for one request."""
        delivery = headers.get("webhook-id", "")
        stamp = headers.get("webhook-timestamp", "")
        signature = headers.get("webhook-signature", "")
        expected = "v1," + base64.b64encode(
            hmac.new(SECRET_KEY, f"{delivery}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
        with self.lock:
            if not hmac.compare_digest(signature, expected):
                self.bad_signature += 1
                return 400, {}
            if self.random.random() < self.fail_rate:
                self.failed += 1
                # Every other failure says when to come back, as a real overloaded receiver might.
                return 503, ({"Retry-After": "1"} if self.failed % 2 else {})
            self.ok += 1
            if delivery in self.accepted_ids:
                self.accepted_twice += 1
            self.accepted_ids.add(delivery)
            return 200, {}

    def counts(self):
        with self.lock:
            return self.ok, self.failed, self.bad_signature, self.accepted_twice


def make_handler(sink):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            status, extra = sink.answer(self.headers, body)
            reply = b'{"ok":true}' if status == 200 else b'{"error":"soak sink: try again later"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    return Handler


def proc_sample(pid):
    """RSS (kB), open fds, threads and CPU seconds (user + system) of a running process."""
    rss = threads = 0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    # After the command name: state is field 3, utime field 14, stime field 15 (1-based, proc(5)).
    cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return rss, fds, threads, cpu


def count_files(directory, suffix):
    try:
        return sum(1 for entry in os.scandir(directory) if entry.name.endswith(suffix))
    except FileNotFoundError:
        return 0


def file_size(path):
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def post_text(number):
    return (
        "---\n"
        "channels: [sink]\n"
        "tags: [soak, crier]\n"
        f"link: https://example.com/soak/{number}\n"
        "---\n"
        f"Soak post {number}: *steady* drops, a sink that fails now and then, and "
        f"[nothing sent twice](https://example.com/notes/{number}). {'x' * (number % 97)}\n"
    )


def dropper(queue, rate, stop_at, stop_event, counter):
    """Drops `rate` posts a second by atomic rename until stop_at (monotonic)."""
    period = 1.0 / rate
    next_at = time.monotonic()
    while not stop_event.is_set():
        now = time.monotonic()
        if now >= stop_at:
            return
        if now < next_at:
            stop_event.wait(min(next_at - now, stop_at - now))
            continue
        number = counter[0] + 1
        name = f"soak-{number:06d}.md"
        temporary = os.path.join(queue, f".{name}.tmp")
        with open(temporary, "w") as handle:
            handle.write(post_text(number))
        os.rename(temporary, os.path.join(queue, name))
        counter[0] = number
        next_at += period


def verdict_lines(rows, window):
    first = rows[1:window + 1]
    last = rows[-window:]
    rss_first = statistics.median(r["rss"] for r in first) / 1024
    rss_last = statistics.median(r["rss"] for r in last) / 1024
    fds_first = max(r["fds"] for r in first)
    fds_last = max(r["fds"] for r in last)
    threads_first = max(r["threads"] for r in first)
    threads_last = max(r["threads"] for r in last)
    cpu_first = statistics.mean(r["cpu_min"] for r in first)
    cpu_last = statistics.mean(r["cpu_min"] for r in last)
    sent_first = sum(r["sent_min"] for r in first) or 1
    sent_last = sum(r["sent_min"] for r in last) or 1
    per_post_first = 1000 * sum(r["cpu_min"] for r in first) / sent_first
    per_post_last = 1000 * sum(r["cpu_min"] for r in last) / sent_last
    # Least-squares slope of RSS over the whole run, in MB per hour.
    xs = [r["minute"] for r in rows]
    ys = [r["rss"] / 1024 for r in rows]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    sxx = sum((x - mx) ** 2 for x in xs) or 1
    slope = 60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx

    rss_grew = rss_last - rss_first > max(5.0, 0.10 * rss_first)
    # Descriptors and threads grow only if they are still rising in the second half of the run: a
    # pool that grows to what the load needs in the first minutes and then stays (Dispatch's worker
    # threads) is a plateau, not a leak.
    middle = rows[len(rows) // 2:-window] or first
    fds_grew = fds_last > fds_first + 2 and fds_last > max(r["fds"] for r in middle)
    threads_grew = threads_last > threads_first + 2 and threads_last > max(r["threads"] for r in middle)
    cpu_grew = per_post_last > 1.5 * per_post_first
    lines = [
        f"first {window} min (minutes 1-{window}) vs last {window} min "
        f"(minutes {rows[-window]['minute']}-{rows[-1]['minute']}):",
        f"  RSS median        {rss_first:8.1f} MB -> {rss_last:8.1f} MB  ({rss_last - rss_first:+.1f} MB)"
        f"   {'GROWING' if rss_grew else 'flat'}; whole-run slope {slope:+.2f} MB/h",
        f"  open fds max      {fds_first:8d}    -> {fds_last:8d}      {'GROWING' if fds_grew else 'flat'}",
        f"  threads max       {threads_first:8d}    -> {threads_last:8d}      {'GROWING' if threads_grew else 'flat'}",
        f"  CPU per minute    {cpu_first:8.2f} s  -> {cpu_last:8.2f} s",
        f"  CPU per post sent {per_post_first:8.2f} ms -> {per_post_last:8.2f} ms"
        f"  {'GROWING' if cpu_grew else 'flat'}",
    ]
    grew = rss_grew or fds_grew or threads_grew or cpu_grew
    lines.append("verdict: " + ("GROWTH (see the rows marked GROWING)" if grew else "FLAT: no growth in RSS, fds, threads or CPU per post"))
    return lines, grew


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crier", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--rate", type=float, default=3.0, help="posts dropped per second")
    parser.add_argument("--fail", type=float, default=0.05, help="share of requests answered 503")
    parser.add_argument("--drain", type=int, default=180, help="seconds to wait for the last posts")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.minutes < 2 or args.rate <= 0 or not 0 <= args.fail < 1:
        parser.error("need --minutes >= 2, --rate > 0, 0 <= --fail < 1")

    work = args.workdir
    queue = os.path.join(work, "queue")
    os.makedirs(queue, exist_ok=True)
    sink = Sink(args.fail, args.seed)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(sink))
    server.daemon_threads = True
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    config = os.path.join(work, "crier.yml")
    with open(config, "w") as handle:
        handle.write(
            f"queue: {queue}\n"
            "timezone: UTC\n"
            "defaults: { expire: 6h }\n"
            "retry: { max_attempts: 8, base: 1s, max_delay: 10s }\n"
            "channels:\n"
            "  sink:\n"
            "    platform: webhook\n"
            f"    url: http://127.0.0.1:{port}/hook\n"
            "    secret: env:CRIER_SOAK_SECRET\n")
    env = dict(os.environ, CRIER_SOAK_SECRET=SECRET)
    log = open(os.path.join(work, "crier.log"), "wb")
    daemon = subprocess.Popen([args.crier, "run", "--config", config, "--log-level", "warning"],
                              stdout=log, stderr=subprocess.STDOUT, env=env)
    print(f"soak: crier pid {daemon.pid}, sink http://127.0.0.1:{port}/hook answering 503 to "
          f"{args.fail:.0%}, {args.rate:g} posts/s for {args.minutes} min, work dir {work}", flush=True)

    rows = []
    stop_event = threading.Event()
    dropped = [0]
    grew = True
    try:
        time.sleep(1.0)
        if daemon.poll() is not None:
            raise SystemExit(f"soak: crier exited at once ({daemon.returncode}); see {work}/crier.log")
        start = time.monotonic()
        stop_at = start + args.minutes * args.interval
        drop_thread = threading.Thread(target=dropper, args=(queue, args.rate, stop_at, stop_event, dropped), daemon=True)
        drop_thread.start()
        header = (f"{'min':>4} {'rss MB':>7} {'fds':>4} {'thr':>4} {'cpu s':>8} {'cpu/min':>7} {'dropped':>8} "
                  f"{'sent':>8} {'sent/min':>8} {'pending':>7} {'2xx':>7} {'503':>6} {'db MB':>6} {'wal MB':>6}")
        print(header, flush=True)
        previous_cpu = previous_sent = 0.0
        for minute in range(args.minutes + 1):
            target = start + minute * args.interval
            while (left := target - time.monotonic()) > 0:
                time.sleep(min(left, 1.0))
                if daemon.poll() is not None:
                    raise SystemExit(f"soak: crier exited ({daemon.returncode}) at minute {minute}; see {work}/crier.log")
            rss, fds, threads, cpu = proc_sample(daemon.pid)
            sent = count_files(os.path.join(queue, "sent"), ".receipt.json")
            pending = count_files(queue, ".md")
            ok, failed, _, _ = sink.counts()
            journal = file_size(os.path.join(queue, ".crier", "journal.sqlite")) / 1e6
            wal = file_size(os.path.join(queue, ".crier", "journal.sqlite-wal")) / 1e6
            row = dict(minute=minute, rss=rss, fds=fds, threads=threads, cpu=cpu, cpu_min=cpu - previous_cpu,
                       dropped=dropped[0], sent=sent, sent_min=sent - previous_sent, pending=pending, ok=ok,
                       failed=failed, journal=journal, wal=wal)
            rows.append(row)
            previous_cpu, previous_sent = cpu, sent
            print(f"{minute:4d} {rss / 1024:7.1f} {fds:4d} {threads:4d} {cpu:8.2f} {row['cpu_min']:7.2f} "
                  f"{dropped[0]:8d} {sent:8d} {row['sent_min']:8.0f} {pending:7d} {ok:7d} {failed:6d} {journal:6.2f} {wal:6.2f}",
                  flush=True)
        stop_event.set()
        drop_thread.join()

        # Drain: every dropped post filed in sent/.
        deadline = time.monotonic() + args.drain
        while time.monotonic() < deadline:
            if count_files(os.path.join(queue, "sent"), ".receipt.json") >= dropped[0]:
                break
            time.sleep(1.0)
        sent = count_files(os.path.join(queue, "sent"), ".receipt.json")
        ok, failed, bad_signature, accepted_twice = sink.counts()
        rss, fds, threads, cpu = proc_sample(daemon.pid)
        print()
        print(f"after {args.minutes} min (+ up to {args.drain} s to drain): dropped {dropped[0]}, sent/ holds "
              f"{sent} receipts, failed/ {count_files(os.path.join(queue, 'failed'), '.receipt.json')}, "
              f"rejected/ {count_files(os.path.join(queue, 'rejected'), '.md')}, pending {count_files(queue, '.md')}")
        print(f"sink: {ok} answered 2xx, {failed} answered 503, {bad_signature} bad signatures, "
              f"{accepted_twice} deliveries accepted twice (same webhook-id)")
        print(f"daemon at the end: RSS {rss / 1024:.1f} MB, {fds} fds, {threads} threads, CPU {cpu:.1f} s")
        window = min(10, (len(rows) - 1) // 2)
        lines, grew = verdict_lines(rows, window)
        print("\n".join(lines))
        complete = sent == dropped[0] and accepted_twice == 0 and bad_signature == 0
        print("delivery: " + ("every dropped post sent once" if complete else "INCOMPLETE or DOUBLED (see above)"))
        with open(os.path.join(work, "soak.tsv"), "w") as handle:
            keys = list(rows[0].keys())
            handle.write("\t".join(keys) + "\n")
            for row in rows:
                handle.write("\t".join(str(row[key]) for key in keys) + "\n")
        grew = grew or not complete
    finally:
        stop_event.set()
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        server.shutdown()
        log.close()
    levels = {}
    with open(os.path.join(work, "crier.log"), errors="replace") as handle:
        for line in handle:
            for level in ("critical", "error", "warning"):
                if f" {level} " in line[:40]:
                    levels[level] = levels.get(level, 0) + 1
                    break
    print(f"crier exited {daemon.returncode}; log lines by level: {levels or 'none'} ({work}/crier.log)")
    return 1 if grew else 0


if __name__ == "__main__":
    sys.exit(main())
