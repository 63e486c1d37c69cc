#!/usr/bin/python3
"""bench-start: how long one-shot commands take from exec to exit.

Runs each command 30 times (after one warm-up run that fills the validation
cache) and prints the median elapsed and processor time.  Target (#17):
plan, letter and brokers list under 15 ms when they do not touch the
network.  On a shared machine the processor time says more than the
elapsed time.  A benchmark, never part of `make check`.
"""
import os, shutil, subprocess, sys, tempfile, time

top = os.environ.get("OPTOUT_DATADIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
optout = os.environ.get("OPTOUT") or os.path.join(os.getcwd(), "optout")
profile = os.path.join(top, "letters", "examples", "profile.json")
RUNS = 30
work = tempfile.mkdtemp(prefix="optout-bench-start-")
env = dict(os.environ, OPTOUT_DATADIR=top, OPTOUT_TODAY="2026-11-22", NO_COLOR="1",
           XDG_CACHE_HOME=os.path.join(work, "cache"), XDG_DATA_HOME=os.path.join(work, "data"),
           XDG_CONFIG_HOME=os.path.join(work, "config"))
pdf = os.path.join(work, "letter.pdf")
cases = [
    ("--version", ["--version"]),
    ("plan -b (one broker)", ["plan", "-p", profile, "-b", "acxiom"]),
    ("letter -b (PDF)", ["letter", "-p", profile, "-b", "acxiom", "-r", "delete", "-o", pdf]),
    ("letter -b -f txt", ["letter", "-p", profile, "-b", "acxiom", "-r", "delete", "-f", "txt"]),
    ("brokers list (all)", ["brokers", "list"]),
]


def once(args):
    """Run optout once; give (elapsed, processor) seconds."""
    t0 = time.monotonic()
    p = subprocess.Popen([optout] + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    elapsed = time.monotonic() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("bench-start: optout %s failed: %s" % (" ".join(args), err.decode()[:300]))
    return elapsed, ru.ru_utime + ru.ru_stime


try:
    for label, args in cases:
        once(args)
        runs = [once(args) for _ in range(RUNS)]
        wall = sorted(r[0] for r in runs)
        cpu = sorted(r[1] for r in runs)
        print("start-up %-22s median %5.1f ms elapsed (best %5.1f), median %5.1f ms processor (target < 15 ms)"
              % (label, wall[RUNS // 2] * 1e3, wall[0] * 1e3, cpu[RUNS // 2] * 1e3))
        sys.stdout.flush()
finally:
    shutil.rmtree(work)
