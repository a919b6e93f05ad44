#!/usr/bin/env bash
# Ours against the TorchSharp yardstick (../shared/peers/torchsharp-mlm) on the same shape, back to back in one run:
# bert-small-mlm (12 x 256, 4 heads, FFN 1024, vocab 30522), batch 16 x 128, dropout 0.1, THREADS intra-op threads.
# Builds both, alternates REPS times (ours, then the peer), and prints one JSON line per run and a summary line with
# the medians and the ratio ours/peer of tokens/s (> 1: ours is faster) and of peak RSS.
# BASELINE=<path to another build's OnnxPretrain.Cli.dll> adds that build to every rep (before/after in one run) and the
# ratio ours/baseline.
# Usage: bash tools/bench-vs-peer.sh     env: THREADS (2), STEPS (20), WARMUP (3), REPS (3), BASELINE (none)
set -euo pipefail
if [ -n "${BASELINE:-}" ]; then
  BASELINE=$(realpath "$BASELINE")
  [ -f "$BASELINE" ] || { echo "BASELINE=$BASELINE is not a file; give the path of another build's OnnxPretrain.Cli.dll." >&2; exit 2; }
fi
cd "$(dirname "$0")/.."
PEER=../shared/peers/torchsharp-mlm
[ -d "$PEER" ] || { echo "The peer is not at $PEER; this script needs it." >&2; exit 2; }
THREADS=${THREADS:-2}; STEPS=${STEPS:-20}; WARMUP=${WARMUP:-3}; REPS=${REPS:-3}
dotnet build src/OnnxPretrain.Cli -c Release -v quiet -nologo >/dev/null
dotnet build "$PEER" -c Release -v quiet -nologo >/dev/null
RUN="--threads $THREADS --steps $STEPS --warmup $WARMUP"
OURS="dotnet src/OnnxPretrain.Cli/bin/Release/net10.0/OnnxPretrain.Cli.dll bench --recipe models/bert-small-mlm.json $RUN"
THEIRS="dotnet $PEER/bin/Release/net10.0/TorchSharpMlm.dll --layers 12 --hidden 256 --heads 4 --vocab 30522 --seq 128 --batch 16 $RUN"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); avx512f: $(grep -c avx512f /proc/cpuinfo)" >&2
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for rep in $(seq "$REPS"); do
  if [ -n "${BASELINE:-}" ]; then
    dotnet "$BASELINE" bench --recipe models/bert-small-mlm.json $RUN 2>/dev/null | tail -n1 \
      | jq -c --arg r "$rep" '{who: "baseline", rep: $r, tokens_per_s, ms_per_step_median, peak_rss_mb}' | tee -a "$results"
  fi
  $OURS 2>/dev/null | tail -n1 \
    | jq -c --arg r "$rep" '{who: "ours", rep: $r, tokens_per_s, ms_per_step_median, peak_rss_mb, optimizer_ms_per_step_median,
      dropout_mask_ms_per_step}' | tee -a "$results"
  $THEIRS 2>/dev/null | tail -n1 | jq -c --arg r "$rep" '{who: "peer", rep: $r, tokens_per_s, ms_per_step_median, peak_rss_mb}' \
    | tee -a "$results"
done
jq -sc 'def med(f): map(f) | sort | .[length / 2 | floor];
  (map(select(.who == "ours"))) as $o | (map(select(.who == "peer"))) as $p | (map(select(.who == "baseline"))) as $b
  | {ours_tokens_per_s: ($o | med(.tokens_per_s)), peer_tokens_per_s: ($p | med(.tokens_per_s)),
     ratio_tokens_per_s: ((($o | med(.tokens_per_s)) / ($p | med(.tokens_per_s))) * 1000 | round / 1000),
     ours_peak_rss_mb: ($o | med(.peak_rss_mb)), peer_peak_rss_mb: ($p | med(.peak_rss_mb)),
     ratio_peak_rss: ((($o | med(.peak_rss_mb)) / ($p | med(.peak_rss_mb))) * 1000 | round / 1000)}
  + if ($b | length) > 0 then {baseline_tokens_per_s: ($b | med(.tokens_per_s)), baseline_peak_rss_mb: ($b | med(.peak_rss_mb)),
      ratio_ours_baseline_tokens_per_s: ((($o | med(.tokens_per_s)) / ($b | med(.tokens_per_s))) * 1000 | round / 1000)} else {} end' "$results"
