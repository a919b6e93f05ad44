#!/usr/bin/env bash
# The summarisation experiment of the seq2seq issue at CPU size (seq2seq-tiny: BART-style 2+2 layers, d_model 128), on
# AESLC: Lead-1; fine-tuned from (a) random init, (b) span-corruption and (c) GSG pre-training with the same budget
# (STEPS steps of 16 chunks on the default corpus); ROUGE-1/2/L on test (greedy), generation speed greedy and beam 4.
# Usage: bash tools/experiments/summarization.sh [out dir]   env: STEPS (1000), SEEDS ("1"), EPOCHS (1), LIMIT (0 = all train)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-artifacts/experiments/summarization}
DATA=../shared/data/summarization/aeslc
STEPS=${STEPS:-1000}; SEEDS=${SEEDS:-1}; EPOCHS=${EPOCHS:-1}; LIMIT=${LIMIT:-0}
mkdir -p "$OUT"
dotnet build src/OnnxPretrain.Cli -c Release -v quiet -nologo >/dev/null
CLI="dotnet src/OnnxPretrain.Cli/bin/Release/net10.0/OnnxPretrain.Cli.dll"
$CLI evaluate summarization --data $DATA --split test --lead --out "$OUT/lead" > "$OUT/lead.json"
for r in gsg spancorrupt; do
  [ -f "$OUT/pretrain-$r.json" ] || $CLI pretrain --recipe models/seq2seq-tiny-$r.json --steps "$STEPS" --out "$OUT/pretrain-$r" --threads 2 > "$OUT/pretrain-$r.json"
done
for seed in $SEEDS; do
  for init in random gsg spancorrupt; do
    name=ft-$init-$seed
    [ -f "$OUT/$name.json" ] && continue
    args=(); [ $init = random ] || args=(--init "$OUT/pretrain-$init/checkpoint-$STEPS")
    $CLI finetune summarization --recipe models/seq2seq-tiny-gsg.json --data $DATA "${args[@]}" --epochs "$EPOCHS" --train-limit "$LIMIT" \
      --batch 16 --lr 1e-3 --max-new-tokens 32 --seed "$seed" --threads 2 --out "$OUT/$name" > "$OUT/$name.json"
  done
done
first=$(echo $SEEDS | cut -d' ' -f1)
$CLI evaluate summarization --data $DATA --split test --model "$OUT/ft-gsg-$first/export" --num-beams 4 --max-new-tokens 32 \
  --threads 2 --out "$OUT/beam4" > "$OUT/beam4.json"
echo "done: $OUT"
