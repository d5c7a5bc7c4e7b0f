#!/bin/sh
# Memory: streaming a file over 4 GiB stays flat; span assembly memory per span.
#
#   Benchmarks/run-memory.sh
#
# 1. Builds Benchmarks/data/logs-4g.ndjson (4.3 GB: logs-1024.ndjson four times and a
#    bit, so past the 4 GiB mark where 32-bit offsets would wrap) and runs
#    `inquest logs --level error --count` and `--output ndjson > /dev/null` on it,
#    sampling resident memory every half second (/proc/PID/status) and reporting
#    the samples' minimum, median and maximum after the first 5 seconds.
# 2. Runs `inquest traces --count` on Benchmarks/data/jaeger-120.json and reports
#    peak resident memory per span (the 120 MB document is held while spans are read).
# Needs: Benchmarks/generate-ndjson.py and generate-jaeger.py outputs (run-logs.sh,
# run-traces.sh create them), a release build.
set -eu
cd "$(dirname "$0")/.."
BIN=${INQUEST:-.build/release/inquest}
D=Benchmarks/data
[ -f $D/logs-1024.ndjson ] || { echo "run Benchmarks/run-logs.sh 1024 first" >&2; exit 2; }
if [ ! -f $D/logs-4g.ndjson ]; then
    cat $D/logs-1024.ndjson $D/logs-1024.ndjson $D/logs-1024.ndjson $D/logs-1024.ndjson > $D/logs-4g.ndjson
    head -c 200000000 $D/logs-1024.ndjson | sed '$d' >> $D/logs-4g.ndjson
fi
echo "== $(du -h $D/logs-4g.ndjson | cut -f1) NDJSON, $(wc -c < $D/logs-4g.ndjson) bytes"

sample() {  # sample LABEL CMD...: run CMD, sample its RSS
    label=$1; shift
    "$@" > /tmp/inquest-mem.out &
    pid=$!
    : > /tmp/inquest-rss.txt
    while kill -0 $pid 2>/dev/null; do
        awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null >> /tmp/inquest-rss.txt || true
        sleep 0.5
    done
    wait $pid || true
    python3 - "$label" <<'PY'
import sys, statistics
v = [int(x) for x in open("/tmp/inquest-rss.txt") if x.strip()]
later = v[10:] or v
print(f"{sys.argv[1]}: {len(v) / 2:.0f} s, RSS after 5 s: min {min(later)/1024:.1f} MiB, "
      f"median {statistics.median(later)/1024:.1f} MiB, max {max(later)/1024:.1f} MiB; output: {open('/tmp/inquest-mem.out').read().strip()[:40]}")
PY
}
sample "logs --level error --count" $BIN logs --level error --count $D/logs-4g.ndjson
sample "logs --output ndjson -o /dev/null" $BIN logs --output ndjson -o /dev/null $D/logs-4g.ndjson

if [ -f $D/jaeger-120.json ]; then
    /usr/bin/time -f "%M" -o /tmp/inquest-span-rss.txt $BIN inspect --output json $D/jaeger-120.json > /tmp/inquest-span.json
    spans=$(python3 -c "import json; print(json.load(open('/tmp/inquest-span.json'))['inputs'][0]['spans'])")
    /usr/bin/time -f "%M" -o /tmp/inquest-span-rss.txt $BIN traces --count $D/jaeger-120.json > /dev/null
    python3 - "$spans" "$(cat /tmp/inquest-span-rss.txt)" "$(wc -c < $D/jaeger-120.json)" <<'PY'
import sys
spans, kb, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print(f"traces --count on {size/1e6:.0f} MB Jaeger ({spans:,} spans): peak RSS {kb/1024:.0f} MiB = "
      f"{kb*1024/spans:,.0f} bytes a span; without the document held: {(kb*1024 - size)/spans:,.0f} bytes a span")
PY
fi
