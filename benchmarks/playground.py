"""Frames per second per playground session with 1 and with 8 sessions streaming at once, and the
server's memory meanwhile.

    python benchmarks/playground.py [--seconds 30] [--sessions 1 8]

Each session is a scripted tab that presses play and acknowledges every frame as soon as it arrives (a
browser acknowledges after painting, so a real tab is at most this fast). Default config: the spiral,
a 2-16-16-3 tanh network, Adam, 10 steps per frame.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from glassgrad.web import running  # noqa: E402
from tests.web.helpers import Tab, stats, wait_for_sessions  # noqa: E402


def tab(url, seconds, out, i, ready):
    t = Tab(url)
    t.until("frame")
    ready.wait()
    t.send({"type": "play"})
    t.frames, start = 0, time.monotonic()
    steps = 0
    while time.monotonic() - start < seconds:
        steps = t.until("frame")["counters"]["step"]
    out[i] = (t.frames / (time.monotonic() - start), steps)
    t.close()


def measure(url, sessions, seconds):
    out, ready = [None] * sessions, threading.Event()
    threads = [threading.Thread(target=tab, args=(url, seconds, out, i, ready)) for i in range(sessions)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    base = stats(url)["rss_mb"]
    ready.set()
    peak = base
    while any(t.is_alive() for t in threads):
        peak = max(peak, stats(url)["rss_mb"])
        time.sleep(0.25)
    after = wait_for_sessions(url, 0)
    fps = [o[0] for o in out]
    print(f"{sessions} session(s), {seconds:.0f} s: fps per session mean {sum(fps) / len(fps):.1f} "
          f"(min {min(fps):.1f}, max {max(fps):.1f}), steps per session {min(o[1] for o in out)}-"
          f"{max(o[1] for o in out)}; server memory {base:.0f} MiB at start, peak {peak:.0f} MiB, "
          f"{after['rss_mb']:.0f} MiB after; sessions left {after['sessions']}, recordings left "
          f"{after['recordings']}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()
    with running(runs_dir=tempfile.mkdtemp()) as url:
        for n in args.sessions:
            measure(url, n, args.seconds)


if __name__ == "__main__":
    main()
