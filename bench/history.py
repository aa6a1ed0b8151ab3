#!/usr/bin/env python3
"""crier log over a month of a busy queue: how long the history queries take.

Builds a queue whose journal holds 30 days of history for 1,000 posts a day on 5 channels (queued,
approved on one channel, sent on each: 7 lines a post, 210,000 lines), then times the real binary:
`crier log --since 30d` (the newest 1,000 lines), `crier log --since 1d`, and `crier log POST` for
one post. Prints a table (median of 5 runs each).

    python3 bench/history.py [path/to/crier]     # default .build/release/crier, else .build/debug/crier
"""
import os, random, shutil, sqlite3, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
crier = sys.argv[1] if len(sys.argv) > 1 else next(
    p for p in (os.path.join(root, ".build/release/crier"), os.path.join(root, ".build/debug/crier")) if os.path.exists(p))
work = tempfile.mkdtemp(prefix="crier-history-bench.")
queue = os.path.join(work, "queue")
os.makedirs(queue)
config = os.path.join(work, "crier.yml")
with open(config, "w") as f:
    f.write(f"queue: {queue}\ntimezone: UTC\nchannels:\n  ops:\n    platform: webhook\n    url: http://127.0.0.1:9/hook\n")
# The journal is made (and migrated) by crier itself: a pause and a resume.
for command in (["pause", "--reason", "bench"], ["resume"]):
    subprocess.run([crier, *command, "--config", config], check=True, capture_output=True)
journal = os.path.join(queue, ".crier", "journal.sqlite")
db = sqlite3.connect(journal)
now = time.time()
rows = []
channels = ["ops", "mastodon", "bluesky", "linkedin", "matrix"]
for day in range(30):
    for n in range(1000):
        post = f"post-{day:02d}-{n:04d}"
        at = now - (30 - day) * 86400 + n * 86.4
        rows.append((at, post, None, "alice", "queued", post + ".md"))
        rows.append((at + 60, post, "linkedin", "bob", "approved", "looks good"))
        for i, channel in enumerate(channels):
            rows.append((at + 600 + i, post, channel, "crier", "sent", f"https://example.com/{post}/{channel}"))
db.executemany("INSERT INTO event_log (at, post_id, channel, actor, action, detail) VALUES (?, ?, ?, ?, ?, ?)", rows)
db.commit()
db.close()

def timed(arguments):
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        result = subprocess.run([crier, "log", *arguments, "--config", config], capture_output=True, text=True)
        runs.append(time.perf_counter() - started)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.count("\n")
    return statistics.median(runs), max(runs), lines

print(f"history: {len(rows):,} lines over 30 days in {journal}")
print(f"{'query':<40} {'median s':>9} {'max s':>7} {'lines':>7}")
for label, arguments in [("crier log --since 30d (newest 1,000)", ["--since", "30d"]),
                         ("crier log --since 1d", ["--since", "1d", "--limit", "100000"]),
                         ("crier log --since 30d --json", ["--since", "30d", "--json"]),
                         ("crier log post-15-0500", ["post-15-0500"])]:
    median, worst, lines = timed(arguments)
    print(f"{label:<40} {median:>9.3f} {worst:>7.3f} {lines:>7}")
shutil.rmtree(work)
