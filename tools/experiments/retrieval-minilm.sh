#!/usr/bin/env bash
# Retrieval from published encoders on Cranfield (issue 19). Each stage writes its JSON and is skipped when that exists,
# so the script resumes where it stopped. Stages (STAGES, default all of them, in this order):
#   zero   BM25; dense MiniLM and arctic-xs as they ship (pooling and query prefix from their own config); hybrid (RRF k=60)
#   contr  contrastive adaptation of MiniLM on the Cranfield abstracts (models/minilm-contrastive-cranfield.json), CONTR_STEPS
#          steps of 16 title <-> abstract pairs, seeds SEEDS; dense and hybrid after it
#   pre    MLM and PROP continued from MiniLM (models/minilm-{mlm,prop}-cranfield.json), STEPS steps each, seed 42
#   rerank cross-encoder re-rankers (5-fold CV) from MiniLM, MiniLM + MLM, MiniLM + PROP; each fold's model re-ranks BM25@100
#          and hybrid@100 (BM25 + the zero-shot dense model whose hybrid scores best)
# MLM and PROP have the same budget: STEPS steps of 16 rows of 128 tokens. Re-rankers: EPOCHS passes, peak lr LR,
# pairs cut to MAXLEN tokens, NEG random BM25 negatives per positive.
# Usage: bash tools/experiments/retrieval-minilm.sh [out dir]
#   env: STAGES ("zero contr pre rerank"), SEEDS ("1 2 3"), CONTR_STEPS (100), STEPS (300), EPOCHS (1), LR (3e-5), MAXLEN (128),
#        NEG (1 BM25 negative per positive)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/retrieval-minilm}")
DATA=$(realpath ../shared/data/retrieval/cranfield)
STAGES=${STAGES:-zero contr pre rerank}; SEEDS=${SEEDS:-1 2 3}; CONTR_STEPS=${CONTR_STEPS:-100}; STEPS=${STEPS:-300}; EPOCHS=${EPOCHS:-1}
LR=${LR:-3e-5}; MAXLEN=${MAXLEN:-128}; NEG=${NEG:-1}
mkdir -p "$OUT/recipes"
dotnet build src/OnnxPretrain.Cli -c Release -v quiet -nologo >/dev/null
CLI="dotnet src/OnnxPretrain.Cli/bin/Release/net10.0/OnnxPretrain.Cli.dll"
has() { [[ " $STAGES " == *" $1 "* ]]; }
source tools/experiments/lib.sh
# recipe NAME SEED STEPS: a copy of models/NAME.json with STEPS steps, the schedule scaled to them, the seed, and the Cranfield path absolute.
recipe() {
  scaled_recipe "models/$1.json" "$3" | sed -e "s/\"seed\": [0-9]*/\"seed\": $2/" -e "s#\"\.\./\.\./shared/data/#\"$(realpath ../shared/data)/#" \
    > "$OUT/recipes/$1-$2.json"
}
export_fe() { [ -d "$2" ] || $CLI export "${@:3}" --checkpoint "$1" --task feature-extraction --out "$2" > /dev/null; }

if has zero; then
  for m in minilm arctic-xs; do
    [ -f "$OUT/import-$m/import_report.json" ] || $CLI import --from $m --out "$OUT/import-$m" 2> /dev/null
    export_fe "$OUT/import-$m" "$OUT/export-$m"
  done
  timed bm25 $CLI evaluate retrieval --data "$DATA" --retriever bm25 --out "$OUT/bm25"
  for m in minilm arctic-xs; do
    timed dense-$m $CLI evaluate retrieval --data "$DATA" --retriever dense --model "$OUT/export-$m" --out "$OUT/dense-$m"
    timed hybrid-$m $CLI evaluate retrieval --data "$DATA" --retriever hybrid --model "$OUT/export-$m" --out "$OUT/hybrid-$m"
  done
fi
if has contr; then
  for s in $SEEDS; do
    recipe minilm-contrastive-cranfield "$s" "$CONTR_STEPS"
    timed contrastive-$s $CLI pretrain --recipe "$OUT/recipes/minilm-contrastive-cranfield-$s.json" --out "$OUT/contrastive-$s" --threads 2
    export_fe "$OUT/contrastive-$s/checkpoint-$CONTR_STEPS" "$OUT/export-contrastive-$s" --recipe "$OUT/recipes/minilm-contrastive-cranfield-$s.json"
    timed dense-contrastive-$s $CLI evaluate retrieval --data "$DATA" --retriever dense --model "$OUT/export-contrastive-$s" --out "$OUT/dense-contrastive-$s"
    timed hybrid-contrastive-$s $CLI evaluate retrieval --data "$DATA" --retriever hybrid --model "$OUT/export-contrastive-$s" \
      --out "$OUT/hybrid-contrastive-$s"
  done
fi
if has pre; then
  for o in mlm prop; do
    recipe minilm-$o-cranfield 42 "$STEPS"
    timed pretrain-$o $CLI pretrain --recipe "$OUT/recipes/minilm-$o-cranfield-42.json" --out "$OUT/pretrain-$o" --threads 2
  done
fi
rerank() { local name=$1 init=$2; shift 2
  timed "$name" $CLI finetune rerank --recipe "$OUT/import-minilm/recipe.json" --data "$DATA" --init "$init" --folds 5 --epochs "$EPOCHS" \
    --lr "$LR" --max-length "$MAXLEN" --negatives "$NEG" --negative-sampling random --threads 2 --out "$OUT/$name" "$@"; }
if has rerank; then
  best=$(for m in minilm arctic-xs; do echo "$(jq '.metrics."ndcg@10"' "$OUT/hybrid-$m.json") $m"; done | sort -rn | head -n1 | cut -d' ' -f2)
  rerank rerank-minilm "$OUT/import-minilm" --dense-model "$OUT/export-$best"
  rerank rerank-mlm "$OUT/pretrain-mlm/checkpoint-$STEPS" --dense-model "$OUT/export-$best"
  rerank rerank-prop "$OUT/pretrain-prop/checkpoint-$STEPS" --dense-model "$OUT/export-$best"
fi
bash tools/experiments/retrieval-minilm-table.sh "$OUT" | tee "$OUT/table.md"
