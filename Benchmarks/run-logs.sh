#!/usr/bin/env bash
# Reading logs at the speed of grep: `inquest logs --level error --count` against
# `grep -c -F` for the same condition, jq and lnav (with a format file), on the same
# generated files, in one hyperfine run; then instructions per input byte with callgrind.
#   - JSON lines and logfmt, SIZE_MIB each (default 200), one core (taskset -c 0) and both,
#     with the ordinary release build and with one linked --static-swift-stdlib;
#   - the JSON file gzipped, against zcat; the same volume split over four files;
#   - `--grep 'deadline exceeded' --count` against `grep -c -F` for the same words;
#   - `--trace ID --count` (the first trace ID's first 12 digits) against `grep -c -F` for them;
#   - the records written (`logs --level error`, not counted), on one core and both;
#   - callgrind on the first 20 MB of each (all threads summed), grep beside it, for both
#     builds (the static one starts with fewer libraries to load and relocate);
#   - peak resident memory.
# Usage: Benchmarks/run-logs.sh [SIZE_MIB]. Needs hyperfine, jq, lnav and valgrind
# (apt-get install -y hyperfine jq lnav valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-200}
data=Benchmarks/data
mkdir -p "$data"
json="$data/logs-$size.ndjson"
logfmt="$data/logs-$size.logfmt"
[ -f "$json" ] || python3 Benchmarks/generate-ndjson.py "$json" "$size"
[ -f "$json.gz" ] || gzip -6 -k "$json"
[ -f "$data/split-$size.4.ndjson" ] || python3 Benchmarks/generate-ndjson.py "$data/split-$size.ndjson" "$size" 4
# The same records as logfmt (Go's slog text handler writes this shape).
[ -f "$logfmt" ] || python3 - "$json" "$logfmt" <<'PY'
import json, sys
with open(sys.argv[1]) as src, open(sys.argv[2], "w") as out:
    for line in src:
        r = json.loads(line)
        out.write(f'time={r["time"]} level={r["level"]} service={r["service"]} msg="{r["msg"]}" '
                  f'trace_id={r["trace_id"]} span_id={r["span_id"]} http.status={r["http.status"]} '
                  f'duration_ms={r["duration_ms"]} user.id={r["user"]["id"]} user.tier={r["user"]["tier"]}\n')
