#!/usr/bin/env python3
"""Scores `inquest rca` on real injected faults (the Nezha Online Boutique cases).

Usage: Benchmarks/rca-real.py BIN DATA_DIR [--dev-only]

BIN is the inquest binary (a release build); DATA_DIR holds case directories
(`case_<day>_<HH_MM>/` with `traces/`, `metrics/`, optional `logs/`, and `truth.json`),
at any depth (the rca-real root or one data set). For each case the binary runs as

    BIN rca --output json --limit 5 CASE/traces CASE/metrics [CASE/logs] [--baseline B]

where B is the baseline the case's truth.json names (a fault-free minute of spans), and
once more without any baseline. Scored at service level: AC@k is the share of cases whose
root service is among the first k distinct services ranked, Avg@5 the mean of AC@1..5.

Split: the cases of DEV_DAY were used while developing rca; all other days are held out
(their per-case results were not looked at) and are reported separately. `--dev-only`
runs the development half alone.

The peer is the "simple rule" of the data set's README: services ranked by the growth of
their own spans' p90 duration against the baseline minute (against the case's first trace
file when there is none), plus new error lines in logs. Needs python3 only.
"""
import csv, gzip, json, os, subprocess, sys, time
from collections import defaultdict

DEV_DAY = "2022-08-23"


def cases(root):
    out = []
    for d, dirs, files in os.walk(root):
        if "truth.json" in files:
            out.append(d)
        dirs.sort()
    return sorted(out)


def service_of(pod):
    parts = pod.split("-")
    return "-".join(parts[:-2]) if len(parts) > 2 else pod


def open_any(p):
    with open(p, "rb") as f:
        magic = f.read(2)
    return gzip.open(p, "rt", newline="") if magic == b"\x1f\x8b" else open(p, newline="")


def span_durations(dirs):
    """{service: [durations]} of the spans in the CSV span tables under dirs."""
    out = defaultdict(list)
    for d in dirs:
        for f in sorted(os.listdir(d)):
            for k, v in span_durations_file(os.path.join(d, f)).items():
                out[k].extend(v)
    return out


def p90(v):
    v = sorted(v)
    return v[min(len(v) - 1, int(0.9 * len(v)))] if v else 0.0


def error_services(logdir):
    """Services with error lines (level words in the line) — the rule's log half."""
    seen = defaultdict(int)
    if not os.path.isdir(logdir):
        return seen
    for f in sorted(os.listdir(logdir)):
        with open_any(os.path.join(logdir, f)) as fh:
            for r in csv.DictReader(fh):
                line = r.get("Log", "")
                if "ERROR" in line or '"severity": "error"' in line.lower():
                    seen[service_of(r.get("PodName", ""))] += 1
    return seen


def simple_rule(case, truth):
    tdir = os.path.join(case, "traces")
    files = sorted(os.listdir(tdir))
    if truth.get("baseline"):
        base = span_durations([os.path.normpath(os.path.join(case, truth["baseline"], "traces"))])
        now = span_durations([tdir])
    else:
        # No baseline minute: the first trace file stands for normal.
        base, now = defaultdict(list), defaultdict(list)
        for i, f in enumerate(files):
            part = span_durations_file(os.path.join(tdir, f))
            for k, v in part.items():
                (base if i == 0 else now)[k].extend(v)
    growth = {}
    for s, v in now.items():
        b = p90(base.get(s, []))
        growth[s] = p90(v) / b if b > 0 else 1.0
    errs = error_services(os.path.join(case, "logs"))
    ranked = sorted(growth, key=lambda s: (-(errs.get(s, 0) > 0), -growth[s], s))
    return ranked


def span_durations_file(path):
    """{service: [durations]} of the spans in one CSV span table."""
    out = defaultdict(list)
    with open_any(path) as fh:
        for r in csv.DictReader(fh):
            try:
                out[service_of(r["PodName"])].append(float(r["Duration"]))
            except (KeyError, ValueError):
                pass
    return out


def run_rca(binary, case, truth, with_baseline):
    args = [binary, "rca", "--output", "json", "--limit", "5"]
    for sub in ("traces", "metrics", "logs"):
        p = os.path.join(case, sub)
        if os.path.isdir(p):
            args.append(p)
    if with_baseline and truth.get("baseline"):
        args += ["--baseline", os.path.normpath(os.path.join(case, truth["baseline"], "traces"))]
    t0 = time.time()
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=600).stdout
        doc = json.loads(out)
    except Exception:
        doc = {}
    dt = time.time() - t0
    ranked = []
    for c in doc.get("candidates", []):
        s = c.get("service")
        if s and s not in ranked:
            ranked.append(s)
    return ranked, dt, doc


def hits(ranked, root):
    return [1 if root in ranked[:k] else 0 for k in range(1, 6)]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    dev_only = "--dev-only" in sys.argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    binary, root = os.path.abspath(args[0]), args[1]
    rows = defaultdict(lambda: defaultdict(lambda: [0, [0] * 5]))  # half -> method -> [n, hits@k]
    per_kind = defaultdict(lambda: defaultdict(lambda: [0, [0] * 5]))
    times = []
    for case in cases(root):
        with open(os.path.join(case, "truth.json")) as f:
            truth = json.load(f)
        name = os.path.basename(case)
        half = "dev" if DEV_DAY in name else "held-out"
        if dev_only and half != "dev":
            continue
        root_svc, kind = truth["root_service"], truth["fault"]
        results = {}
        ranked, dt, _ = run_rca(binary, case, truth, True)
        times.append(dt)
        results["rca"] = ranked
        if truth.get("baseline"):
            results["rca, no baseline"] = run_rca(binary, case, truth, False)[0]
        results["simple rule"] = simple_rule(case, truth)
        for method, r in results.items():
            h = hits(r, root_svc)
            for table, key in ((rows, half), (per_kind, (half, kind))):
                cell = table[key][method]
                cell[0] += 1
                cell[1] = [a + b for a, b in zip(cell[1], h)]
        if half == "dev":
            print(f"  dev {name}: {kind:15s} truth {root_svc:22s} rca {results['rca'][:3]}", file=sys.stderr)

    def fmt(cell):
        n, h = cell
        ac = [x / n for x in h]
        return f"{n:>3}  {ac[0]:5.2f} {ac[2]:5.2f} {sum(ac) / 5:6.2f}"

    print(f"{'half':<9} {'fault kind':<16} {'method':<18} {'n':>3}  {'AC@1':>5} {'AC@3':>5} {'Avg@5':>6}")
    for half in ("dev", "held-out"):
        if half not in rows:
            continue
        kinds = sorted(k for (h, k) in per_kind if h == half)
        for k in kinds:
            for method, cell in per_kind[(half, k)].items():
                print(f"{half:<9} {k:<16} {method:<18} {fmt(cell)}")
        for method, cell in rows[half].items():
            print(f"{half:<9} {'ALL':<16} {method:<18} {fmt(cell)}")
    if times:
        times.sort()
        print(f"rca wall time per case: median {times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s ({len(times)} cases)")


if __name__ == "__main__":
    main()
