#!/usr/bin/python3
"""bench-batch: a batch of N clients x 10 brokers, postal letters only.

Prints, for 100, 1,000 and 3,000 clients, letters per second and the peak
memory of the optout process (target: flat, <= 25 MB at 3,000 clients).
Then the flushes a 100-client batch makes (counted with strace: the same on
any disk), and the same 300-client batch run as it is and with every flush
disabled (the nosync.so shim, like eatmydata): durability may cost at most 1.3x.
A benchmark, never part of `make check`.
"""
import json, os, resource, shutil, subprocess, sys, tempfile, time

top = os.environ.get("OPTOUT_DATADIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
optout = os.environ.get("OPTOUT") or os.path.join(os.getcwd(), "optout")
sizes = [int(x) for x in (sys.argv[1:] or ["100", "1000", "3000"])]
nosync = os.environ.get("NOSYNC_SO")

work = tempfile.mkdtemp(prefix="optout-bench-")
try:
    data = os.path.join(work, "data")
    os.makedirs(os.path.join(data, "brokers"))
    os.symlink(os.path.join(top, "letters"), os.path.join(data, "letters"))
    shutil.copy(os.path.join(top, "brokers", "schema.json"), os.path.join(data, "brokers"))
    ids = []
    for i in range(10):
        bid = "bench-broker-%02d" % i
        ids.append(bid)
        rec = {
            "id": bid, "name": "Bench Broker %d" % i, "categories": ["people-search"],
            "sells_to_government": False, "procedures": [{
                "id": "delete-postal", "request": "delete", "laws": ["ccpa", "us-state", "voluntary"],
                "channel": "postal", "postal": {"recipient": "Bench Broker %d, Privacy" % i,
                "street": ["%d Example Road" % (100 + i)], "city": "Austin", "region": "TX",
                "postal_code": "78701", "country": "US"},
                "requires": ["name", "address"], "captcha": False, "status": "current",
                "sources": [{"ref": "benchmark fixture", "as_of": "2026-11-01"}]}],
            "caveats": [], "verified": "2026-11-01"}
        with open(os.path.join(data, "brokers", bid + ".json"), "w") as f:
            json.dump(rec, f)
    env = dict(os.environ, OPTOUT_DATADIR=data, OPTOUT_TODAY="2026-11-22", NO_COLOR="1",
               XDG_CACHE_HOME=os.path.join(work, "cache"))

    def clients_csv(n):
        """The client list of n clients (written once)."""
        csv = os.path.join(work, "clients-%d.csv" % n)
        if not os.path.exists(csv):
            states = [("Los Angeles", "CA", "900"), ("Portland", "OR", "972"), ("Chicago", "IL", "606")]
            with open(csv, "w") as f:
                f.write("label,given,family,street,city,region,postal_code,country\n")
                for i in range(n):
                    c, st, z = states[i % 3]
                    f.write("b-%05d,Given%d,Núñez%d,%d Example Way,%s,%s,%s%02d,US\n" % (i, i, i, i + 1, c, st, z, i % 90))
        return csv

    def run_batch(n, tag, preload=None):
        """Run one batch of n clients; give (elapsed seconds, peak memory in KB)."""
        csv = clients_csv(n)
        out = os.path.join(work, "out-%d-%s" % (n, tag))
        e = dict(env)
        if preload:
            e["LD_PRELOAD"] = preload
        t0 = time.monotonic()
        p = subprocess.Popen([optout, "batch", "-c", csv, "-b", ",".join(ids), "-r", "delete",
                              "-o", out, "--ledger", os.path.join(work, "l-%d-%s.db" % (n, tag))],
                             env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - t0
        cpu = ru.ru_utime + ru.ru_stime
        if p.returncode != 0:
            sys.exit("bench-batch: optout batch failed: " + err.decode()[:500])
        shutil.rmtree(out)
        return elapsed, cpu, ru.ru_maxrss

    results = {}
    for n in sizes:
        elapsed, _, peak = run_batch(n, "mem")
        letters = n * len(ids)
        results[n] = peak
        print("batch %5d clients x 10 brokers: %6d letters in %6.2f s = %7.1f letters/s, peak memory %6.1f MB (target <= 25 MB)"
              % (n, letters, elapsed, letters / elapsed, peak / 1024.0))
        sys.stdout.flush()
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        print("peak memory %d clients / %d clients: %.2fx (should stay near 1)" % (b, a, results[b] / results[a]))
    strace = shutil.which("strace")
    if strace:
        # Flushes counted, not timed: the same on any disk.  Each client's
        # packet is flushed once and its ledger requests are one commit.
        n = 100
        csv = clients_csv(n)
        out = os.path.join(work, "out-strace")
        log = os.path.join(work, "strace.txt")
        subprocess.run([strace, "-f", "-c", "-o", log, "-e", "trace=fsync,fdatasync,syncfs",
                        optout, "batch", "-c", csv, "-b", ",".join(ids), "-r", "delete", "-o", out,
                        "--ledger", os.path.join(work, "l-strace.db")],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        flushes = 0
        for line in open(log):
            f = line.split()
            if len(f) >= 5 and f[-1] in ("fsync", "fdatasync", "syncfs"):
                flushes += int(f[3])
        print("batch %d clients x 10 brokers: %d flushes = %.1f per client (packet and ledger, each once per client)"
              % (n, flushes, flushes / n))
        sys.stdout.flush()
        shutil.rmtree(out)
    if nosync and os.path.exists(nosync):
        n = 300
        # Best of three each, alternating: the machine is shared, elapsed time is noisy.
        synced, unsynced = [], []
        for _ in range(3):
            synced.append(run_batch(n, "synced")[:2])
            unsynced.append(run_batch(n, "nosync", nosync)[:2])
        s, u = min(synced), min(unsynced)
        print("batch %d clients, durable: %.2f s (%.2f s processor); every flush disabled: %.2f s (%.2f s processor); "
              "ratio %.2fx elapsed (target <= 1.3x)" % (n, s[0], s[1], u[0], u[1], s[0] / u[0]))
finally:
    shutil.rmtree(work)
