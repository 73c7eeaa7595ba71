#!/usr/bin/env bash
# `make fuzz`: every cargo-fuzz target for FUZZ_SECONDS (default 60) each, then one line per
# target with its executions. New inputs go to fuzz/work/<target>/ (not committed); the
# committed seeds in fuzz/corpus/<target>/ are read only. Crashes land in
# fuzz/artifacts/<target>/: copy each into fuzz/regressions/<target>/ with the fix, and the
# stable replay test (crates/fuzz-harness) keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${FUZZ_SECONDS:-60}
RSS_MB=${FUZZ_RSS_MB:-2048}
TIMEOUT=${FUZZ_TIMEOUT:-10}
TARGETS=${FUZZ_TARGETS:-$(ls fuzz/fuzz_targets | sed 's/\.rs$//')}

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked || cargo install cargo-fuzz
cargo +nightly fuzz build

report=()
failed=0
for t in $TARGETS; do
  mkdir -p "fuzz/work/$t"
  log="fuzz/work/$t.log"
  rc=0
  cargo +nightly fuzz run "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT" \
    -print_final_stats=1 >"$log" 2>&1 || rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  if [ "$rc" -eq 0 ]; then
    outcome=ok
  else
    outcome="FAILED (see $log and fuzz/artifacts/$t/)"
    failed=1
  fi
  report+=("$(printf '%-24s %12s execs %8s/s  %s' "$t" "$execs" "$rate" "$outcome")")
  echo "${report[-1]}"
done

echo
echo "fuzz: ${SECONDS_EACH}s per target, rss limit ${RSS_MB} MB, timeout ${TIMEOUT}s per input"
printf '%s\n' "${report[@]}"
exit "$failed"
