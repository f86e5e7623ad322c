#!/usr/bin/env bash
# Regenerates the low-rank study ([LR]'s claims on WRN-16-4): matched parameters against matched
# reconstruction error, the calculator's SDK against free-tile SDK for R, and ISAAC's placement
# against router-group placement, 2-bit weights and 64^2-512^2 arrays. Run from the repository root
# after `swift build -c release`.
set -euo pipefail
export OPENBLAS_NUM_THREADS=1
simrun=.build/release/simrun
out=traces/study-lowrank
common=(--workload wrn16-4 --replicate auto --images 16 --set ima.adc.bits=auto --quiet)
isaac=(--placement ima)   # ISAAC's placement, as the figures were taken before auto weighed router ports
free="lowrank-sdk-free=--compress lowrank:error=0.3,fit=nearest --mapper lowrank:base=sdk-free"
$simrun compare "${common[@]}" "${isaac[@]}" --match params=0.5 --out $out/params0.5
$simrun compare "${common[@]}" "${isaac[@]}" --match error=0.3 --variant "$free" --out $out/error0.3
$simrun compare "${common[@]}" --match error=0.3 --variant "$free" --placement router --out $out/error0.3-router
# 2-bit weights on 2-bit cells (one cell a weight), then arrays of 64^2, 256^2 and 512^2, all at equal error.
$simrun compare "${common[@]}" --match error=0.3 --variant "$free" "${isaac[@]}" --set data.weightBits=2 --out $out/error0.3-w2
for n in 64 256 512; do
  $simrun compare "${common[@]}" "${isaac[@]}" --match error=0.3 --variant "$free" \
    --set ima.crossbar.rows=$n --set ima.crossbar.columns=$n --out $out/error0.3-$n
done
