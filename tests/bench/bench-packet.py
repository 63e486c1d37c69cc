#!/usr/bin/python3
"""bench-packet: letters and emails per second of 'optout packet' for one person.

Runs the packet over the curated records (today's default) and over every
registered broker (--scope registered, about 600 brokers), and prints the
items written per second for each: the registry's growth must not make a
letter slower to write.  A benchmark, never part of `make check`.
"""
import os, shutil, subprocess, sys, tempfile, time

top = os.environ.get("OPTOUT_DATADIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
optout = os.environ.get("OPTOUT") or os.path.join(os.getcwd(), "optout")
profile = os.path.join(top, "letters", "examples", "profile.json")
work = tempfile.mkdtemp(prefix="optout-bench-packet-")
# The validation cache goes with the run's folder, not into the user's ~/.cache.
env = dict(os.environ, OPTOUT_DATADIR=top, OPTOUT_TODAY="2026-11-22", NO_COLOR="1",
           XDG_CACHE_HOME=os.path.join(work, "cache"))
try:
    rates = {}
    for scope in ("curated", "registered"):
        out = os.path.join(work, scope)
        t0 = time.monotonic()
        c0 = os.times()
        subprocess.run([optout, "packet", "-p", profile, "--scope", scope, "-o", out,
                        "--no-ledger"], env=env, check=True, stdout=subprocess.DEVNULL)
        c1 = os.times()
        elapsed = time.monotonic() - t0
        cpu = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
        # One file per request: a letter's PDF, an email's .eml, a web or phone sheet.
        kinds = {"letters": ".pdf", "emails": ".eml", "web": ".txt", "phone": ".txt"}
        items = 0
        for sub, ext in kinds.items():
            d = os.path.join(out, sub)
            if os.path.isdir(d):
                items += len([f for f in os.listdir(d) if f.endswith(ext)])
        rates[scope] = items / cpu if cpu > 0 else 0
        print("packet --scope %-10s %5d requests in %.1f s elapsed, %.1f s processor: %.0f requests/s of processor time"
              % (scope, items, elapsed, cpu, rates[scope]))
    print("registered vs curated rate: %.2f (must be >= 1.0 within noise)"
          % (rates["registered"] / rates["curated"] if rates["curated"] else 0))
finally:
    shutil.rmtree(work)
