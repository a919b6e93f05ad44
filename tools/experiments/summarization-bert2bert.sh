#!/usr/bin/env bash
# BERT2BERT on AESLC (issue 20): an encoder-decoder of all-MiniLM-L6-v2's shape (models/minilm2minilm-gsg.json), fine-tuned
# from (a) random init, (b) the warm start from MiniLM (--init minilm), (c) the warm start + GSG and (d) the warm start +
# span corruption, both pre-trained STEPS steps of 16 documents on the default corpus (same budget), (e) "warmself": the
# warm start with each decoder layer's cross-attention copied from its self-attention (training.warm_start_cross_attention),
# and (f) "gsgself" / (g) "spancorruptself": (c) and (d) pre-trained from (e)'s warm start instead. Lead-1 beside them.
# Every row has the same fine-tuning: EPOCHS passes over the first LIMIT training examples (0 = all 14,436), 16 examples
# per step, peak lr LR (10% warmup, linear decay), sources cut to SRCLEN tokens and targets to TGTLEN (pre-training
# sources to SRCLEN too, targets to the recipe's 64); test
# generation greedy, sources cut to MAXSRC, at most 32 new tokens, no repeated NOREPEAT-gram (0 = off). Each run writes its JSON and is skipped
# when that exists, so the script resumes where it stopped. The table (tools/experiments/summarization-bert2bert-table.sh)
# gives ROUGE mean ± std over seeds, the share of distinct test predictions and a few examples beside their references.
# The CLI is built once per out dir ($OUT/cli, lib.sh's built_cli): delete that folder when reusing an out dir made by an
# older build (one without training.warm_start_cross_attention refuses the recipes with "unknown key").
# Usage: bash tools/experiments/summarization-bert2bert.sh [out dir]
#   env: ROWS ("random warm gsg spancorrupt warmself"; also gsgself, spancorruptself), SEEDS ("1 2 3"), STEPS (300), EPOCHS (1), LIMIT (2000), LR (1e-4),
#        SRCLEN (256), TGTLEN (64), MAXSRC (256), NOREPEAT (0),
#        BEAM (1: also time greedy and beam 4 generation on the first seed's warmself model)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/summarization-bert2bert}")
DATA=$(realpath ../shared/data/summarization/aeslc)
ROWS=${ROWS:-random warm gsg spancorrupt warmself}; SEEDS=${SEEDS:-1 2 3}; STEPS=${STEPS:-300}; EPOCHS=${EPOCHS:-1}; LIMIT=${LIMIT:-2000}
LR=${LR:-1e-4}; MAXSRC=${MAXSRC:-256}; NOREPEAT=${NOREPEAT:-0}; BEAM=${BEAM:-1}; SRCLEN=${SRCLEN:-256}; TGTLEN=${TGTLEN:-64}
mkdir -p "$OUT/recipes"
source tools/experiments/lib.sh
built_cli
# recipe NAME INIT OUTNAME: a copy of models/NAME.json with STEPS steps and the schedule scaled to them, sources cut to
# SRCLEN, the warm start's cross-attention INIT ("random" for rows c and d: Rothe et al.'s; "self_attention" for f and g).
# cross: the warm start's cross-attention init (training.warm_start_cross_attention) set in the recipe on stdin.
cross() { sed "s/\"warm_start_cross_attention\": \"[a-z_]*\"/\"warm_start_cross_attention\": \"$1\"/"; }
recipe() { scaled_recipe "models/$1.json" "$STEPS" | sed "s/\"max_source_length\": [0-9]*/\"max_source_length\": $SRCLEN/" | cross "$2" \
  > "$OUT/recipes/$3.json"; }
# The fine-tuning recipe (the same for every row but warmself's cross-attention init): sources cut to SRCLEN, targets to TGTLEN.
sed -e "s/\"max_source_length\": [0-9]*/\"max_source_length\": $SRCLEN/" -e "s/\"max_target_length\": [0-9]*/\"max_target_length\": $TGTLEN/" \
  models/minilm2minilm-gsg.json | cross random > "$OUT/recipes/finetune.json"
cross self_attention < "$OUT/recipes/finetune.json" > "$OUT/recipes/finetune-warmself.json"
# landed RECIPE INIT SOURCE: fails unless cross() set INIT in RECIPE (SOURCE, the model recipe, has the key).
landed() { grep -q "\"warm_start_cross_attention\": \"$2\"" "$1" \
  || { echo "$3 has no training.warm_start_cross_attention to set" >&2; exit 1; }; }
landed "$OUT/recipes/finetune-warmself.json" self_attention models/minilm2minilm-gsg.json
has() { [[ " $ROWS " == *" $1 "* ]]; }

timed lead $CLI evaluate summarization --data "$DATA" --split test --lead --out "$OUT/lead"
for o in gsg spancorrupt gsgself spancorruptself; do
  has $o || continue
  base=minilm2minilm-${o%self}; init=random; [ "$o" = "${o%self}" ] || init=self_attention
  recipe "$base" "$init" "minilm2minilm-$o"
  landed "$OUT/recipes/minilm2minilm-$o.json" "$init" "models/$base.json"
  timed pretrain-$o $CLI pretrain --recipe "$OUT/recipes/minilm2minilm-$o.json" --out "$OUT/pretrain-$o" --threads 2
done
for seed in $SEEDS; do
  for row in $ROWS; do
    ftrecipe=finetune
    case $row in random) init=();; warm) init=(--init minilm);; warmself) init=(--init minilm); ftrecipe=finetune-warmself;;
      *) init=(--init "$OUT/pretrain-$row/checkpoint-$STEPS");; esac
    timed ft-$row-$seed $CLI finetune summarization --recipe "$OUT/recipes/$ftrecipe.json" --data "$DATA" "${init[@]}" \
      --epochs "$EPOCHS" --train-limit "$LIMIT" --batch 16 --lr "$LR" --max-source-length "$MAXSRC" --max-new-tokens 32 \
      --no-repeat-ngram-size "$NOREPEAT" --seed "$seed" --threads 2 --out "$OUT/ft-$row-$seed"
  done
done
first=${SEEDS%% *}
if [ "$BEAM" = 1 ] && [ -d "$OUT/ft-warmself-$first/export" ]; then
  for b in 1 4; do
    timed speed-warmself-beam$b $CLI evaluate summarization --data "$DATA" --split test --model "$OUT/ft-warmself-$first/export" --num-beams $b \
      --max-new-tokens 32 --max-source-length "$MAXSRC" --no-repeat-ngram-size "$NOREPEAT" --threads 2 --out "$OUT/speed-warmself-beam$b"
  done
fi
bash tools/experiments/summarization-bert2bert-table.sh "$OUT" | tee "$OUT/table.md"
