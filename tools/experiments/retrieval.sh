#!/usr/bin/env bash
# The retrieval experiment of the PROP issue at CPU size (tiny shape, 2 layers, hidden 128), on Cranfield:
#   BM25; dense retrieval after contrastive pre-training on the Cranfield abstracts; BM25@100 re-ranked by
#   cross-encoders fine-tuned with 5-fold CV from MLM and from PROP pre-training (same budget: 1,000 steps of 16 rows on
#   the default corpus plus the Cranfield abstracts; no query or qrel in pre-training).
# Usage: bash tools/experiments/retrieval.sh [out dir]   (about an hour on 2 cores; results as JSON in the out dir)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-artifacts/experiments/retrieval}
DATA=../shared/data/retrieval/cranfield
EPOCHS=${EPOCHS:-2}
mkdir -p "$OUT"
dotnet build src/OnnxPretrain.Cli -c Release -v quiet -nologo >/dev/null
CLI="dotnet src/OnnxPretrain.Cli/bin/Release/net10.0/OnnxPretrain.Cli.dll"
$CLI evaluate retrieval --data $DATA --retriever bm25 --out "$OUT/bm25" > "$OUT/bm25.json"
for r in tiny-contrastive-cranfield tiny-mlm-cranfield tiny-prop-cranfield; do
  [ -f "$OUT/$r.json" ] || $CLI pretrain --recipe models/$r.json --out "$OUT/$r" --threads 2 > "$OUT/$r.json"
done
$CLI export --recipe models/tiny-contrastive-cranfield.json --checkpoint "$OUT/tiny-contrastive-cranfield/checkpoint-1000" \
  --task feature-extraction --out "$OUT/contrastive-export" > /dev/null
$CLI evaluate retrieval --data $DATA --retriever dense --model "$OUT/contrastive-export" --out "$OUT/dense" > "$OUT/dense.json"
for r in mlm prop; do
  $CLI finetune rerank --recipe models/tiny-$r-cranfield.json --data $DATA --init "$OUT/tiny-$r-cranfield/checkpoint-1000" \
    --folds 5 --epochs "$EPOCHS" --lr 3e-4 --max-length 256 --threads 2 --out "$OUT/rerank-$r" > "$OUT/rerank-$r.json"
done
echo "done: $OUT"
