#!/usr/bin/env python3
"""Writes JSON-lines logs for the throughput benchmark: realistic records from a dozen
services (levels ~2% error, trace IDs, varied messages and extra fields), deterministic
from a seed. Usage: generate-ndjson.py OUT.ndjson SIZE_MIB [FILES] [SEED]
With FILES > 1, writes OUT.1.ndjson … OUT.N.ndjson of SIZE/FILES MiB each."""
import random, sys

def main():
    out, size_mib = sys.argv[1], int(sys.argv[2])
    files = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
    services = ["frontend", "api-gateway", "checkout", "cart", "payment", "inventory", "shipping",
                "notification", "auth", "search", "recommendation", "ads"]
    levels = ["info"] * 80 + ["debug"] * 10 + ["warn"] * 8 + ["error"] * 2
    msgs = ["request completed", "cache miss for key {k}", "charge failed: connection refused to {h}",
            "user {u} logged in", "retrying call to {h} (attempt {n})", "slow query took {n} ms",
            "order {k} created with {n} items", "upstream returned 503", "deadline exceeded calling {h}",
            "GET /api/v1/products/{k} 200"]
    hosts = ["payments.internal:8443", "db-1:5432", "redis:6379", "stripe.com:443"]
    target = size_mib * 1024 * 1024 // files
    base = 1764064800_000  # 2025-11-25T10:00:00Z in ms
    for f in range(files):
        path = out if files == 1 else out.replace(".ndjson", f".{f + 1}.ndjson")
        written = 0
        t = base + f * 7
        chunk = []
        with open(path, "w") as fh:
            while written < target:
                t += rng.randint(0, 3)
                ms = t % 1000
                s = t // 1000
                hh, mm, ss = (s // 3600) % 24, (s // 60) % 60, s % 60
                ts = f"2025-11-25T{hh:02d}:{mm:02d}:{ss:02d}.{ms:03d}Z"
                svc = rng.choice(services)
                lvl = rng.choice(levels)
                msg = rng.choice(msgs).format(k=rng.randint(1, 10**6), h=rng.choice(hosts), u=rng.randint(1, 10**5), n=rng.randint(1, 900))
                trace = "%032x" % rng.getrandbits(128)
                span = "%016x" % rng.getrandbits(64)
                line = (f'{{"time":"{ts}","level":"{lvl}","service":"{svc}","msg":"{msg}",'
                        f'"trace_id":"{trace}","span_id":"{span}","http.status":{rng.choice([200,200,200,201,404,500])},'
                        f'"duration_ms":{rng.random()*500:.3f},"user":{{"id":{rng.randint(1,99999)},"tier":"{rng.choice(["free","pro"])}"}}}}\n')
                chunk.append(line)
                written += len(line)
                if len(chunk) >= 20000:
                    fh.write("".join(chunk)); chunk = []
            fh.write("".join(chunk))

main()
