#!/usr/bin/env bash
# Throughput of `inquest logs --level error --count` against jq and zcat, on the same
# generated files, in one run. Prints ratios. Usage: Benchmarks/run-logs.sh [SIZE_MIB]
# (default 1024: about 1 GiB of JSON lines). Needs hyperfine and jq (apt-get install -y hyperfine jq).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
data=Benchmarks/data
mkdir -p "$data"
one="$data/logs-$size.ndjson"
if [ ! -f "$one" ]; then python3 Benchmarks/generate-ndjson.py "$one" "$size"; fi
if [ ! -f "$one.gz" ]; then gzip -6 -k "$one"; fi
# The same volume split across four files, to show both cores at work.
if [ ! -f "$data/split-$size.4.ndjson" ]; then python3 Benchmarks/generate-ndjson.py "$data/split-$size.ndjson" "$size" 4; fi
swift build -c release >/dev/null
bin=.build/release/inquest
bytes=$(stat -c %s "$one")
gzbytes=$(stat -c %s "$one.gz")
json=$(mktemp)
hyperfine -N --warmup 1 --runs 5 --export-json "$json" \
  -n inquest-ndjson "$bin logs --level error --count $one" \
  -n jq "sh -c \"jq -c 'select(.level==\\\"error\\\")' $one | wc -l\"" \
  -n inquest-gz "$bin logs --level error --count $one.gz" \
  -n zcat "sh -c 'zcat $one.gz > /dev/null'" \
  -n inquest-4-files "$bin logs --level error --count $data/split-$size.1.ndjson $data/split-$size.2.ndjson $data/split-$size.3.ndjson $data/split-$size.4.ndjson" \
  >/dev/null
python3 - "$json" "$bytes" "$gzbytes" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
b, gzb = int(sys.argv[2]), int(sys.argv[3])
m = lambda k: r[k]["mean"]
mb = lambda t: b / t / 1e6
print(f"input: {b/2**20:.0f} MiB of JSON lines ({gzb/2**20:.0f} MiB gzipped)")
for k in r:
    print(f"  {k:16} {m(k):7.3f} s  {mb(m(k)):7.0f} MB/s (uncompressed)   user {r[k]['user']:.2f} s")
print(f"ratio inquest / jq (ndjson):      {m('jq')/m('inquest-ndjson'):.1f}x   (target >= 5x)")
print(f"inquest ndjson throughput:        {mb(m('inquest-ndjson')):.0f} MB/s (target >= 500 MB/s on one core)")
print(f"ratio inquest-gz / zcat:          {m('zcat')/m('inquest-gz'):.2f}x (target >= 0.85x)")
cores = r['inquest-4-files']['user'] / m('inquest-4-files')
print(f"4 files: {mb(m('inquest-4-files')):.0f} MB/s, {cores:.2f} cores busy on average")
PY
# Resident memory stays flat whatever the size.
for f in "$one" "$one.gz"; do
  /usr/bin/time -f "max RSS %M KiB  ($f)" "$bin" logs --level error --count "$f" >/dev/null
done
rm -f "$json"