PY
swift build -c release >/dev/null
bin=$PWD/.build/release/inquest
# The same code linked with the Swift runtime and Foundation inside (one file to copy to
# another machine; it starts in about 8 ms instead of 11-14 ms).
swift build -c release --static-swift-stdlib --scratch-path .build/static >/dev/null
sbin=$PWD/.build/static/release/inquest
# lnav reads the JSON lines through a format file, as a user of lnav would set it up.
lnavdir=$(mktemp -d)
trap 'rm -rf "$lnavdir"' EXIT
mkdir -p "$lnavdir/formats/installed"
cat > "$lnavdir/formats/installed/bench_json.json" <<'JSON'
{
  "$schema": "https://lnav.org/schemas/format-v1.schema.json",
  "bench_json_log": {
    "title": "Benchmark JSON lines", "json": true, "file-pattern": ".*\\.ndjson$",
    "timestamp-field": "time", "level-field": "level", "body-field": "msg",
    "value": { "service": { "kind": "string", "identifier": true }, "trace_id": { "kind": "string" } }
  }
}
JSON
# A trace asked for: the first line's, as a user copies it from an error.
tid=$(head -1 "$json" | sed -n 's/.*"trace_id":"\([0-9a-f]\{12\}\).*/\1/p')
lnavq=";SELECT count(*) FROM bench_json_log WHERE log_level = 'error'"
echo "answers (records at level error):"
echo "  json:   inquest $($bin logs --level error --count "$json"), grep $(grep -c -F '"level":"error"' "$json"), jq $(jq -c 'select(.level=="error")' "$json" | wc -l), lnav $(HOME=$lnavdir lnav -n -I "$lnavdir" -c "$lnavq" "$json" | tail -1 | tr -d ' ')"
echo "  logfmt: inquest $($bin logs --level error --count "$logfmt"), grep $(grep -c -F ' level=error ' "$logfmt")"
echo "  json, --trace $tid: inquest $($bin logs --trace "$tid" --count "$json"), grep $(grep -c -F "$tid" "$json")"
echo "  json, --grep 'deadline exceeded': inquest $($bin logs --grep 'deadline exceeded' --count "$json"), grep $(grep -c -F 'deadline exceeded' "$json")"
res=$(mktemp)
# --output=pipe: GNU grep stops at the first match when its output is /dev/null.
hyperfine -N --output=pipe --warmup 1 --runs 5 --export-json "$res" \
  -n inquest-json-1core "taskset -c 0 $bin logs --level error --count $json" \
  -n grep-json-1core "taskset -c 0 grep -c -F '\"level\":\"error\"' $json" \
  -n inquest-json-2cores "$bin logs --level error --count $json" \
  -n static-json-1core "taskset -c 0 $sbin logs --level error --count $json" \
  -n static-json-2cores "$sbin logs --level error --count $json" \
  -n static-logfmt-1core "taskset -c 0 $sbin logs --level error --count $logfmt" \
  -n inquest-logfmt-1core "taskset -c 0 $bin logs --level error --count $logfmt" \
  -n grep-logfmt-1core "taskset -c 0 grep -c -F ' level=error ' $logfmt" \
  -n inquest-logfmt-2cores "$bin logs --level error --count $logfmt" \
  -n inquest-grep-json-1core "taskset -c 0 $bin logs --grep 'deadline exceeded' --count $json" \
  -n grep-grep-json-1core "taskset -c 0 grep -c -F 'deadline exceeded' $json" \
  -n inquest-grep-json-2cores "$bin logs --grep 'deadline exceeded' --count $json" \
  -n inquest-trace-json-1core "taskset -c 0 $bin logs --trace $tid --count $json" \
  -n grep-trace-json-1core "taskset -c 0 grep -c -F $tid $json" \
  -n inquest-json-output-1core "taskset -c 0 $bin logs --level error $json" \
  -n inquest-json-output-2cores "$bin logs --level error $json" \
  -n inquest-gz "$bin logs --level error --count $json.gz" \
  -n zcat "sh -c 'zcat $json.gz > /dev/null'" \
  -n inquest-4-files "$bin logs --level error --count $data/split-$size.1.ndjson $data/split-$size.2.ndjson $data/split-$size.3.ndjson $data/split-$size.4.ndjson" \
  >/dev/null
slow=$(mktemp)
hyperfine -N --output=pipe --warmup 0 --runs 2 --export-json "$slow" \
  -n jq "sh -c \"jq -c 'select(.level==\\\"error\\\")' $json | wc -l\"" \
  -n lnav "env HOME=$lnavdir lnav -n -I $lnavdir -c \"$lnavq\" $json" >/dev/null
# Instructions a byte: callgrind, all threads summed, on the first 20 MB (whole lines).
cut20() { head -c 20000000 "$1" | sed '$d' > "$2"; }
small=$(mktemp -d)
cut20 "$json" "$small/20mb.ndjson"; cut20 "$logfmt" "$small/20mb.logfmt"
stripped="$small/inquest"; strip --strip-debug -o "$stripped" "$bin"
sstripped="$small/inquest-static"; strip --strip-debug -o "$sstripped" "$sbin"
# Output to a file: grep stops at its first match when writing to /dev/null.
irefs() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >"$small/out" | sed -n 's/.*refs: *//p' | tr -d ','; }
ij=$(irefs "$stripped" logs --level error --count "$small/20mb.ndjson")
il=$(irefs "$stripped" logs --level error --count "$small/20mb.logfmt")
i0=$(irefs "$stripped" logs --level error --count /dev/null)
ig=$(irefs "$stripped" logs --grep 'deadline exceeded' --count "$small/20mb.ndjson")
it=$(irefs "$stripped" logs --trace "$tid" --count "$small/20mb.ndjson")
sj=$(irefs "$sstripped" logs --level error --count "$small/20mb.ndjson")
sl=$(irefs "$sstripped" logs --level error --count "$small/20mb.logfmt")
gj=$(irefs grep -c -F '"level":"error"' "$small/20mb.ndjson")
bj=$(stat -c %s "$small/20mb.ndjson"); bl=$(stat -c %s "$small/20mb.logfmt")
rm -rf "$small"
python3 - "$res" "$slow" "$(stat -c %s "$json")" "$(stat -c %s "$logfmt")" "$ij" "$il" "$i0" "$gj" "$bj" "$bl" "$ig" "$it" "$sj" "$sl" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"] + json.load(open(sys.argv[2]))["results"]}
bj, bl = int(sys.argv[3]), int(sys.argv[4])
ij, il, i0, gj, sj, sl, ig, it, ssj, ssl = (int(x) for x in sys.argv[5:15])
m = lambda k: r[k]["mean"]
print(f"inputs: {bj/2**20:.0f} MiB of JSON lines, {bl/2**20:.0f} MiB of logfmt (the same records)")
for k in r:
    b = bl if "logfmt" in k else bj
    print(f"  {k:22} {m(k):7.3f} s  {b / m(k) / 1e6:6.0f} MB/s   user {r[k]['user']:.2f} s")
