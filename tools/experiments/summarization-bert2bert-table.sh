#!/usr/bin/env bash
# The table of tools/experiments/summarization-bert2bert.sh: test ROUGE-1/2/L/Lsum F1 (percent) mean ± sample std over
# the seeds found, the share of distinct predictions, fine-tuning seconds; Lead-1; generation speed; three examples per row.
# Usage: bash tools/experiments/summarization-bert2bert-table.sh [out dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/summarization-bert2bert}")
source tools/experiments/lib.sh
K='["rouge1","rouge2","rougeL","rougeLsum"]'
ROWS="random warm gsg spancorrupt warmself gsgself spancorruptself"
echo "| row | seeds | ROUGE-1 | ROUGE-2 | ROUGE-L | ROUGE-Lsum | distinct predictions | fine-tuning s |"
echo "|---|---|---|---|---|---|---|---|"
[ -f "$OUT/lead.json" ] && jq -r "[.systems | to_entries[0].value.primary as \$p | $K[] | \$p[.].f1 * 10000 | round / 100 | tostring]
  | \"| Lead-1 | - | \" + join(\" | \") + \" | | |\"" "$OUT/lead.json"
distinct() { jq -rs 'map(.prediction) | (unique | length) / length * 1000 | round / 1000' "$1"; }
for row in $ROWS; do
  files=("$OUT"/ft-$row-[0-9]*.json); [ -f "${files[0]}" ] || continue
  shares=$(for f in "${files[@]}"; do distinct "${f%.json}/predictions-test.jsonl"; done | paste -sd/)
  jq -rs --arg row "$row" --arg shares "$shares" "$MS_JQ
    . as \$all | [\$row, (length | tostring)] + [$K[] as \$k | (\$all | ms(.systems | to_entries[0].value.primary[\$k].f1 * 100; 100))]
      + [\$shares, (\$all | map(.fine_tuning.seconds) | add / length | round | tostring)] | \"| \" + join(\" | \") + \" |\"" "${files[@]}"
done
for b in 1 4; do
  [ -f "$OUT/speed-warmself-beam$b.json" ] && jq -r --arg b "$b" \
    '"beams \($b): \(.generation.tokens_per_s) tokens/s, \(.generation.examples_per_s) documents/s"' "$OUT/speed-warmself-beam$b.json"
done
echo
echo "Examples (first seed of each row; test lines 1, 101, 1001):"
TEST=$(realpath ../shared/data/summarization/aeslc/test.jsonl)
for row in $ROWS; do
  f=$(for d in "$OUT"/ft-$row-[0-9]*; do [ -f "$d/predictions-test.jsonl" ] && echo "$d"; done | head -n1) || true
  [ -n "$f" ] || continue
  for i in 1 101 1001; do
    echo "- $row: \"$(sed -n ${i}p "$f/predictions-test.jsonl" | jq -r .prediction)\" (reference: \"$(sed -n ${i}p "$TEST" | jq -r .summary)\")"
  done
done
