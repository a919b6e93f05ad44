# Helpers shared by the experiment scripts: `source tools/experiments/lib.sh` after setting OUT (the run folder).

# timed NAME CMD...: runs CMD with stdout to $OUT/NAME.json (moved there only when CMD succeeds) and stderr to
# $OUT/NAME.log, and appends its wall time to $OUT/wall.txt. Skipped when NAME.json exists, so a script resumes.
timed() { local name=$1; shift; [ -f "$OUT/$name.json" ] && return 0
  local t0=$SECONDS; "$@" > "$OUT/$name.tmp" 2> "$OUT/$name.log"; mv "$OUT/$name.tmp" "$OUT/$name.json"
  echo "$name: $((SECONDS - t0)) s wall" | tee -a "$OUT/wall.txt"; }

# scaled_recipe FILE STEPS: FILE (a recipe) on stdout with STEPS steps, 10% warmup, evaluation at half and at the end,
# one checkpoint at the end.
scaled_recipe() {
  sed -e "s/\"steps\": [0-9]*/\"steps\": $2/" -e "s/\"warmup_steps\": [0-9]*/\"warmup_steps\": $(($2 / 10))/" \
      -e "s/\"eval_every\": [0-9]*/\"eval_every\": $(($2 / 2))/" -e "s/\"checkpoint_every\": [0-9]*/\"checkpoint_every\": $2/" "$1"
}

# MS_JQ: a jq definition to put before a program. ms(f; scale) over an array: "mean ± sample std (n - 1)" of f, both
# rounded to 1 / scale (std 0 for one value).
MS_JQ='def ms(f; scale): (map(f) | add / length) as $m
  | (if length > 1 then (map((f - $m) * (f - $m)) | add / (length - 1) | sqrt) else 0 end) as $s
  | "\($m * scale | round / scale) ± \($s * scale | round / scale)";'

# built_cli: builds the CLI once and copies it to $OUT/cli, so rebuilding the repository meanwhile does not change the
# binary under a running experiment; sets CLI to the command that runs the copy.
built_cli() {
  if [ ! -f "$OUT/cli/OnnxPretrain.Cli.dll" ]; then
    dotnet build src/OnnxPretrain.Cli -c Release -v quiet -nologo >/dev/null
    cp -r src/OnnxPretrain.Cli/bin/Release/net10.0 "$OUT/cli"
  fi
  CLI="dotnet $OUT/cli/OnnxPretrain.Cli.dll"
}