print(f"JSON,   one core:  inquest / grep = {m('inquest-json-1core') / m('grep-json-1core'):.2f}x   (target <= 2x)")
print(f"JSON,   two cores: inquest / grep = {m('inquest-json-2cores') / m('grep-json-1core'):.2f}x   (target <= 1x)")
print(f"logfmt, one core:  inquest / grep = {m('inquest-logfmt-1core') / m('grep-logfmt-1core'):.2f}x   (target <= 2x)")
print(f"logfmt, two cores: inquest / grep = {m('inquest-logfmt-2cores') / m('grep-logfmt-1core'):.2f}x   (target <= 1x)")
print(f"--grep 'deadline exceeded' --count (JSON): one core {m('inquest-grep-json-1core') / m('grep-grep-json-1core'):.2f}x grep -c -F's time, "
      f"two cores {m('inquest-grep-json-2cores') / m('grep-grep-json-1core'):.2f}x")
print(f"--trace ID --count (JSON, one core): {m('inquest-trace-json-1core') / m('grep-trace-json-1core'):.2f}x grep -c -F's time")
print(f"records written (logs --level error, JSON): one core {m('inquest-json-output-1core'):.3f} s, two cores {m('inquest-json-output-2cores'):.3f} s")
print(f"static build: JSON one core {m('static-json-1core') / m('grep-json-1core'):.2f}x, two cores {m('static-json-2cores') / m('grep-json-1core'):.2f}x, "
      f"logfmt one core {m('static-logfmt-1core') / m('grep-logfmt-1core'):.2f}x grep's time")
print(f"jq / inquest (JSON, one core): {m('jq') / m('inquest-json-1core'):.1f}x;  lnav / inquest: {m('lnav') / m('inquest-json-1core'):.1f}x")
print(f"gzip: inquest {m('inquest-gz'):.3f} s, zcat {m('zcat'):.3f} s -> {m('zcat') / m('inquest-gz'):.2f}x zcat")
print(f"callgrind, 20 MB: JSON {ij/1e6:.0f} M instructions = {ij/sj:.1f} a byte "
      f"({(ij-i0)/sj:.1f} a byte past the {i0/1e6:.0f} M of starting up; target <= 8); "
      f"logfmt {il/1e6:.0f} M = {il/sl:.1f} a byte ({(il-i0)/sl:.1f} past start-up); grep -c -F {gj/sj:.1f} a byte; "
      f"JSON --grep {ig/1e6:.0f} M = {ig/sj:.1f} a byte; JSON --trace {it/1e6:.0f} M = {it/sj:.1f} a byte")
print(f"callgrind, 20 MB, the static build (the binary to copy to other machines): JSON {ssj/1e6:.0f} M = {ssj/sj:.1f} a byte, "
      f"logfmt {ssl/1e6:.0f} M = {ssl/sl:.1f} a byte")
PY
for f in "$json" "$json.gz"; do
  /usr/bin/time -f "max RSS %M KiB  ($f)" "$bin" logs --level error --count "$f" >/dev/null
done
rm -f "$res" "$slow"
