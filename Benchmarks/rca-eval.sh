#!/usr/bin/env bash
# Scores `inquest rca` on fault-injection incidents from `inquest simulate --fault`:
# 6 fault kinds x 3 span formats x SEEDS seeds (54 incidents by default), seeds from
# 1000-1999, which were not used while writing the simulator or rca.
#
# For each incident: `inquest rca --output json DIR/spans` (incident level) and
# `inquest rca --trace ID --output json DIR/spans` on the first failed trace (single
# trace). A naive baseline reads up to 10 failed traces with `inquest trace ID --output
# json` and names the service of the deepest error span (the largest self time when a
# trace has no error, as in the latency fault), by majority over the traces.
#
# AC@k (service): a candidate among the first k has its service in ground truth's
# `accepted`. AC@k (strict): service == root_cause.service and kind == root_cause.kind.
# Usage: Benchmarks/rca-eval.sh [SEEDS] [REQUESTS]. Needs python3. About 1.5 minutes after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-3}
requests=${2:-460}
swift build -c release >/dev/null
bin=$PWD/.build/release/inquest
work=$(mktemp -d /tmp/rca-eval.XXXXXX)
trap 'rm -rf "$work"' EXIT
kinds="deep-error self-error latency timeout-cascade one-operation dependency"
formats="jaeger zipkin otlp"
n=0
for kind in $kinds; do
  for format in $formats; do
    for i in $(seq 1 "$seeds"); do
      # Seeds spread over 1000-1999, a different one for every (kind, format, i).
      n=$((n + 1))
      seed=$((1000 + (n * 37 + i * 101) % 1000))
      dir="$work/$kind-$format-$seed"
      "$bin" simulate "$dir" --seed "$seed" --fault "$kind" --span-format "$format" --requests "$requests" >/dev/null
      "$bin" rca --output json "$dir/spans" >"$dir/rca.json" 2>/dev/null || echo '{"candidates":[]}' >"$dir/rca.json"
      ids=$(python3 -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))['traces']['failed_trace_ids'][:10]))" "$dir/ground-truth.json")
      first=${ids%% *}
      if [ -n "$first" ]; then
        "$bin" rca --trace "$first" --output json "$dir/spans" >"$dir/rca-trace.json" 2>/dev/null || echo '{"candidates":[]}' >"$dir/rca-trace.json"
      else
        echo '{"candidates":[]}' >"$dir/rca-trace.json"
      fi
      mkdir -p "$dir/traces"
      for id in $ids; do "$bin" trace "$id" --output json "$dir/spans" >"$dir/traces/$id.json" 2>/dev/null || true; done
      echo "$dir"
    done
  done
done >"$work/list"
python3 - "$work/list" <<'PY'
import json, os, sys
from collections import Counter, defaultdict

def load(p):
    try:
        with open(p) as f: return json.load(f)
    except Exception: return {}

def naive(trace):
    """Service of the deepest error span; else of the span with the largest self time."""
    best = None  # (is_error, depth, self_us, service)
    def walk(s, depth):
        nonlocal best
        key = (bool(s.get("error")), depth if s.get("error") else s.get("self_us", 0), s.get("service"))
        if best is None or key[:2] > best[:2]: best = key
        for c in s.get("children", []): walk(c, depth + 1)
    for s in trace.get("spans", []): walk(s, 0)
    return best[2] if best else None

rows = defaultdict(lambda: Counter())
for d in open(sys.argv[1]).read().split():
    gt = load(os.path.join(d, "ground-truth.json"))
    rc = gt["root_cause"]; acc = set(gt["accepted"])
    kind = gt["generator"]["fault"]; fmt = gt["generator"]["span_format"]
    cands = load(os.path.join(d, "rca.json")).get("candidates", [])
    single = load(os.path.join(d, "rca-trace.json")).get("candidates", [])
    svc = lambda c: c.get("service") in acc
    strict = lambda c: c.get("service") == rc["service"] and c.get("kind") == rc["kind"]
    votes = Counter()
    tdir = os.path.join(d, "traces")
    for f in sorted(os.listdir(tdir)):
        s = naive(load(os.path.join(tdir, f)))
        if s: votes[s] += 1
    base = votes.most_common(1)[0][0] if votes else None
    for group in (kind, fmt, "ALL"):
        r = rows[group]
        r["n"] += 1
        r["ac1"] += any(svc(c) for c in cands[:1]); r["ac3"] += any(svc(c) for c in cands[:3])
        r["s1"] += any(strict(c) for c in cands[:1]); r["s3"] += any(strict(c) for c in cands[:3])
        r["t1"] += any(svc(c) for c in single[:1])
        r["b1"] += base in acc
    if not any(svc(c) for c in cands[:1]):
        top = cands[0] if cands else {}
        print(f"miss: {os.path.basename(d)}: truth {rc['service']} ({rc['kind']}), rca #1 {top.get('service')} ({top.get('kind')})", file=sys.stderr)

print(f"{'suite':<16} {'n':>3}  {'AC@1':>5} {'AC@3':>5}  {'AC@1 strict':>11} {'AC@3 strict':>11}  {'trace AC@1':>10}  {'naive AC@1':>10}")
for g in ["deep-error", "self-error", "latency", "timeout-cascade", "one-operation", "dependency", "jaeger", "zipkin", "otlp", "ALL"]:
    r = rows[g]; n = r["n"] or 1
    p = lambda k: f"{r[k] / n:5.2f}"
    print(f"{g:<16} {r['n']:>3}  {p('ac1')} {p('ac3')}  {p('s1'):>11} {p('s3'):>11}  {p('t1'):>10}  {p('b1'):>10}")
PY
