#!/usr/bin/env python3
"""Idle cost of a large backlog: CPU seconds per minute and RSS of `crier run` holding N posts
scheduled far ahead, with the systemd notify socket set (so the status heartbeat runs), measured over
60 s after READY=1 and the first pick-up. Give one or more binaries to compare them side by side:

    python3 bench/idle.py 20000 /tmp/crier-before .build/debug/crier
"""
import os, socket, subprocess, sys, time, tempfile, threading, shutil
def run(binary, queue_src, seconds=60):
    work = tempfile.mkdtemp(prefix="idle.")
    shutil.copytree(queue_src, work + "/queue")
    cfg = work + "/crier.yml"
    open(cfg, "w").write(f"queue: {work}/queue\ntimezone: UTC\ndelivery: {{ rescan: 30s }}\nchannels:\n  ops:\n    platform: webhook\n    url: http://127.0.0.1:9/hook\n")
    sock_path = work + "/notify"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sock_path)
    ready = threading.Event()
    def drain():
        while True:
            try: m = s.recv(4096)
            except OSError: return
            if b"READY=1" in m: ready.set()
    threading.Thread(target=drain, daemon=True).start()
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    p = subprocess.Popen([binary, "run", "--config", cfg, "--log-level", "warning"], env=env, stderr=subprocess.DEVNULL)
    ready.wait(300); time.sleep(20)  # past the first pick-up
    def cpu():
        f = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    c0 = cpu(); time.sleep(seconds); c1 = cpu()
    rss = [l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS")][0].split()[1]
    p.terminate(); p.wait(); s.close(); shutil.rmtree(work)
    return (c1 - c0) * 60 / seconds, int(rss) // 1024
src = tempfile.mkdtemp(prefix="idleq."); os.makedirs(src + "/q")
n = int(sys.argv[1])
for i in range(n):
    open(f"{src}/q/p{i:06d}.md", "w").write(f"---\nchannels: [ops]\nat: 2031-01-01T09:00:00Z\n---\nPost number {i} waits for next year.\n")
print(f"{n} posts a long way ahead; CPU-s per minute of idle (60 s after READY+20 s), RSS MiB")
for name in sys.argv[2:]:
    cpu, rss = run(name, src + "/q")
    print(f"{name:<22} {cpu:6.3f} CPU-s/min   RSS {rss} MiB")
shutil.rmtree(src)
