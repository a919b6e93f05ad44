#!/usr/bin/env bash
# AS2, second wave (issue 22), on WikiQA from all-MiniLM-L6-v2:
#   ie / ae            joint model (Di Liello et al. 2022; IE_k or AE_k head, k = K candidates of SEG tokens per row) from MiniLM;
#   mspp-ie / mspp-ae  the same from MiniLM + MSPP (models/minilm-mspp-{ie,ae}.json, segments of SEG tokens);
#   ctx                contextual cross-encoder (question, candidate, previous + next candidate) from MiniLM;
#   context            the same from MiniLM + our context-pair objective (models/minilm-context.json);
#   pw                 the pointwise cross-encoder from MiniLM at the contextual rows' length (MAXLEN), for comparison.
# Continued pre-training, the same budget for every objective and the previous issue's rows: STEPS steps of 16 rows,
# peak lr 5e-5, 10% warmup, linear decay (MSPP rows are (K + 1) x SEG tokens, context pairs 128).
# Fine-tuning: EPOCHS passes, peak lr LR, 10% warmup, linear decay, dev MAP EVALS times per epoch, best kept (patience 2);
# pairwise rows 16 pairs per step cut to MAXLEN tokens; joint rows JBATCH questions-with-K-candidates per step (about as many
# candidates per step as the pairwise rows). Test P@1/MAP/MRR over questions with a positive (tie-aware).
# Resumable: finished runs (their .json) are skipped. The CLI is copied to $OUT/cli first.
# Usage: bash tools/experiments/as2-joint.sh [out dir]
#   env: ROWS ("ie ctx pw mspp-ie context ae mspp-ae"), SEEDS ("1 2 3"), STEPS (200), EPOCHS (1), LR (5e-5), EVALS (4),
#        MAXLEN (128), K (5), SEG (48), JBATCH (4)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/as2-joint}")
DATA=$(realpath ../shared/data/as2/wikiqa)
ROWS=${ROWS:-ie ctx pw mspp-ie context ae mspp-ae}; SEEDS=${SEEDS:-1 2 3}; STEPS=${STEPS:-200}; EPOCHS=${EPOCHS:-1}; LR=${LR:-5e-5}
EVALS=${EVALS:-4}; MAXLEN=${MAXLEN:-128}; K=${K:-5}; SEG=${SEG:-48}; JBATCH=${JBATCH:-4}
mkdir -p "$OUT/recipes"
source tools/experiments/lib.sh
built_cli

pretrain() { # pretrain RECIPE: models/RECIPE.json scaled to STEPS steps (segments of SEG tokens for MSPP)
  scaled_recipe "models/$1.json" "$STEPS" | sed -e "s/\"segment_length\": [0-9]*/\"segment_length\": $SEG/" \
    -e "s/\"candidates\": [0-9]*/\"candidates\": $K/" > "$OUT/recipes/$1.json"
  if [[ $1 == minilm-mspp-* ]]; then
    sed -i -e "s/\"sequence_length\": [0-9]*/\"sequence_length\": $(((K + 1) * SEG))/" -e "s/\"type_vocab_size\": [0-9]*/\"type_vocab_size\": $((K + 1))/" \
      "$OUT/recipes/$1.json"
  fi
  timed pretrain-$1 $CLI pretrain --recipe "$OUT/recipes/$1.json" --out "$OUT/pretrain-$1" --threads 2
}

finetune() { # finetune ROW SEED
  local row=$1 seed=$2 init=minilm args=()
  case $row in
    ie|ae) args=(--joint ${row}_k --candidates $K --segment-length $SEG --batch $JBATCH);;
    mspp-ie|mspp-ae) pretrain minilm-$row; init="$OUT/pretrain-minilm-$row/checkpoint-$STEPS"
      args=(--joint ${row#mspp-}_k --candidates $K --segment-length $SEG --batch $JBATCH);;
    ctx) args=(--context --max-length $MAXLEN --batch 16);;
    context) pretrain minilm-context; init="$OUT/pretrain-minilm-context/checkpoint-$STEPS"; args=(--context --max-length $MAXLEN --batch 16);;
    pw) args=(--max-length $MAXLEN --batch 16);;
    *) echo "unknown row $row" >&2; exit 2;;
  esac
  rm -rf "$OUT/ft-$row-$seed"
  timed ft-$row-$seed $CLI finetune as2 --recipe models/minilm-mlm.json --init "$init" --data "$DATA" --epochs "$EPOCHS" --lr "$LR" \
    --evals-per-epoch "$EVALS" --seed "$seed" --threads 2 --out "$OUT/ft-$row-$seed" "${args[@]}"
}

for seed in $SEEDS; do for row in $ROWS; do [ -f "$OUT/ft-$row-$seed.json" ] || finetune "$row" "$seed"; done; done
bash tools/experiments/as2-joint-table.sh "$OUT" | tee "$OUT/table.md"
