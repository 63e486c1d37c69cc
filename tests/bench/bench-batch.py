#!/usr/bin/python3
"""bench-batch: a batch of N clients x 10 brokers, postal letters only.

Prints, for 100 and 1,000 clients, letters per second and the peak memory
of the optout process.  Memory must not grow with the number of clients:
the last line compares the two.  A benchmark, never part of `make check`.
"""
import json, os, resource, shutil, subprocess, sys, tempfile, time

top = os.environ.get("OPTOUT_DATADIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
optout = os.environ.get("OPTOUT") or os.path.join(os.getcwd(), "optout")
sizes = [int(x) for x in (sys.argv[1:] or ["100", "1000"])]

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
    results = {}
    for n in sizes:
        csv = os.path.join(work, "clients-%d.csv" % n)
        states = [("Los Angeles", "CA", "900"), ("Portland", "OR", "972"), ("Chicago", "IL", "606")]
        with open(csv, "w") as f:
            f.write("label,given,family,street,city,region,postal_code,country\n")
            for i in range(n):
                c, st, z = states[i % 3]
                f.write("b-%05d,Given%d,Núñez%d,%d Example Way,%s,%s,%s%02d,US\n" % (i, i, i, i + 1, c, st, z, i % 90))
        out = os.path.join(work, "out-%d" % n)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        p = subprocess.run([optout, "batch", "-c", csv, "-b", ",".join(ids), "-r", "delete",
                            "-o", out, "--ledger", os.path.join(work, "l-%d.db" % n)],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.monotonic() - t0
        if p.returncode != 0:
            sys.exit("bench-batch: optout batch failed: " + p.stderr.decode()[:500])
        # ru_maxrss of children is the largest child so far: runs go smallest first.
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        letters = n * len(ids)
        results[n] = peak
        print("batch %5d clients x 10 brokers: %6d letters in %6.2f s = %7.1f letters/s, peak memory %6.1f MB"
              % (n, letters, elapsed, letters / elapsed, peak / 1024.0))
        sys.stdout.flush()
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        print("peak memory %d clients / %d clients: %.2fx (should stay near 1)" % (b, a, results[b] / results[a]))
finally:
    shutil.rmtree(work)
