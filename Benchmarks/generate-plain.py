#!/usr/bin/env python3
"""Writes the same log records three ways for the plain-text benchmark: JSON lines,
plain text with an ISO time (`2025-11-25 10:00:00.123 INFO [svc] msg trace_id=…`) and
plain text with a year-less logcat-style time (`11-25 10:00:00.123  pid  tid I svc: msg`),
with a stack trace after about one record in 200 (continuation lines).
Deterministic from a seed. Usage: generate-plain.py OUT_PREFIX SIZE_MIB [SEED]
writes OUT_PREFIX.ndjson, OUT_PREFIX.iso.log and OUT_PREFIX.logcat.log; SIZE_MIB sizes
the JSON file, the text files hold the same records."""
import random, sys

def main():
    prefix, size_mib = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 11)
    services = ["frontend", "api-gateway", "checkout", "cart", "payment", "inventory", "shipping",
                "notification", "auth", "search", "recommendation", "ads"]
    levels = ["INFO"] * 80 + ["DEBUG"] * 10 + ["WARN"] * 8 + ["ERROR"] * 2
    letters = {"INFO": "I", "DEBUG": "D", "WARN": "W", "ERROR": "E"}
    msgs = ["request completed", "cache miss for key {k}", "charge failed: connection refused to {h}",
            "user {u} logged in", "retrying call to {h} (attempt {n})", "slow query took {n} ms",
            "order {k} created with {n} items", "upstream returned 503", "deadline exceeded calling {h}",
            "GET /api/v1/products/{k} 200"]
    hosts = ["payments.internal:8443", "db-1:5432", "redis:6379", "stripe.com:443"]
    stack = ["java.io.IOException: connection reset", "\tat com.example.Client.call(Client.java:88)",
             "\tat com.example.Service.run(Service.java:41)"]
    target = size_mib * 1024 * 1024
    t = 1764064800_000  # 2025-11-25T10:00:00Z in ms
    written = 0
    js, iso, cat = [], [], []
    with open(prefix + ".ndjson", "w") as fj, open(prefix + ".iso.log", "w") as fi, open(prefix + ".logcat.log", "w") as fc:
        while written < target:
            t += rng.randint(0, 3)
            ms, s = t % 1000, t // 1000
            hh, mm, ss = (s // 3600) % 24, (s // 60) % 60, s % 60
            day = 25 + s // 86400 - 1764028800 // 86400
            svc = rng.choice(services)
            lvl = rng.choice(levels)
            msg = rng.choice(msgs).format(k=rng.randint(1, 10**6), h=rng.choice(hosts), u=rng.randint(1, 10**5), n=rng.randint(1, 900))
            trace = "%032x" % rng.getrandbits(128)
            pid = rng.randint(100, 9999)
            trouble = rng.randint(0, 199) == 0
            full = msg + ("\n" + "\n".join(stack) if trouble else "")
            jmsg = full.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            line = (f'{{"time":"2025-11-{day:02d}T{hh:02d}:{mm:02d}:{ss:02d}.{ms:03d}Z","level":"{lvl.lower()}",'
                    f'"service":"{svc}","msg":"{jmsg}","trace_id":"{trace}"}}\n')
            js.append(line)
            written += len(line)
            iso.append(f"2025-11-{day:02d} {hh:02d}:{mm:02d}:{ss:02d}.{ms:03d} {lvl:5} [{svc}] {full} trace_id={trace}\n")
            cat.append(f"11-{day:02d} {hh:02d}:{mm:02d}:{ss:02d}.{ms:03d} {pid:5} {pid + 7:5} {letters[lvl]} {svc}: {full} trace_id={trace}\n")
            if len(js) >= 20000:
                fj.write("".join(js)); fi.write("".join(iso)); fc.write("".join(cat))
                js, iso, cat = [], [], []
        fj.write("".join(js)); fi.write("".join(iso)); fc.write("".join(cat))

main()
