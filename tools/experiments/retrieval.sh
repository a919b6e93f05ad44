#!/usr/bin/env bash
# The retrieval experiment of the PROP issue, on Cranfield:
#   BM25; dense retrieval after contrastive pre-training on the Cranfield abstracts; BM25@100 re-ranked by
#   cross-encoders fine-tuned with 5-fold CV from MLM and from PROP pre-training (same budget: STEPS steps of 16 rows of
#   128 positions on the default corpus plus the Cranfield abstracts; no query or qrel in pre-training).
# SHAPE picks the recipes: tiny (tiny-*-cranfield: 2 layers, hidden 128) or small (electra-small-*-cranfield: 12 layers,
# hidden 256). Copies under $OUT/recipes set 16 rows per step and scale warmup (10%) and checkpoints to STEPS.
# Re-rankers: EPOCHS passes, peak lr LR, pairs cut to MAXLEN tokens, NEG (random | hardest) BM25 negatives.
# Usage: bash tools/experiments/retrieval.sh [out dir]
#   env: SHAPE (tiny), STEPS (1000), EPOCHS (2), LR (3e-4), MAXLEN (256), NEG (random)
#   tiny with the defaults: about an hour on 2 cores; results as JSON in the out dir.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/retrieval}")
DATA=../shared/data/retrieval/cranfield
SHAPE=${SHAPE:-tiny}; STEPS=${STEPS:-1000}; EPOCHS=${EPOCHS:-2}; LR=${LR:-3e-4}; MAXLEN=${MAXLEN:-256}; NEG=${NEG:-random}
case $SHAPE in tiny) PREFIX=tiny ;; small) PREFIX=electra-small ;; *) echo "SHAPE must be tiny or small, not '$SHAPE'" >&2; exit 2 ;; esac
mkdir -p "$OUT/recipes"
dotnet build src/OnnxPretrain.Cli -c Release -v quiet -nologo >/dev/null
CLI="dotnet src/OnnxPretrain.Cli/bin/Release/net10.0/OnnxPretrain.Cli.dll"

# recipe NAME: a copy of models/NAME.json with 16 rows per step and the schedule scaled to STEPS (the Cranfield path
# in the copy is made relative to $OUT/recipes).
recipe() {
  sed -e "s/\"batch_size\": [0-9]*/\"batch_size\": 16/" -e "s/\"warmup_steps\": [0-9]*/\"warmup_steps\": $((STEPS / 10))/" \
      -e "s/\"eval_every\": [0-9]*/\"eval_every\": $((STEPS / 4))/" -e "s/\"checkpoint_every\": [0-9]*/\"checkpoint_every\": $((STEPS / 2))/" \
      -e "s#\"\.\./\.\./shared/data/#\"$(realpath ../shared/data)/#" "models/$1.json" > "$OUT/recipes/$1.json"
}
[ -f "$OUT/bm25.json" ] || $CLI evaluate retrieval --data $DATA --retriever bm25 --out "$OUT/bm25" > "$OUT/bm25.json"
for r in contrastive mlm prop; do
  name=$PREFIX-$r-cranfield
  recipe "$name"
  [ -f "$OUT/$name.json" ] || { /usr/bin/time -f "%e s wall" $CLI pretrain --recipe "$OUT/recipes/$name.json" --steps "$STEPS" \
    --out "$OUT/$name" --threads 2 > "$OUT/$name.tmp" 2> "$OUT/$name.log"; mv "$OUT/$name.tmp" "$OUT/$name.json"; tail -n1 "$OUT/$name.log"; }
done
$CLI export --recipe "$OUT/recipes/$PREFIX-contrastive-cranfield.json" --checkpoint "$OUT/$PREFIX-contrastive-cranfield/checkpoint-$STEPS" \
  --task feature-extraction --out "$OUT/contrastive-export" > /dev/null
$CLI evaluate retrieval --data $DATA --retriever dense --model "$OUT/contrastive-export" --out "$OUT/dense" > "$OUT/dense.json"
for r in mlm prop; do
  [ -f "$OUT/rerank-$r.json" ] && continue
  /usr/bin/time -f "%e s wall" $CLI finetune rerank --recipe "$OUT/recipes/$PREFIX-$r-cranfield.json" --data $DATA \
    --init "$OUT/$PREFIX-$r-cranfield/checkpoint-$STEPS" --folds 5 --epochs "$EPOCHS" --lr "$LR" --max-length "$MAXLEN" \
    --negative-sampling "$NEG" --threads 2 --out "$OUT/rerank-$r" > "$OUT/rerank-$r.tmp" 2> "$OUT/rerank-$r.log"
  mv "$OUT/rerank-$r.tmp" "$OUT/rerank-$r.json"; grep -E "^fold [0-9]+:" "$OUT/rerank-$r.log"; tail -n1 "$OUT/rerank-$r.log"
done
for f in bm25 dense rerank-mlm rerank-prop; do
  jq -r --arg f "$f" '(.metrics // .mean_over_folds.rerank) | "\($f): nDCG@10 \(."ndcg@10") MRR@10 \(."mrr@10") Recall@100 \(."recall@100")"' "$OUT/$f.json"
done | tee "$OUT/table.txt"
echo "done: $OUT"
