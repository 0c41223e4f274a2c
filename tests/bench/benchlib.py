#!/usr/bin/env python3
"""Helpers for the benchmark scripts in tests/bench (not a test; not in ctest).

Subcommands (each prints plain text or one JSON object on stdout):
  tree DIR COUNT [SIZE [flat]]   make COUNT files of SIZE bytes (default 100), 100 per folder,
                                 in d###/e#/ (or d###/ when "flat")
  stats FILE                     n/min/median/p90/max/mean of the numbers in FILE (one a line)
  hyperfine JSON                 the same, in ms, for the first result of `hyperfine --export-json`
  s3count LOG                    requests in an s3rver log (lines with "<status> <n>ms"),
                                 once the log has stopped growing for 0.5 s (it lags)
  sigterm LOG READY -- CMD...    start CMD, wait for READY ("a|b": all) in LOG, SIGTERM it,
                                 print ms and rc
  latency SRC DST COUNT [LOG START END [SUFFIX]]
                                 write COUNT new files in SRC, poll DST every 10 ms for each;
                                 before each write wait until LOG has as many END lines as
                                 START lines ("a|b": either), then 0.5 s
  waitlog LOG PATTERN SECONDS    poll LOG every 10 ms; print time.time_ns() when PATTERN shows
  watches PID                    inotify watches PID holds (from /proc/PID/fdinfo)
  sample PID SECONDS [LOG PATTERN]  CPU, RSS and log-pattern counts of PID over SECONDS

Timings use time.monotonic(); every wait is bounded.
"""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def summarize(values):
    """n, min, median, p90 (nearest rank), max and mean of a non-empty list."""
    v = sorted(values)
    if not v:
        return {"n": 0}
    p90 = v[min(len(v) - 1, max(0, int(round(0.9 * len(v) + 0.5)) - 1))]
    return {
        "n": len(v),
        "min": v[0],
        "median": statistics.median(v),
        "p90": p90,
        "max": v[-1],
        "mean": statistics.fmean(v),
    }


