#!/usr/bin/env bash
# Markdown table of tools/experiments/as2-joint.sh: WikiQA test P@1 / MAP / MRR of every row as mean ± sample std (n - 1)
# over the seeds found, dev MAP, pre-training and fine-tuning wall seconds; then the lexical baselines.
# Usage: bash tools/experiments/as2-joint-table.sh [out dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/as2-joint}")
source tools/experiments/lib.sh
echo "| row | seeds | test P@1 | test MAP | test MRR | dev MAP | pre-training s | fine-tuning s (mean) |"
echo "|---|---|---|---|---|---|---|---|"
wall() { grep "^$1:" "$OUT/wall.txt" 2>/dev/null | tail -n1 | awk '{print $2}'; }
for row in pw ctx context ie mspp-ie ae mspp-ae; do
  files=("$OUT"/ft-$row-[0-9]*.json); [ -f "${files[0]}" ] || continue
  pre=0; case $row in mspp-*) pre=$(wall pretrain-minilm-$row);; context) pre=$(wall pretrain-minilm-context);; esac
  label=$(case $row in pw) echo "pointwise from MiniLM";; ctx) echo "contextual from MiniLM";; context) echo "contextual from MiniLM + context pairs (ours)";;
    ie) echo "joint IE_k from MiniLM";; mspp-ie) echo "joint IE_k from MiniLM + MSPP";; ae) echo "joint AE_k from MiniLM";; mspp-ae) echo "joint AE_k from MiniLM + MSPP";; esac)
  jq -s -r --arg name "$label" --arg pre "${pre:-0}" "$MS_JQ"'
    "| \($name) | \(length) | \(ms(.systems.model.p_at_1; 10000)) | \(ms(.systems.model.map; 10000)) | \(ms(.systems.model.mrr; 10000)) | \(ms(.fine_tuning.dev_map; 10000)) | \($pre) | \(map(.fine_tuning.seconds) | add / length | round) |"' "${files[@]}"
done
first=$(ls "$OUT"/ft-*.json 2>/dev/null | head -n1)
[ -n "$first" ] && jq -r '.systems | to_entries[] | select(.key != "model") |
  "| \(.key) (lexical) | - | \(.value.p_at_1 * 10000 | round / 10000) | \(.value.map * 10000 | round / 10000) | \(.value.mrr * 10000 | round / 10000) | | | |"' "$first"
