#!/usr/bin/env bash
# Runs the whole MSTest suite (every project in OnnxPretrain.sln) and ends with one line:
#   N passed, N failed, N skipped
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Autodiff").
set -uo pipefail
cd "$(dirname "$0")/.."
# Tests write checkpoints and imported models (hundreds of MB) under the temp folder: give the run its own and remove it
# at the end, so repeated runs cannot fill the disk.
TMPDIR="$(mktemp -d "${TMPDIR:-/tmp}/onnxpretrain-tests.XXXXXX")"
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
results="$TMPDIR/results"
dotnet test OnnxPretrain.sln -c Release --logger trx --results-directory "$results" "$@"
rc=$?
sum() { cat "$results"/*.trx 2>/dev/null | grep -o "<Counters [^>]*" | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*" | awk '{s+=$1} END {print s+0}'; }
passed=$(sum passed); failed=$(sum failed); errors=$(sum error)
# Tests that ran but were inconclusive (e.g. data under ../shared absent) or were not executed count as skipped.
skipped=$(( $(sum total) - $(sum executed) + $(sum inconclusive) ))
failed=$(( failed + errors ))
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "dotnet test exited with $rc (build or run error)" >&2; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