def make_tree(root, count, size=100, flat=False):
    """COUNT files of SIZE bytes below ROOT, 100 files per leaf folder; leaves are d###/e#
    (10 per top folder), or d### when FLAT."""
    payload = os.urandom(size)
    made = set()
    for i in range(count):
        if flat:
            d = os.path.join(root, "d%03d" % (i // 100))
        else:
            d = os.path.join(root, "d%03d" % (i // 1000), "e%d" % ((i // 100) % 10))
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        with open(os.path.join(d, "f%06d.bin" % i), "wb") as f:
            f.write(payload[: size - 8] + i.to_bytes(8, "little"))


def proc_cpu_seconds(pid):
    """utime+stime of PID and cutime+cstime (its waited-for children), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime is field 14.
    ut, st, cut, cst = (int(fields[i]) for i in (11, 12, 13, 14))
    return (ut + st) / CLK_TCK, (cut + cst) / CLK_TCK


def proc_mem_kb(pid):
    """VmRSS and VmHWM of PID in KiB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out.get("VmRSS", 0), out.get("VmHWM", 0)


def count_in(path, pattern):
    try:
        with open(path, errors="replace") as f:
            return sum(1 for line in f if pattern in line)
    except FileNotFoundError:
        return 0


def wait_for_text(path, text, timeout, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count_in(path, text) > 0:
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.01)
    return False


def s3_requests(log):
    """Request lines in an s3rver log, counted once the log has been still for 0.5 s."""
    pat = re.compile(r" [0-9]{3} [0-9]+ms")
    deadline = time.monotonic() + 30
    size, still_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_size = os.path.getsize(log)
        if now_size != size:
            size, still_since = now_size, time.monotonic()
        elif time.monotonic() - still_since >= 0.5:
            break
        time.sleep(0.05)
    with open(log, errors="replace") as f:
        return sum(1 for line in f if pat.search(line))


def cmd_sigterm(argv):
    log, ready = argv[0], argv[1]
    cmd = argv[argv.index("--") + 1 :]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    if not all(wait_for_text(log, r, 60, proc) for r in ready.split("|")):
        proc.kill()
        proc.wait()
        print(json.dumps({"error": "never ready", "rc": proc.returncode}))
        return 1
    time.sleep(0.3)  # let start-up work settle: we time an idle daemon
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    ms = (time.monotonic() - t0) * 1000
    print(json.dumps({"ms": round(ms, 2), "rc": 128 - rc if rc < 0 else rc}))
    return 0


def cmd_latency(argv):
    src, dst, count = argv[0], argv[1], int(argv[2])
    busy = argv[3:6] if len(argv) >= 6 else None
    suffix = argv[6] if len(argv) >= 7 else ""  # s3rver keeps KEY as KEY._S3rver_object
    leaves = sorted(
        os.path.relpath(r, src) for r, dirs, _ in os.walk(src) if not dirs
    )
    lat = []
    misses = 0
    for k in range(count):
        settle(busy)
        rel = os.path.join(leaves[(k * 7) % len(leaves)], "lat_%d_%d.txt" % (os.getpid(), k))
        target = os.path.join(dst, rel) + suffix
        t0 = time.monotonic()
        with open(os.path.join(src, rel), "w") as f:
            f.write("change %d\n" % k)
        deadline = t0 + 120
        while not os.path.exists(target) and time.monotonic() < deadline:
            time.sleep(0.01)
        if os.path.exists(target):
            lat.append((time.monotonic() - t0) * 1000)
        else:
            misses += 1
    out = summarize(lat)
    out["misses"] = misses
    out["all_ms"] = [round(x) for x in lat]
    print(json.dumps(out))
    return 0


def count_any(path, patterns):
    return sum(count_in(path, p) for p in patterns.split("|"))


def settle(busy):
    """Wait (up to 120 s) until the tool logging to busy[0] has finished every run it started
    (count of busy[1] lines == count of busy[2] lines), then 0.5 s more."""
    if busy:
        log, start, end = busy
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if count_any(log, start) <= count_any(log, end):
                break
            time.sleep(0.02)
    time.sleep(0.5)


def cmd_waitlog(argv):
    log, pattern, seconds = argv[0], argv[1], float(argv[2])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if count_any(log, pattern) > 0:
            print(time.time_ns())
            return 0
        time.sleep(0.01)
    return 1


def cmd_watches(argv):
    pid = int(argv[0])
    total = 0
    fd_dir = "/proc/%d/fdinfo" % pid
    for fd in os.listdir(fd_dir):
        try:
            with open(os.path.join(fd_dir, fd)) as f:
                total += sum(1 for line in f if line.startswith("inotify wd:"))
        except OSError:
            pass
    print(total)
    return 0


def cmd_sample(argv):
    """CPU seconds, launches (lines matching PATTERN, "a|b": either) and memory of PID over
    SECONDS (sampled every 0.5 s)."""
    pid, seconds = int(argv[0]), float(argv[1])
    log, pattern = (argv[2], argv[3]) if len(argv) > 3 else ("", "")
    own0, kids0 = proc_cpu_seconds(pid)
    n0 = count_any(log, pattern) if log else 0
    max_rss = 0
    t_end = time.monotonic() + seconds
    while time.monotonic() < t_end:
        rss, _ = proc_mem_kb(pid)
        max_rss = max(max_rss, rss)
        time.sleep(0.5)
    own1, kids1 = proc_cpu_seconds(pid)
    rss, hwm = proc_mem_kb(pid)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_s": round(own1 - own0, 3),
                "children_cpu_s": round(kids1 - kids0, 3),
                "launches": (count_any(log, pattern) - n0) if log else None,
                "rss_kb": rss,
                "max_rss_kb": max(max_rss, rss),
                "hwm_kb": hwm,
            }
        )
    )
    return 0


def main(argv):
    cmd, rest = argv[1], argv[2:]
    if cmd == "tree":
        make_tree(
            rest[0],
            int(rest[1]),
            int(rest[2]) if len(rest) > 2 else 100,
            len(rest) > 3 and rest[3] == "flat",
        )
    elif cmd == "stats":
        with open(rest[0]) as f:
            vals = [float(x) for x in f.read().split()]
        print(json.dumps(summarize(vals)))
    elif cmd == "hyperfine":
        with open(rest[0]) as f:
            times = json.load(f)["results"][0]["times"]
        print(json.dumps({k: (v if k == "n" else round(v * 1000, 3)) for k, v in summarize(times).items()}))
    elif cmd == "s3count":
        print(s3_requests(rest[0]))
    elif cmd == "sigterm":
        return cmd_sigterm(rest)
    elif cmd == "latency":
        return cmd_latency(rest)
    elif cmd == "sample":
        return cmd_sample(rest)
    elif cmd == "waitlog":
        return cmd_waitlog(rest)
    elif cmd == "watches":
        return cmd_watches(rest)
    else:
        print("unknown subcommand " + cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
