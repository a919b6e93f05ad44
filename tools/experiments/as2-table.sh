#!/usr/bin/env bash
# Markdown table of tools/experiments/as2.sh's results: WikiQA test P@1 / MAP / MRR / HR@5 of every init as
# mean ± sample standard deviation (n - 1) over the seeds found (ft-<init>-<seed>.json), dev MAP and fine-tuning time,
# then the lexical baselines (identical for every run, taken from the first file).
# Usage: bash tools/experiments/as2-table.sh [out dir of as2.sh]   env: INITS (the init keys, default "random mlm rts rts-ssp")
set -euo pipefail
OUT=${1:-artifacts/experiments/as2}
stat='def ms: (add / length) as $m | [$m, (if length > 1 then ((map(. - $m | . * .) | add) / (length - 1) | sqrt) else 0 end)];
      def f: "\(.[0] * 10000 | round / 10000) ± \(.[1] * 10000 | round / 10000)";'
echo "| init | seeds | test P@1 | test MAP | test MRR | test HR@5 | dev MAP | fine-tuning s |"
echo "|---|---|---|---|---|---|---|---|"
for init in ${INITS:-random mlm rts rts-ssp}; do
  files=("$OUT"/ft-$init-[0-9]*.json)
  [ -f "${files[0]}" ] || continue
  jq -s -r --arg init "$init" "$stat"'
    "| \($init) | \(length) | \(map(.systems.model.p_at_1) | ms | f) | \(map(.systems.model.map) | ms | f) | \(map(.systems.model.mrr) | ms | f) | \(map(.systems.model.hr_at_5) | ms | f) | \(map(.fine_tuning.dev_map) | ms | f) | \(map(.fine_tuning.seconds) | ms | .[0] | round) |"' "${files[@]}"
done
first=$(ls "$OUT"/ft-*.json | head -n1)
jq -r '.systems | to_entries[] | select(.key != "model") |
  "| \(.key) (lexical) | - | \(.value.p_at_1 * 10000 | round / 10000) | \(.value.map * 10000 | round / 10000) | \(.value.mrr * 10000 | round / 10000) | \(.value.hr_at_5 * 10000 | round / 10000) | | |"' "$first"
