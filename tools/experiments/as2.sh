#!/usr/bin/env bash
# The AS2 experiment of the sentence-level issue, on WikiQA: fine-tuned cross-encoders from
#   (a) random init, (b) bert-small-mlm, (c) electra-small-rts, (d) electra-small-rts for STEPS/2 steps, then SSP + MLM
#   continued pre-training for STEPS/2 steps (init_from the RTS checkpoint),
# every pre-training with the same budget: STEPS optimizer steps of 16 sequences of 128 positions on the default corpus.
# Fine-tuning: EPOCHS passes over train.tsv, batch 16, pairs cut to MAXLEN tokens, peak lr LR (10% warmup, linear
# decay), best dev MAP kept; one run per seed in SEEDS. Test P@1/MAP/MRR over questions with a positive (filtered).
# The recipes' warmup (1,000 steps), evaluation and checkpoint periods are scaled to STEPS in copies under $OUT/recipes.
# Usage: bash tools/experiments/as2.sh [out dir]   env: STEPS (300), SEEDS ("1 2 3"), EPOCHS (1), MAXLEN (64), LR (1e-4)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/as2}")
DATA=../shared/data/as2/wikiqa
STEPS=${STEPS:-300}; SEEDS=${SEEDS:-1 2 3}; EPOCHS=${EPOCHS:-1}; MAXLEN=${MAXLEN:-64}; LR=${LR:-1e-4}
HALF=$((STEPS / 2)); WARMUP=$((STEPS / 10))
mkdir -p "$OUT/recipes"
dotnet build src/OnnxPretrain.Cli -c Release -v quiet -nologo >/dev/null
CLI="dotnet src/OnnxPretrain.Cli/bin/Release/net10.0/OnnxPretrain.Cli.dll"

# recipe NAME WARMUP PERIOD [INIT_FROM]: a copy of models/NAME.json with the schedule scaled to this budget.
recipe() {
  local init=""; [ -n "${4:-}" ] && init=", \"init_from\": \"$4\""
  sed -e "s/\"warmup_steps\": [0-9]*/\"warmup_steps\": $2/" -e "s/\"eval_every\": [0-9]*/\"eval_every\": $3/" \
      -e "s/\"checkpoint_every\": [0-9]*/\"checkpoint_every\": $3/" -e "s#\"seed\": \([0-9]*\) }#\"seed\": \1$init }#" \
      "models/$1.json" > "$OUT/recipes/$1.json"
}
recipe bert-small-mlm $WARMUP $HALF
recipe electra-small-rts $WARMUP $HALF
recipe electra-small-ssp $((HALF / 10)) $HALF "$OUT/pretrain-rts/checkpoint-$HALF"

pretrain() { # pretrain KEY RECIPE STEPS
  [ -f "$OUT/pretrain-$1.json" ] || { /usr/bin/time -f "%e s wall" $CLI pretrain --recipe "$OUT/recipes/$2.json" --steps "$3" \
    --out "$OUT/pretrain-$1" --threads 2 > "$OUT/pretrain-$1.json" 2> "$OUT/pretrain-$1.log"; tail -n1 "$OUT/pretrain-$1.log"; }
}
pretrain mlm bert-small-mlm $STEPS
pretrain rts electra-small-rts $STEPS
pretrain rts-ssp electra-small-ssp $HALF

for seed in $SEEDS; do
  for init in random mlm rts rts-ssp; do
    name=ft-$init-$seed
    [ -f "$OUT/$name.json" ] && continue
    case $init in
      random) args=(--recipe models/electra-small-rts.json) ;;
      mlm) args=(--recipe models/bert-small-mlm.json --init "$OUT/pretrain-mlm/checkpoint-$STEPS") ;;
      rts) args=(--recipe models/electra-small-rts.json --init "$OUT/pretrain-rts/checkpoint-$STEPS") ;;
      rts-ssp) args=(--recipe models/electra-small-rts.json --init "$OUT/pretrain-rts-ssp/checkpoint-$HALF") ;;
    esac
    /usr/bin/time -f "%e s wall" $CLI finetune as2 "${args[@]}" --data $DATA --epochs "$EPOCHS" --lr "$LR" --batch 16 \
      --max-length "$MAXLEN" --seed "$seed" --threads 2 --out "$OUT/$name" > "$OUT/$name.tmp" 2> "$OUT/$name.log"
    mv "$OUT/$name.tmp" "$OUT/$name.json"; tail -n1 "$OUT/$name.log"
  done
done
bash tools/experiments/as2-table.sh "$OUT" | tee "$OUT/table.md"
echo "done: $OUT"
