#!/usr/bin/env bash
# Can the joint AS2 model fit its own training data? A diagnosis for issue 22's joint rows (which stay at chance):
# every run fine-tunes all-MiniLM-L6-v2 on a small set and is scored on that same set, so a model that learns anything
# shows it. Sets (train = dev = test):
#   wikiqa80  the first 80 WikiQA training questions with a positive (832 candidates);
#   copy80    the same, each positive candidate replaced by its question verbatim (a trivial task that any model comparing
#             question and candidate should solve within a few epochs).
# Rows: pointwise (128 tokens, 16 pairs/step); joint IE_k with k = 1 (16 rows/step) and k = 5 (4 rows/step), segments of
# 24 tokens, [CLS] or mean segment pooling. All: EPOCHS epochs at lr LR (10% warmup, linear), one evaluation per epoch.
# Usage: bash tools/experiments/as2-joint-probe.sh [out dir]    env: SEEDS ("1"), EPOCHS (3), LR (1e-4), ROWS (all)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-artifacts/experiments/as2-joint-probe}")
WIKIQA=$(realpath ../shared/data/as2/wikiqa)
SEEDS=${SEEDS:-1}; EPOCHS=${EPOCHS:-3}; LR=${LR:-1e-4}
ROWS=${ROWS:-wikiqa80:pw wikiqa80:k1 wikiqa80:k5 wikiqa80:k5mean copy80:pw copy80:k1 copy80:k5 copy80:k5mean}
mkdir -p "$OUT"
source tools/experiments/lib.sh
built_cli

make_sets() { # the first 80 questions with a positive; copy80 puts the question in place of each positive candidate
  mkdir -p "$OUT/wikiqa80" "$OUT/copy80"
  awk -F'\t' 'NR == 1 { print; next } { rows[$1] = rows[$1] $0 "\n"; if ($4 == 1) pos[$1] = 1; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
    END { for (i = 1; i <= n && kept < 80; i++) if (order[i] in pos) { printf "%s", rows[order[i]]; kept++ } }' \
    "$WIKIQA/train.tsv" > "$OUT/wikiqa80/train.tsv"
  awk -F'\t' 'BEGIN { OFS = "\t" } NR > 1 && $4 == 1 { $3 = $2 } { print }' "$OUT/wikiqa80/train.tsv" > "$OUT/copy80/train.tsv"
  for set in wikiqa80 copy80; do cp "$OUT/$set/train.tsv" "$OUT/$set/dev.tsv"; cp "$OUT/$set/train.tsv" "$OUT/$set/test.tsv"; done
}

run() { # run SET ROW SEED
  local set=$1 row=$2 seed=$3 args
  case $row in
    pw) args=(--max-length 128 --batch 16);;
    k1) args=(--joint ie_k --candidates 1 --segment-length 24 --batch 16);;
    k5) args=(--joint ie_k --candidates 5 --segment-length 24 --batch 4);;
    k5mean) args=(--joint ie_k --candidates 5 --segment-length 24 --batch 4 --segment-pooling mean);;   # k5 with mean pooling
    *) echo "unknown row $row" >&2; exit 2;;
  esac
  rm -rf "$OUT/$set-$row-$seed"
  timed "$set-$row-$seed" $CLI finetune as2 --recipe models/minilm-mlm.json --init minilm --data "$OUT/$set" --epochs "$EPOCHS" --lr "$LR" \
    --evals-per-epoch 1 --patience "$EPOCHS" --seed "$seed" --threads 2 --out "$OUT/$set-$row-$seed" "${args[@]}"
}

make_sets
for seed in $SEEDS; do for r in $ROWS; do [ -f "$OUT/${r/:/-}-$seed.json" ] || run "${r%%:*}" "${r#*:}" "$seed"; done; done
echo "| set | row | seed | MAP on its own training questions after each epoch | s |"
echo "|---|---|---|---|---|"
for seed in $SEEDS; do for r in $ROWS; do
  name=${r/:/-}-$seed
  maps=$(grep -o "dev MAP [0-9.]*" "$OUT/$name.log" | awk '{ printf "%s%s", sep, $3; sep = " / " }')
  echo "| ${r%%:*} | ${r#*:} | $seed | $maps | $(grep "^$name:" "$OUT/wall.txt" | tail -1 | awk '{ print $2 }') |"
done; done | tee "$OUT/table.md"
