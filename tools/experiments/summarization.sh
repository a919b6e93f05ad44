#!/usr/bin/env bash
# The summarisation experiment of the seq2seq issue, on AESLC (email body -> subject line): Lead-1; fine-tuned from
# (a) random init, (b) T5 span-corruption and (c) PEGASUS GSG pre-training with the same budget (STEPS steps of 16
# documents on the default corpus); ROUGE-1/2/L on test (greedy) for every fine-tuning seed, generation speed greedy
# and beam 4 (first seed's GSG model).
# SHAPE picks the recipes: tiny (seq2seq-tiny-*: 2+2 layers, d_model 128) or small (seq2seq-small-*: 4+4 layers,
# d_model 256). Copies under $OUT/recipes set 16 documents per step and scale warmup (10%) and checkpoints to STEPS.
# Fine-tuning: EPOCHS passes over the first LIMIT training examples (0 = all 14,436), peak lr LR, sources cut to MAXSRC
# tokens; generation: at most 32 new tokens, no repeated NOREPEAT-gram (0 = off).
# Usage: bash tools/experiments/summarization.sh [out dir]
#   env: SHAPE (tiny), STEPS (1000), SEEDS ("1"), EPOCHS (1), LIMIT (0), LR (1e-3), MAXSRC (512), NOREPEAT (0)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/summarization}")
DATA=../shared/data/summarization/aeslc
SHAPE=${SHAPE:-tiny}; STEPS=${STEPS:-1000}; SEEDS=${SEEDS:-1}; EPOCHS=${EPOCHS:-1}; LIMIT=${LIMIT:-0}
LR=${LR:-1e-3}; MAXSRC=${MAXSRC:-512}; NOREPEAT=${NOREPEAT:-0}
case $SHAPE in tiny|small) ;; *) echo "SHAPE must be tiny or small, not '$SHAPE'" >&2; exit 2 ;; esac
mkdir -p "$OUT/recipes"
dotnet build src/OnnxPretrain.Cli -c Release -v quiet -nologo >/dev/null
CLI="dotnet src/OnnxPretrain.Cli/bin/Release/net10.0/OnnxPretrain.Cli.dll"

# recipe NAME: a copy of models/NAME.json with 16 documents per step and the schedule scaled to STEPS.
recipe() {
  sed -e "s/\"batch_size\": [0-9]*/\"batch_size\": 16/" -e "s/\"warmup_steps\": [0-9]*/\"warmup_steps\": $((STEPS / 10))/" \
      -e "s/\"eval_every\": [0-9]*/\"eval_every\": $((STEPS / 4))/" -e "s/\"checkpoint_every\": [0-9]*/\"checkpoint_every\": $((STEPS / 2))/" \
      "models/$1.json" > "$OUT/recipes/$1.json"
}
[ -f "$OUT/lead.json" ] || $CLI evaluate summarization --data $DATA --split test --lead --out "$OUT/lead" > "$OUT/lead.json"
for r in gsg spancorrupt; do
  recipe "seq2seq-$SHAPE-$r"
  [ -f "$OUT/pretrain-$r.json" ] || { /usr/bin/time -f "%e s wall" $CLI pretrain --recipe "$OUT/recipes/seq2seq-$SHAPE-$r.json" \
    --steps "$STEPS" --out "$OUT/pretrain-$r" --threads 2 > "$OUT/pretrain-$r.tmp" 2> "$OUT/pretrain-$r.log"
    mv "$OUT/pretrain-$r.tmp" "$OUT/pretrain-$r.json"; tail -n1 "$OUT/pretrain-$r.log"; }
done
for seed in $SEEDS; do
  for init in random gsg spancorrupt; do
    name=ft-$init-$seed
    [ -f "$OUT/$name.json" ] && continue
    args=(); [ $init = random ] || args=(--init "$OUT/pretrain-$init/checkpoint-$STEPS")
    /usr/bin/time -f "%e s wall" $CLI finetune summarization --recipe "$OUT/recipes/seq2seq-$SHAPE-gsg.json" --data $DATA "${args[@]}" \
      --epochs "$EPOCHS" --train-limit "$LIMIT" --batch 16 --lr "$LR" --max-source-length "$MAXSRC" --max-new-tokens 32 \
      --no-repeat-ngram-size "$NOREPEAT" --seed "$seed" --threads 2 --out "$OUT/$name" > "$OUT/$name.tmp" 2> "$OUT/$name.log"
    mv "$OUT/$name.tmp" "$OUT/$name.json"; tail -n1 "$OUT/$name.log"
  done
done
first=$(echo $SEEDS | cut -d' ' -f1)
[ -f "$OUT/beam4.json" ] || $CLI evaluate summarization --data $DATA --split test --model "$OUT/ft-gsg-$first/export" --num-beams 4 \
  --max-new-tokens 32 --max-source-length "$MAXSRC" --no-repeat-ngram-size "$NOREPEAT" --threads 2 --out "$OUT/beam4" > "$OUT/beam4.json"
for f in lead $(for s in $SEEDS; do echo ft-random-$s ft-spancorrupt-$s ft-gsg-$s; done) beam4; do
  jq -r --arg f "$f" '.systems | to_entries[0].value.primary | "\($f): ROUGE-1 \(.rouge1.f1*100) ROUGE-2 \(.rouge2.f1*100) ROUGE-L \(.rougeL.f1*100)"' "$OUT/$f.json"
done | tee "$OUT/table.txt"
echo "done: $OUT"
