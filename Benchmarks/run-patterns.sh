#!/bin/sh
# Template mining speed and quality against drain3 (PyPI), in one run.
#
#   Benchmarks/run-patterns.sh [N]      N messages (default 1000000)
#   SKIP_QUALITY=1 Benchmarks/run-patterns.sh   speed only: the quality step prints every
#                                               set's row, the held-out half's included
#
# Speed: `inquest patterns` and drain3 with its default settings over the same N
# messages (Benchmarks/generate-messages.py: the Loghub-2k lines cycled with fresh
# digits), timed with hyperfine; reports messages per second and the ratio.
# Quality: Benchmarks/loghub-eval.py --drain3 (grouping and parsing accuracy on the 16
# sets, original and corrected labels).
# Needs: a release build (swift build -c release), hyperfine, python3, pip install drain3.
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000000}
BIN=${INQUEST:-.build/release/inquest}
DATA=Benchmarks/data/messages-$N.txt
mkdir -p Benchmarks/data
[ -f "$DATA" ] || python3 Benchmarks/generate-messages.py "$DATA" "$N"
python3 -c 'import drain3' 2>/dev/null || { echo "pip install drain3 first" >&2; exit 2; }
echo "== $N messages, $(du -m "$DATA" | cut -f1) MB"
hyperfine --warmup 1 --runs 5 --export-json /tmp/inquest-patterns.json \
    "$BIN patterns --output json $DATA > /dev/null"
hyperfine --runs 1 --export-json /tmp/drain3-patterns.json \
    "python3 Benchmarks/drain3-mine.py $DATA > /dev/null"
python3 - "$N" <<'PY'
import json, sys
n = int(sys.argv[1])
a = json.load(open("/tmp/inquest-patterns.json"))["results"][0]
b = json.load(open("/tmp/drain3-patterns.json"))["results"][0]
print(f"inquest: {a['mean']:.2f} s ± {a['stddev'] or 0:.2f} -> {n / a['mean']:,.0f} messages/s")
print(f"drain3:  {b['mean']:.2f} s -> {n / b['mean']:,.0f} messages/s")
print(f"ratio:   {b['mean'] / a['mean']:.1f}x drain3's messages per second (target >= 100x)")
PY
/usr/bin/time -f "inquest max RSS %M KB" $BIN patterns --output json "$DATA" > /dev/null
[ "${SKIP_QUALITY:-}" = 1 ] && exit 0
echo "== Loghub-2k grouping and parsing accuracy (same defaults for every set)"
python3 Benchmarks/loghub-eval.py --inquest "$BIN" --drain3
