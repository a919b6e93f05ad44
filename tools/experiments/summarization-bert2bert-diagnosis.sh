#!/usr/bin/env bash
# The two diagnostics behind row (e) of tools/experiments/summarization-bert2bert.sh (issue 20), seed 1:
#  overfit: the warm start with fresh cross-attention fine-tuned 25 epochs on the first 64 AESLC training emails and
#           asked for those same emails' subjects (can the decoder read the email at all?);
#  pilot:   300 steps (the first 4,800 training emails, lr 3e-4) with fresh cross-attention ("random") and with
#           cross-attention copied from self-attention ("self_attention"), scored on the first 300 dev emails.
# The subsets are written under the out dir (never into the repository). Each run writes its JSON and is skipped when it
# exists. Usage: bash tools/experiments/summarization-bert2bert-diagnosis.sh [out dir]   env: PILOTS ("random self_attention")
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/summarization-bert2bert-diagnosis}")
DATA=$(realpath ../shared/data/summarization/aeslc)
PILOTS=${PILOTS:-random self_attention}
mkdir -p "$OUT/recipes" "$OUT/data-overfit" "$OUT/data-pilot"
source tools/experiments/lib.sh
built_cli
for split in train dev test; do head -n 64 "$DATA/train.jsonl" > "$OUT/data-overfit/$split.jsonl"; done
cp "$DATA/train.jsonl" "$DATA/dev.jsonl" "$OUT/data-pilot/" && head -n 300 "$DATA/dev.jsonl" > "$OUT/data-pilot/test.jsonl"
for cross in random self_attention; do
  sed -e 's/"max_source_length": [0-9]*/"max_source_length": 128/' -e 's/"max_target_length": [0-9]*/"max_target_length": 32/' \
    -e "s/\"warm_start_cross_attention\": \"[a-z_]*\"/\"warm_start_cross_attention\": \"$cross\"/" models/minilm2minilm-gsg.json \
    > "$OUT/recipes/finetune-$cross.json"
done
common=(--init minilm --batch 16 --lr 3e-4 --max-source-length 128 --no-repeat-ngram-size 3 --seed 1 --threads 2)
timed overfit $CLI finetune summarization --recipe "$OUT/recipes/finetune-random.json" --data "$OUT/data-overfit" --epochs 25 \
  "${common[@]}" --out "$OUT/overfit"
for cross in $PILOTS; do
  timed pilot-$cross $CLI finetune summarization --recipe "$OUT/recipes/finetune-$cross.json" --data "$OUT/data-pilot" --epochs 1 \
    --train-limit 4800 "${common[@]}" --out "$OUT/pilot-$cross"
done
for run in overfit $(for c in $PILOTS; do echo pilot-$c; done); do
  jq -r --arg run "$run" '.systems.predictions.primary as $p
    | "\($run): ROUGE-1 \($p.rouge1.f1 * 10000 | round / 100), ROUGE-L \($p.rougeL.f1 * 10000 | round / 100)"' "$OUT/$run.json"
  echo "  distinct predictions: $(jq -r .prediction "$OUT/$run/predictions-test.jsonl" | sort -u | wc -l) of $(wc -l < "$OUT/$run/predictions-test.jsonl")"
done
