#!/usr/bin/env bash
# The markdown table of tools/experiments/retrieval-minilm.sh from its JSON files (rows whose files are missing are left out).
# Usage: bash tools/experiments/retrieval-minilm-table.sh [out dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/retrieval-minilm}")
source tools/experiments/lib.sh
M='"ndcg@10", "mrr@10", "recall@100", "map@100"'
echo "| system | nDCG@10 | MRR@10 | Recall@100 | MAP@100 |"
echo "|---|---|---|---|---|"
one() { [ -f "$OUT/$2.json" ] && jq -r --arg n "$1" "[\$n] + [.metrics[$M] | tostring] | \"| \" + join(\" | \") + \" |\"" "$OUT/$2.json" || true; }
# seeds LABEL PREFIX: mean ± sample std over the files PREFIX-*.json (single runs).
seeds() { local files=("$OUT"/$2-[0-9]*.json); [ -f "${files[0]}" ] || return 0
  jq -rs --arg n "$1 (${#files[@]} seeds)" "$MS_JQ . as \$all | [\$n] + [[$M][] as \$key | (\$all | ms(.metrics[\$key]; 10000))]
    | \"| \" + join(\" | \") + \" |\"" "${files[@]}"; }
# folds LABEL FILE KEY: a re-ranker's mean ± std over its folds (KEY rerank: of BM25@100; rerank_hybrid: of hybrid@100).
folds() { [ -f "$OUT/$2.json" ] && jq -r --arg n "$1" --arg r "$3" "[\$n] + ([$M] as \$k
    | [\$k[] as \$key | \"\\(.mean_over_folds[\$r][\$key]) ± \\(.std_over_folds[\$r][\$key])\"]) | \"| \" + join(\" | \") + \" |\"" "$OUT/$2.json" || true; }
one "BM25 (k1 0.9, b 0.4)" bm25
one "dense MiniLM, zero-shot (mean pooling)" dense-minilm
one "dense arctic-xs, zero-shot ([CLS], query prefix)" dense-arctic-xs
one "hybrid BM25 + MiniLM (RRF k=60)" hybrid-minilm
one "hybrid BM25 + arctic-xs (RRF k=60)" hybrid-arctic-xs
seeds "dense MiniLM + contrastive on Cranfield" dense-contrastive
seeds "hybrid BM25 + (MiniLM + contrastive)" hybrid-contrastive
for r in "minilm:MiniLM" "mlm:MiniLM + MLM" "prop:MiniLM + PROP"; do
  folds "re-rank BM25@100, cross-encoder from ${r#*:} (5 folds)" "rerank-${r%%:*}" rerank
done
for r in "minilm:MiniLM" "mlm:MiniLM + MLM" "prop:MiniLM + PROP"; do
  folds "re-rank hybrid@100, cross-encoder from ${r#*:} (5 folds)" "rerank-${r%%:*}" rerank_hybrid
done
