#!/usr/bin/env bash
# Scores `inquest rca` on fault-injection incidents from `inquest simulate --fault`, per
# fault kind, beside a naive baseline; then on the real incidents in ../shared/rca-real
# (through Benchmarks/rca-real.py, when both exist).
#
# Seeds: 1000-1499 are for development (look at them freely: --dev); 1500-1999 are held
# out and are what the figures in Benchmarks/README.md report (the default). Do not tune
# anything on the held-out range.
#
# Suites (SEEDS incidents each, 3 by default; the span-only kinds once per span format):
#   span-only kinds   deep-error self-error latency timeout-cascade one-operation dependency
#                     (spans only, Jaeger, Zipkin and OTLP in turn: what the suite always was)
#   newer kinds       exception wrong-return cpu-contention network-delay
#                     (spans + logs + metrics, a burst of swallowed errors while the fault is on)
#   no-status         a span-only error kind with --no-span-status (its errors only in logs)
#   low-rate          any kind with --fault-rate 0.05-0.2
#   slowdown          latency with --slowdown 1.3-2
#   two-faults        two kinds at once (--fault A,B), in different services
# rca reads the whole incident directory (spans, and logs and metrics where written);
# the ground truth is moved out of it first.
#
# Scores, per incident, with C the ground truth's causes (one, or two for two-faults), a
# cause found at rank r when a candidate among the first r names a service in its
# `accepted`:  AC@k = (causes found within k) / min(k, |C|);  Avg@5 = mean of AC@1..AC@5.
# "strict AC@1" also needs the candidate's kind in the cause's accepted kinds.
# "trace AC@1" is `rca --trace ID` on the first failed (or slowed) request.
# The naive baseline reads up to 5 failed (or slowed) traces with `inquest trace ID
# --output json`, names in each the service of the deepest error span (the largest self
# time when it has none) and ranks services by how many traces named them.
#
# Usage: Benchmarks/rca-eval.sh [--dev] [SEEDS] [REQUESTS]
#   INQUEST_BIN=path      score that binary's rca instead of this checkout's release build;
#   INQUEST_SIM_BIN=path  generate the incidents with that binary (default: the scored one),
#                         e.g. this checkout's simulate beside another branch's rca.
# About 4 minutes after the build with the defaults (2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
range=held-out
if [ "${1:-}" = "--dev" ]; then range=dev; shift; fi
seeds=${1:-3}
requests=${2:-1500}
if [ -n "${INQUEST_BIN:-}" ]; then
  bin=$INQUEST_BIN
else
  # Through the shared build lock when there is one (machines where builds queue).
  if command -v flock >/dev/null && [ -e /tmp/swift-build.lock ]; then
    flock /tmp/swift-build.lock swift build -c release >/tmp/rca-eval-build.log 2>&1
  else
    swift build -c release >/tmp/rca-eval-build.log 2>&1
  fi
  bin=$PWD/.build/release/inquest
