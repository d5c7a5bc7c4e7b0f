#!/bin/sh
# Builds the libFuzzer targets (Sources/InquestFuzz) with the address sanitizer and
# runs each for a while on a seed corpus drawn from the fixtures.
#
#   Fuzz/run.sh [SECONDS] [TARGET...]     default: 600 seconds, every target
#
# Corpora grow in Fuzz/corpus/TARGET (git-ignored); crashes land in Fuzz/crashes/
# as TARGET-crash-*; a summary line per target (executions, crashes) goes to
# Fuzz/last-run.txt. Turn each crash into a test (Tests/InquestCoreTests/FuzzRegressionTests.swift,
# inputs in Tests/InquestCoreTests/Fixtures/fuzz/TARGET/) and replay with:
#   swift run InquestFuzz TARGET FILE...
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-600}
[ $# -gt 0 ] && shift
TARGETS=${*:-"json json-lines logfmt syslog access plain text docker-json cri otlp-logs detect jaeger zipkin-v2 zipkin-v1 otlp-traces gzip tar rules patterns partial redact convert span-table log-table metric-table prometheus prometheus-api"}
swift build -c release --scratch-path .build-fuzz --product InquestFuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING >&2
BIN=.build-fuzz/release/InquestFuzz
FIX=Tests/InquestCoreTests/Fixtures
FIXFILES="$FIX/logs $FIX/spans $FIX/traces"
SHARED=../shared/formats
mkdir -p Fuzz/crashes
: > Fuzz/last-run.txt

seed() {  # seed TARGET FILES...: copy up to 40 small files into the corpus
    dir=Fuzz/corpus/$1; shift
    mkdir -p "$dir"
    n=0
    for f in "$@"; do
        [ -f "$f" ] || continue
        [ "$(wc -c < "$f")" -le 65536 ] || continue
        cp "$f" "$dir/seed-$n-$(basename "$f")"
        n=$((n + 1))
        [ $n -ge 40 ] && break
    done
    return 0
}

for t in $TARGETS; do
    case $t in
        json) seed "$t" $FIX/spans/* $SHARED/spans/*/* $SHARED/logs/json/* $SHARED/bad/*.json ;;
        jaeger) seed "$t" $FIX/spans/* $SHARED/spans/jaeger/* ;;
        zipkin-v2|zipkin-v1) seed "$t" $FIX/spans/* $SHARED/spans/zipkin/* ;;
        otlp-traces) seed "$t" $FIX/spans/* $SHARED/spans/otlp/* ;;
        otlp-logs) seed "$t" $SHARED/logs/otlp/* $FIX/logs/* ;;
        gzip) seed "$t" $(find $FIX $SHARED -name '*.gz' 2>/dev/null) ;;
        tar) seed "$t" $(find $FIX $SHARED -name '*.tar*' 2>/dev/null) ;;
        rules) seed "$t" $(find Tests Benchmarks examples SampleData -name '*.yaml' -o -name '*.yml' 2>/dev/null) ;;
        partial) seed "$t" $FIX/partials/* ;;
        convert) seed "$t" $FIX/spans/* $SHARED/spans/*/* $FIX/logs/* $SHARED/logs/json/* ;;
        redact) seed "$t" $FIX/logs/* $SHARED/logs/*/* $SHARED/spans/*/* ;;
        patterns) seed "$t" $(find ../shared/loghub -name '*content.txt' 2>/dev/null | head -4) $FIX/logs/* ;;
        span-table|log-table|metric-table) seed "$t" $FIX/tables/* $(find ../shared/rca-real -name '*.csv' -size -64k 2>/dev/null | head -20) ;;
        prometheus|prometheus-api) seed "$t" $FIX/tables/* ;;
        json-lines|docker-json|cri) seed "$t" $FIX/logs/* $SHARED/logs/json/* $SHARED/bad/* ;;
        logfmt) seed "$t" $SHARED/logs/logfmt/* $FIX/logs/* ;;
        syslog) seed "$t" $SHARED/logs/syslog/* $SHARED/bad/bad_syslog.0 $FIX/logs/* ;;
        access) seed "$t" $SHARED/logs/access/* $SHARED/bad/bad_access_log.0 $FIX/logs/* ;;
        *) seed "$t" $FIX/logs/* $SHARED/logs/*/* $SHARED/bad/* ;;
    esac
    log=Fuzz/crashes/$t.log
    INQUEST_FUZZ_TARGET=$t "$BIN" "Fuzz/corpus/$t" -max_total_time="$SECONDS_EACH" -max_len=65536 \
        -rss_limit_mb=2048 -timeout=10 -artifact_prefix="Fuzz/crashes/$t-" -print_final_stats=1 > "$log" 2>&1 || true
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    crashes=$(ls Fuzz/crashes/ 2>/dev/null | grep -c "^$t-" || true)
    echo "$t: $SECONDS_EACH s, ${execs:-0} executions, $crashes crashes" | tee -a Fuzz/last-run.txt
done
