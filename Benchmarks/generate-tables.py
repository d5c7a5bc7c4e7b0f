#!/usr/bin/env python3
"""Writes a span table and a wide metric table of about SIZE_MB each, deterministic
from a seed, in the shapes incident exports use:

  spans:   TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration
  metrics: Time,TimeStamp,PodName,<20 numeric columns with units>, some NaN

Usage: generate-tables.py OUT_DIR [SIZE_MB] [SEED]
"""
import os, random, sys

out, size = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
os.makedirs(out, exist_ok=True)
safe = "bcdfghjklmnpqrstvwxz2456789"
services = [f"svc{i:02d}" for i in range(12)]
pods = {s: f"{s}-{''.join(rng.choice(safe) for _ in range(10))}-{''.join(rng.choice(safe) for _ in range(5))}" for s in services}
ops = {s: [f"rpc.{s}/Method{k}" for k in range(4)] for s in services}
limit = size * 1_000_000

with open(os.path.join(out, f"spans-{size}.csv"), "w") as f:
    f.write("TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration\n")
    t = 1_700_000_000_000_000_000
    written = 0
    while written < limit:
        trace = "%032x" % rng.getrandbits(128)
        n = rng.randint(5, 40)
        ids = ["%016x" % rng.getrandbits(64) for _ in range(n)]
        t += rng.randint(100_000, 5_000_000)
        rows = []
        for k in range(n):
            svc = rng.choice(services)
            parent = "root" if k == 0 else ids[rng.randrange(k)]
            start = t + k * 50_000
            dur = rng.randint(100_000, 80_000_000)
            rows.append(f"{trace},{ids[k]},{parent},{pods[svc]},{rng.choice(ops[svc])},{start},{start + dur},{dur // 1000}\n")
        chunk = "".join(rows)
        f.write(chunk)
        written += len(chunk)

cols = ["CpuUsage(m)", "CpuUsageRate(%)", "MemoryUsage(Mi)", "MemoryUsageRate(%)", "SyscallRead", "SyscallWrite",
        "NetworkReceiveBytes", "NetworkTransmitBytes", "PodClientLatencyP90(s)", "PodServerLatencyP90(s)",
        "PodClientLatencyP95(s)", "PodServerLatencyP95(s)", "PodClientLatencyP99(s)", "PodServerLatencyP99(s)",
        "PodWorkload(Ops)", "PodSuccessRate(%)", "NodeCpuUsageRate(%)", "NodeMemoryUsageRate(%)", "NodeNetworkReceiveBytes", "Restarts"]
with open(os.path.join(out, f"metrics-{size}.csv"), "w") as f:
    f.write("Time,TimeStamp,PodName," + ",".join(cols) + "\n")
    written = 0
    sec = 1_700_000_000
    while written < limit:
        sec += 15
        rows = []
        for s in services:
            vals = ["NaN" if rng.random() < 0.02 else repr(rng.random() * 100) for _ in cols]
            frac = rng.randrange(1_000_000_000)
            rows.append(f"2023-11-14 22:{(sec // 60) % 60:02d}:{sec % 60:02d}.{frac:09d} +0000 UTC m=+{sec - 1_700_000_000}.5,{sec},{pods[s]}," + ",".join(vals) + "\n")
        chunk = "".join(rows)
        f.write(chunk)
        written += len(chunk)