fi
work=$(mktemp -d /tmp/rca-eval.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$bin" "$work" "$range" "$seeds" "$requests" "${INQUEST_SIM_BIN:-$bin}" <<'PY'
import json, os, random, subprocess, sys
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

bin, work, rng_name, seeds, requests, sim_bin = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
base = 1000 if rng_name == "dev" else 1500
OLD = ["deep-error", "self-error", "latency", "timeout-cascade", "one-operation", "dependency"]
NEW = ["exception", "wrong-return", "cpu-contention", "network-delay"]
FORMATS = ["jaeger", "zipkin", "otlp"]

# Every incident's arguments, drawn from a generator seeded by the range, so a run is
# reproducible and the held-out draws never depend on the development ones.
pick = random.Random(f"rca-eval-{rng_name}")
tasks = []  # (suite, seed, args)
n = 0
def seed():
    global n
    n += 1
    return base + (n * 37 + 11) % 500
for kind in OLD:
    for fmt in FORMATS:
        for i in range(seeds):
            tasks.append((kind, seed(), ["--fault", kind, "--span-format", fmt]))
for kind in NEW:
    for i in range(seeds * 2):
        tasks.append((kind, seed(), ["--fault", kind]))
for i in range(seeds * 2):
    tasks.append(("no-status", seed(), ["--fault", pick.choice(["deep-error", "self-error", "one-operation", "dependency", "timeout-cascade"]), "--no-span-status"]))
for i in range(seeds * 2):
    tasks.append(("low-rate", seed(), ["--fault", pick.choice(OLD[:2] + OLD[4:] + NEW), "--fault-rate", f"{pick.uniform(0.05, 0.2):.2f}"]))
for i in range(seeds * 2):
    tasks.append(("slowdown", seed(), ["--fault", "latency", "--slowdown", f"{pick.uniform(1.3, 2.0):.2f}"]))
for i in range(seeds * 2):
    a, b = pick.sample(OLD[:2] + OLD[4:] + NEW, 2)
    tasks.append(("two-faults", seed(), ["--fault", f"{a},{b}"]))

def load(p):
    try:
        with open(p) as f: return json.load(f)
    except Exception: return {}

def run(args, out=None, binary=None):
    r = subprocess.run([binary or bin] + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if out is not None:
        with open(out, "w") as f: f.write(r.stdout if r.returncode == 0 else '{"candidates":[]}')
    return r

def naive(trace):
    """Service of the deepest error span; else of the span with the largest self time."""
    best = None  # (is_error, depth or self time, service)
    def walk(s, depth):
        nonlocal best
        key = (bool(s.get("error")), depth if s.get("error") else s.get("self_us", 0), s.get("service"))
        if best is None or key[:2] > best[:2]: best = key
        for c in s.get("children", []): walk(c, depth + 1)
    for s in trace.get("spans", []): walk(s, 0)
    return best[2] if best else None

def one(task):
    suite, s, args = task
    d = os.path.join(work, f"{suite}-{s}")
    r = run(["simulate", d, "--seed", str(s), "--duration", "30m", "--requests", str(requests)] + args, binary=sim_bin)
    if r.returncode != 0:
        print(f"simulate failed: {suite} seed {s} {' '.join(args)}", file=sys.stderr)
        return None
    os.rename(os.path.join(d, "ground-truth.json"), d + ".truth.json")
    gt = load(d + ".truth.json")
    run(["rca", "--output", "json", d], d + ".rca.json")
    ids = gt["traces"]["failed_trace_ids"][:5]
    if ids:
        run(["rca", "--trace", ids[0], "--output", "json", d], d + ".rca-trace.json")
    votes = Counter()
    for i in ids:
        t = run(["trace", i, "--output", "json", os.path.join(d, "spans")])
        try: v = naive(json.loads(t.stdout))
        except Exception: v = None
        if v: votes[v] += 1
    return (suite, s, args, gt, load(d + ".rca.json").get("candidates", []),
            load(d + ".rca-trace.json").get("candidates", []) if ids else [], [v for v, _ in votes.most_common(5)])

with ThreadPoolExecutor(max_workers=2) as pool:
    results = [x for x in pool.map(one, tasks) if x]

def causes(gt):
    if gt.get("root_causes"):
        return [(set(c["accepted"]), set(c.get("accepted_kinds", [c["kind"]]))) for c in gt["root_causes"]]
    rc = gt["root_cause"]
    return [(set(gt["accepted"]), {rc["kind"]})]

def ac(ranked, cs, k, kinds=False):
    found = 0
    for acc, ks in cs:
        if any(c.get("service") in acc and (not kinds or c.get("kind") in ks) for c in ranked[:k]): found += 1
    return found / min(k, len(cs))

rows = defaultdict(Counter)
for suite, s, args, gt, cands, single, naive_rank in results:
    cs = causes(gt)
    naive_c = [{"service": v} for v in naive_rank]
    groups = [suite, "ALL"]
    if suite in OLD: groups.append("span-only kinds")
    else: groups.append("newer suites")
    for g in groups:
        r = rows[g]
        r["n"] += 1
        r["ac1"] += ac(cands, cs, 1); r["ac3"] += ac(cands, cs, 3)
        r["avg5"] += sum(ac(cands, cs, k) for k in range(1, 6)) / 5
        r["s1"] += ac(cands, cs, 1, kinds=True)
        r["t1"] += ac(single, cs, 1)
        r["b1"] += ac(naive_c, cs, 1); r["b3"] += ac(naive_c, cs, 3)
        r["bavg5"] += sum(ac(naive_c, cs, k) for k in range(1, 6)) / 5
    if ac(cands, cs, 1) < 1:
        top = cands[0] if cands else {}
        want = " + ".join("/".join(sorted(a)) for a, _ in cs)
        print(f"miss: {suite} seed {s} ({' '.join(args)}): truth {want}, rca #1 {top.get('service')} ({top.get('kind')})", file=sys.stderr)

print(f"seeds {base}-{base + 499} ({'development' if rng_name == 'dev' else 'held out'}), {requests} requests in 30 minutes an incident, {len(results)} incidents")
print(f"{'suite':<16} {'n':>3}  {'AC@1':>5} {'AC@3':>5} {'Avg@5':>5}  {'strict@1':>8}  {'trace@1':>7}  {'naive AC@1':>10} {'AC@3':>5} {'Avg@5':>5}")
for g in OLD + NEW + ["no-status", "low-rate", "slowdown", "two-faults", "span-only kinds", "newer suites", "ALL"]:
    r = rows[g]
    if not r["n"]: continue
    m = lambda k: f"{r[k] / r['n']:5.2f}"
    print(f"{g:<16} {r['n']:>3}  {m('ac1')} {m('ac3')} {m('avg5')}  {m('s1'):>8}  {m('t1'):>7}  {m('b1'):>10} {m('b3')} {m('bavg5')}")
PY
if [ -f Benchmarks/rca-real.py ] && [ -d ../shared/rca-real ]; then
  echo
  echo "Real incidents (Benchmarks/rca-real.py $bin ../shared/rca-real):"
  python3 Benchmarks/rca-real.py "$bin" ../shared/rca-real
fi
