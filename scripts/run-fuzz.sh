#!/bin/sh
# run-fuzz.sh SECONDS TARGET... — run each libFuzzer target for SECONDS,
# growing its corpus in build/fuzz/corpus/NAME (seeded from tests/fuzz/corpus/NAME;
# the JSON payload targets also get tests/fuzz/payload.dict),
# and print one line per target: runs, corpus size, new coverage, verdict.
# Exits non-zero if any target crashed; the crashing input is kept in
# build/fuzz/artifacts/.
set -u
cd "$(dirname "$0")/.."

seconds=$1
shift
status=0
mkdir -p build/fuzz/artifacts build/fuzz/logs
printf '%-28s %12s %8s %8s  %s\n' target runs corpus cov verdict
for bin in "$@"; do
	name=$(basename "$bin")
	corpus=build/fuzz/corpus/$name
	log=build/fuzz/logs/$name.log
	mkdir -p "$corpus"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
	fi
	dict=""
	case "$name" in
	fuzz_payload_*) [ "$name" = fuzz_payload_flag ] || dict=-dict=tests/fuzz/payload.dict ;;
	esac
	# shellcheck disable=SC2086
	"$bin" $dict -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix=build/fuzz/artifacts/"$name"- "$corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	files=$(ls "$corpus" | wc -l)
	if [ $rc -eq 0 ]; then
		verdict="no crash"
	else
		verdict="FAILED (exit $rc; see $log)"
		status=1
	fi
	printf '%-28s %12s %8s %8s  %s\n' "$name" "${runs:-?}" "$files" "${cov:-?}" "$verdict"
done
exit $status
