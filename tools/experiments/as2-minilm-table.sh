#!/usr/bin/env bash
# Markdown table of tools/experiments/as2-minilm.sh: the zero-shot row, then WikiQA test P@1 / MAP / MRR of every
# row as mean ± sample std (n - 1) over the seeds found, dev MAP, wall times; then the lexical baselines.
# Usage: bash tools/experiments/as2-minilm-table.sh [out dir]
set -euo pipefail
OUT=${1:-artifacts/experiments/as2-minilm}
r4='* 10000 | round / 10000'
stat='def ms: (add / length) as $m | [$m, (if length > 1 then ((map(. - $m | . * .) | add) / (length - 1) | sqrt) else 0 end)];
      def f: "\(.[0] * 10000 | round / 10000) ± \(.[1] * 10000 | round / 10000)";'
echo "| row | seeds | test P@1 | test MAP | test MRR | dev MAP | pre-training s | fine-tuning s (mean) |"
echo "|---|---|---|---|---|---|---|---|"
[ -f "$OUT/zero-shot.json" ] && jq -r ".systems.model | \"| (z) zero-shot bi-encoder | - | \(.p_at_1 $r4) | \(.map $r4) | \(.mrr $r4) | | 0 | 0 |\"" "$OUT/zero-shot.json"
for row in a mlm ssp sp psd all; do
  files=("$OUT"/ft-$row-[0-9]*.json)
  [ -f "${files[0]}" ] || continue
  pre=0; [ -f "$OUT/pretrain-$row.seconds" ] && pre=$(tail -n1 "$OUT/pretrain-$row.seconds" | cut -d. -f1)
  label=$(case $row in a) echo "(a) fine-tuned directly";; mlm) echo "(b) + MLM";; ssp) echo "(c) + SSP";; sp) echo "(d) + SP";; psd) echo "(e) + PSD";; all) echo "(f) + all three";; esac)
  jq -s -r --arg name "$label" --arg pre "$pre" "$stat"'
    "| \($name) | \(length) | \(map(.systems.model.p_at_1) | ms | f) | \(map(.systems.model.map) | ms | f) | \(map(.systems.model.mrr) | ms | f) | \(map(.fine_tuning.dev_map) | ms | f) | \($pre) | \(map(.fine_tuning.seconds) | ms | .[0] | round) |"' "${files[@]}"
done
first=$(ls "$OUT"/zero-shot.json "$OUT"/ft-*.json 2>/dev/null | head -n1)
jq -r '.systems | to_entries[] | select(.key != "model") |
  "| \(.key) (lexical) | - | \(.value.p_at_1 * 10000 | round / 10000) | \(.value.map * 10000 | round / 10000) | \(.value.mrr * 10000 | round / 10000) | | | |"' "$first"
