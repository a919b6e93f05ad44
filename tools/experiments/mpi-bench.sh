#!/usr/bin/env bash
# Data-parallel throughput on one machine: `pretrain --threads 2` (1 process) against
# `mpiexec.mpich -n 2 ... --threads 1 --distributed`, median tokens/s of the steps after the first and the median
# allreduce time per step, from each run's metrics.jsonl.
# Usage: bash tools/experiments/mpi-bench.sh <recipe.json> <steps> [out dir]   (needs MPICH: apt-get install mpich)
set -euo pipefail
cd "$(dirname "$0")/../.."
RECIPE=$1; STEPS=$2; N=$(basename "$RECIPE" .json); OUT=${3:-artifacts/experiments/mpi-bench}
mkdir -p "$OUT"; rm -rf "$OUT/$N-1x2" "$OUT/$N-2x1"
dotnet build src/OnnxPretrain.Cli -c Release -v quiet -nologo >/dev/null
CLI=src/OnnxPretrain.Cli/bin/Release/net10.0/OnnxPretrain.Cli.dll
dotnet $CLI pretrain --recipe "$RECIPE" --out "$OUT/$N-1x2" --threads 2 --steps "$STEPS" > /dev/null 2> "$OUT/$N-1x2.err"
mpiexec.mpich -n 2 dotnet $CLI pretrain --recipe "$RECIPE" --out "$OUT/$N-2x1" --threads 1 --steps "$STEPS" --distributed > /dev/null 2> "$OUT/$N-2x1.err"
for v in 1x2 2x1; do
  python3 - "$OUT/$N-$v/metrics.jsonl" "$v" <<'PY'
import json, statistics as st, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if '"train"' in l][1:]   # the first step warms up
tps = [r["tokens_per_second"] for r in rows]
ar = [r["allreduce_ms"] for r in rows if "allreduce_ms" in r]
print(json.dumps({"layout": sys.argv[2], "steps": len(rows), "median_tokens_per_s": round(st.median(tps)),
                  "median_allreduce_ms": round(st.median(ar), 2) if ar else None}))
PY
done
