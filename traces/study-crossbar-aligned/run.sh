#!/usr/bin/env bash
# Regenerates the crossbar-aligned study ([XA]'s claims on VGG-16 at 88.25 % sparsity): throughput
# and energy against the 16-bit and 8-bit dense baselines, and the overheads [XA] states for
# sparsity tables (at row and weight granularity) and FP rescale multipliers. Run from the
# repository root after `swift build -c release` (about 3 min on 2 cores).
set -euo pipefail
export OPENBLAS_NUM_THREADS=1
simrun=.build/release/simrun
out=traces/study-crossbar-aligned
keep=1729081   # 11.75 % of VGG-16's 14,715,584 weights: [XA]'s 88.25 % sparsity
common=(--workload vgg16 --arch isaac-8bit --placement ima --quiet)   # ISAAC's placement
rows="--compress prune-rows:fit=nearest --compress quant-fp"

# 1. The pipeline: every configuration streams 16 images on the full chip, copies balanced.
$simrun compare "${common[@]}" --replicate auto --images 16 --no-defaults --match params=$keep \
  --out $out/vgg16-88 \
  --variant 'dense-8bit-fp=--compress quant-fp' \
  --variant 'dense-8bit-pow2=--compress quant-pow2' \
  --variant 'dense-16bit=--arch isaac' \
  --variant 'prune-crossbar-pow2=--compress prune-crossbar:fit=nearest --compress quant-pow2' \
  --variant 'prune-kernel-group-pow2=--compress prune-kernel-group:fit=nearest --compress quant-pow2' \
  --variant "prune-rows-fp=$rows" \
  --variant "prune-rows-fp-weight-index=$rows --set sparsityTable.granularity=weight" \
  --variant "prune-rows-fp-weight-index4=$rows --set sparsityTable.granularity=weight --set sparsityTable.indexBits=4" \
  --variant 'prune-columns-fp=--compress prune-columns:fit=nearest --compress quant-fp'

# 2. The overheads of one copy of the model (no replication, one image), each against the dense
#    8-bit run with FP scales (area.csv's areaVsBaseline and peakPowerVsBaseline).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one=("${common[@]}" --replicate none --images 1)
$simrun run "${one[@]}" --compress quant-fp --out "$tmp/dense-8bit-fp"
variants=(
  "dense-8bit-pow2|--compress quant-pow2"
  "prune-crossbar-pow2|--compress prune-crossbar:params=$keep,fit=nearest --compress quant-pow2"
  "prune-rows-fp|--compress prune-rows:params=$keep,fit=nearest --compress quant-fp"
  "prune-rows-fp-weight-index|--compress prune-rows:params=$keep,fit=nearest --compress quant-fp --set sparsityTable.granularity=weight"
  "prune-rows-fp-weight-index4|--compress prune-rows:params=$keep,fit=nearest --compress quant-fp --set sparsityTable.granularity=weight --set sparsityTable.indexBits=4"
  "prune-columns-fp|--compress prune-columns:params=$keep,fit=nearest --compress quant-fp"
)
summary=$out/overheads.csv
echo "label,params,weightBitsStored,tableBits,tableStorageShare,usedAreaMm2,tableAreaShare,rescaleAreaShare,usedPeakPowerMW,tablePowerShare,rescalePowerShare,areaVsDense8bitFP,peakPowerVsDense8bitFP,energyPerImageUJ,tableEnergyShare,rescaleEnergyShare" > $summary
for v in "dense-8bit-fp|" "${variants[@]}"; do
  label=${v%%|*}; flags=${v#*|}
  if [ "$label" != dense-8bit-fp ]; then
    # shellcheck disable=SC2086
    $simrun run "${one[@]}" $flags --baseline "$tmp/dense-8bit-fp" --out "$tmp/$label"
  fi
  d=$tmp/$label
  cp "$d/area.csv" "$out/area-$label.csv"
  awk -F, -v label="$label" '
    FILENAME ~ /metrics.csv$/ && FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME ~ /metrics.csv$/ { params = $col["params"]; energy = $col["energyPerImagePJ"]
                                tableE = $col["energy.sparsityTablesPJ"]; rescaleE = $col["energy.rescalePJ"]; next }
    FILENAME ~ /stats.csv$/ && $1 == "chip" && $2 == "tableStorage" { tbits = $3 }
    FILENAME ~ /area.csv$/ && $1 == "used" { area[$2] = $3; power[$2] = $4; if ($2 == "total") { va = $5; vp = $6 } }
    END {
      wbits = params * 8
      printf "%s,%d,%d,%d,%.4f,%.4f,%.4f,%.4f,%.1f,%.4f,%.4f,%s,%s,%.3f,%.4f,%.4f\n", label, params, wbits, tbits,
        tbits / wbits, area["total"], area["sparsityTables"] / area["total"], area["rescale"] / area["total"],
        power["total"], power["sparsityTables"] / power["total"], power["rescale"] / power["total"],
        (va == "" ? "1" : va), (vp == "" ? "1" : vp), energy / 1e6, tableE / energy, rescaleE / energy
    }' "$d/metrics.csv" "$d/stats.csv" "$d/area.csv" >> $summary
done
column -s, -t < $summary
