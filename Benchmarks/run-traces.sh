#!/usr/bin/env bash
# `inquest traces --errors` against the jq one-liner on the same Jaeger export of about
# 120 MB (~180k spans), in one run: time (hyperfine) and peak memory (/usr/bin/time).
# Usage: Benchmarks/run-traces.sh [SIZE_MB]. Needs hyperfine and jq.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-120}
data=Benchmarks/data
mkdir -p "$data"
file="$data/jaeger-$size.json"
[ -f "$file" ] || python3 Benchmarks/generate-jaeger.py "$file" "$size"
swift build -c release >/dev/null
bin=.build/release/inquest
jqexpr='[.data[] | select(any(.spans[].tags[]; .key=="error"))] | length'
echo "answers: inquest $($bin traces --errors --count "$file"), jq $(jq "$jqexpr" "$file")"
json=$(mktemp)
hyperfine -N --warmup 1 --runs 5 --export-json "$json" \
  -n inquest "$bin traces --errors --count $file" \
  -n jq "jq '$jqexpr' $file" >/dev/null
mem() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
mi=$(mem "$bin" traces --errors --count "$file")
mj=$(mem jq "$jqexpr" "$file")
python3 - "$json" "$mi" "$mj" "$(stat -c %s "$file")" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
mi, mj, size = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ti, tj = r["inquest"]["mean"], r["jq"]["mean"]
print(f"input: {size/1e6:.0f} MB Jaeger export")
print(f"  inquest traces --errors  {ti:6.2f} s   peak {mi/1024:6.0f} MiB")
print(f"  jq select(error tag)     {tj:6.2f} s   peak {mj/1024:6.0f} MiB")
print(f"speed: inquest {tj/ti:.1f}x faster (target >= 10x); memory: {mi/mj:.2f} of jq's (target <= 0.25)")
PY
rm -f "$json"
