#!/usr/bin/env bash
# Plain-text reading against JSON lines: `inquest logs --since T --count` on the same
# records written as JSON lines, as plain text with an ISO time, and as plain text
# with a year-less logcat-style time. Prints each rate and the ratio to JSON lines
# (target: plain text within 1.5x). Usage: Benchmarks/run-plain.sh [SIZE_MIB]
# (default 256: the JSON file's size; the text files hold the same records).
# Needs hyperfine (apt-get install -y hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-256}
data=Benchmarks/data
mkdir -p "$data"
p="$data/plain-$size"
if [ ! -f "$p.logcat.log" ]; then python3 Benchmarks/generate-plain.py "$p" "$size"; fi
# The logcat file has no year: its modification time gives it (2025, as the others say).
touch -d 2025-12-01T00:00:00Z "$p.logcat.log"
# On a shared machine, INQUEST_BUILD_LOCK=/tmp/swift-build.lock serialises the build.
if [ -n "${INQUEST_BUILD_LOCK:-}" ]; then flock "$INQUEST_BUILD_LOCK" swift build -c release >/dev/null
else swift build -c release >/dev/null; fi
bin=.build/release/inquest
since=2025-11-25T10:05:00Z
for f in "$p.ndjson" "$p.iso.log" "$p.logcat.log"; do
  printf '%-40s %s records, %s since %s\n' "$f" "$($bin logs --count "$f")" "$($bin logs --since $since --count "$f")" "$since"
done
json=$(mktemp)
hyperfine -N --warmup 1 --runs 5 --export-json "$json" \
  -n ndjson "$bin logs --since $since --count $p.ndjson" \
  -n plain-iso "$bin logs --since $since --count $p.iso.log" \
  -n plain-logcat "$bin logs --since $since --count $p.logcat.log" \
  >/dev/null
records=$($bin logs --count "$p.ndjson")
python3 - "$json" "$records" "$p" <<'PY'
import json, os, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
n, p = int(sys.argv[2]), sys.argv[3]
size = {"ndjson": p + ".ndjson", "plain-iso": p + ".iso.log", "plain-logcat": p + ".logcat.log"}
print(f"{n:,} records, the same in each file")
for k in r:
    m, sd = r[k]["mean"], r[k]["stddev"]
    mb = os.path.getsize(size[k]) / m / 1e6
    print(f"  {k:13} {m:6.3f} s ± {sd:.3f}  {n / m / 1e6:5.2f} M records/s  {mb:5.0f} MB/s")
base = r["ndjson"]["mean"]
for k in ("plain-iso", "plain-logcat"):
    print(f"time {k} / ndjson: {r[k]['mean'] / base:.2f}x  (target <= 1.5x)")
PY
rm -f "$json"
