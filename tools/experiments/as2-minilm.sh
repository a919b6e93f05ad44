#!/usr/bin/env bash
# The AS2 comparison of the published-checkpoint issue, in the papers' own setting at CPU scale (WikiQA):
#   (z) all-MiniLM-L6-v2 zero-shot as a bi-encoder (mean pooling, cosine), no training;
#   (a) MiniLM fine-tuned directly as a cross-encoder;
#   (b)-(f) MiniLM continued with MLM, SSP+MLM, SP+MLM, PSD+MLM, all three+MLM (models/minilm-*.json), then fine-tuned.
# Continued pre-training, the same for every row: STEPS optimizer steps of 16 sequences of 128 positions on the default
# corpus, peak lr 5e-5, 10% warmup, linear decay (the recipes' schedule scaled to STEPS in copies under $OUT/recipes).
# Fine-tuning, the same for every row: EPOCHS passes over train.tsv, batch 16, pairs cut to MAXLEN tokens, peak lr LR
# (10% warmup, linear decay), dev MAP EVALS times per epoch, the best kept (early stopping, patience 2 evaluations).
# Test P@1/MAP/MRR over questions with a positive. Resumable: finished runs (their .json) are skipped, so rerunning
# the same command continues where a killed session stopped. The CLI is copied to $OUT/cli first, so rebuilding the
# repository meanwhile does not change the binary under a running experiment.
# Usage: bash tools/experiments/as2-minilm.sh [out dir]
#   env: STEPS (200), SEEDS ("1 2 3"), ROWS ("a mlm ssp sp psd all"), EPOCHS (1), MAXLEN (64), LR (5e-5), EVALS (4)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/as2-minilm}")
DATA=../shared/data/as2/wikiqa
STEPS=${STEPS:-200}; SEEDS=${SEEDS:-1 2 3}; ROWS=${ROWS:-a mlm ssp sp psd all}
EPOCHS=${EPOCHS:-1}; MAXLEN=${MAXLEN:-64}; LR=${LR:-5e-5}; EVALS=${EVALS:-4}
mkdir -p "$OUT/recipes"
if [ ! -f "$OUT/cli/OnnxPretrain.Cli.dll" ]; then
  dotnet build src/OnnxPretrain.Cli -c Release -v quiet -nologo >/dev/null
  cp -r src/OnnxPretrain.Cli/bin/Release/net10.0 "$OUT/cli"
fi
CLI="dotnet $OUT/cli/OnnxPretrain.Cli.dll"
T="/usr/bin/time -f %e"

# (z) zero-shot bi-encoder.
if [ ! -f "$OUT/zero-shot.json" ]; then
  $CLI import --from minilm --out "$OUT/minilm" > /dev/null
  $CLI export --checkpoint "$OUT/minilm" --out "$OUT/minilm-export" > /dev/null
  $T -o "$OUT/zero-shot.seconds" $CLI evaluate as2 --model "$OUT/minilm-export" --bi-encoder mean --max-length 128 --data $DATA \
    > "$OUT/zero-shot.tmp" 2> "$OUT/zero-shot.log"
  mv "$OUT/zero-shot.tmp" "$OUT/zero-shot.json"
fi

pretrain() { # pretrain OBJECTIVE: models/minilm-OBJECTIVE.json for STEPS steps (resumes a killed run)
  local dir="$OUT/pretrain-$1" resume=()
  [ -f "$dir.json" ] && return
  sed -e "s/\"warmup_steps\": [0-9]*/\"warmup_steps\": $((STEPS / 10))/" -e "s/\"eval_every\": [0-9]*/\"eval_every\": $((STEPS / 2))/" \
      -e "s/\"checkpoint_every\": [0-9]*/\"checkpoint_every\": $((STEPS / 4))/" "models/minilm-$1.json" > "$OUT/recipes/minilm-$1.json"
  ls -d "$dir"/checkpoint-* >/dev/null 2>&1 && resume=(--resume)
  $T -o "$dir.seconds" $CLI pretrain --recipe "$OUT/recipes/minilm-$1.json" --steps "$STEPS" --out "$dir" --threads 2 "${resume[@]}" \
    > "$dir.tmp" 2>> "$dir.log"
  mv "$dir.tmp" "$dir.json"
}

finetune() { # finetune ROW SEED
  local name="$OUT/ft-$1-$2" init=minilm
  [ -f "$name.json" ] && return
  if [ "$1" != a ]; then pretrain "$1"; init="$OUT/pretrain-$1/checkpoint-$STEPS"; fi
  rm -rf "$name"
  $T -o "$name.seconds" $CLI finetune as2 --recipe models/minilm-mlm.json --init "$init" --data $DATA --epochs "$EPOCHS" --lr "$LR" \
    --batch 16 --max-length "$MAXLEN" --evals-per-epoch "$EVALS" --seed "$2" --threads 2 --out "$name" > "$name.tmp" 2> "$name.log"
  mv "$name.tmp" "$name.json"
  echo "ft-$1-$2: test MAP $(jq .systems.model.map "$name.json"), $(cat "$name.seconds") s"
}

for seed in $SEEDS; do for row in $ROWS; do finetune "$row" "$seed"; done; done
bash tools/experiments/as2-minilm-table.sh "$OUT" | tee "$OUT/table.md"
echo "done: $OUT"
