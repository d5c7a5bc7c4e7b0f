#!/usr/bin/env python3
"""Writes a Jaeger query-API export ({"data": [traces]}) of about SIZE_MB megabytes for the
trace benchmark: realistic traces of 5-30 spans over a dozen services, tags, span logs,
processes, ~8% of traces with an error tag. Deterministic from a seed.
Usage: generate-jaeger.py OUT.json SIZE_MB [SEED]"""
import json, random, sys

out, size_mb = sys.argv[1], float(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 11)
services = ["frontend", "api-gateway", "checkout", "cart", "payment", "inventory", "shipping",
            "notification", "auth", "search", "recommendation", "ads"]
ops = {s: [f"GET /{s}/items", f"POST /{s}/orders", f"GET /{s}/health", f"PUT /{s}/state"] for s in services}
target = int(size_mb * 1_000_000)
t = 1764064800_000_000
written = 0
spans_total = 0
with open(out, "w") as fh:
    fh.write('{"data":[')
    first = True
    while written < target:
        trace_id = "%032x" % rng.getrandbits(128)
        n = rng.randint(5, 30)
        failing = rng.random() < 0.08
        procs, spans = {}, []
        t += rng.randint(1000, 50000)
        ids = []
        for i in range(n):
            svc = services[0] if i == 0 else rng.choice(services)
            pid = "p%d" % (services.index(svc) + 1)
            procs[pid] = {"serviceName": svc, "tags": [{"key": "hostname", "type": "string", "value": svc + "-7d9f8-x2k4l"},
                                                         {"key": "ip", "type": "string", "value": "10.0.%d.%d" % (rng.randint(0, 9), rng.randint(1, 254))}]}
            sid = "%016x" % rng.getrandbits(64)
            parent = None if i == 0 else rng.choice(ids)
            ids.append(sid)
            start = t + i * rng.randint(100, 3000)
            tags = [{"key": "span.kind", "type": "string", "value": rng.choice(["server", "client"])},
                    {"key": "http.method", "type": "string", "value": "GET"},
                    {"key": "http.status_code", "type": "int64", "value": 200},
                    {"key": "otel.library.name", "type": "string", "value": "io.opentelemetry.http"}]
            if failing and i == n - 1:
                tags.append({"key": "error", "type": "bool", "value": True})
                tags[2]["value"] = 500
            span = {"traceID": trace_id, "spanID": sid, "operationName": rng.choice(ops[svc]),
                    "references": [] if parent is None else [{"refType": "CHILD_OF", "traceID": trace_id, "spanID": parent}],
                    "startTime": start, "duration": rng.randint(50, 200000), "tags": tags,
                    "logs": [] if rng.random() < 0.7 else [{"timestamp": start + 10, "fields": [{"key": "event", "type": "string", "value": "cache miss"}]}],
                    "processID": pid, "warnings": None}
            spans.append(span)
        doc = json.dumps({"traceID": trace_id, "spans": spans, "processes": procs, "warnings": None}, separators=(",", ":"))
        fh.write(("" if first else ",") + doc)
        first = False
        written += len(doc) + 1
        spans_total += n
    fh.write('],"total":0,"limit":0,"offset":0,"errors":null}\n')
print(f"{out}: {written/1e6:.0f} MB, {spans_total} spans", file=sys.stderr)
