#!/usr/bin/env bash
# The README's fine-tuning table: every compressor on the digits CNN at about 70 % of its 37,792
# weights (26,454), crossbar-path top-1 before and after 10 epochs of fine-tuning, and the
# fine-tuned model's own float top-1. Needs a release build (swift build -c release) and numpy.
#   bash Tests/Fixtures/digits/finetune-table.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../../.."
D=Tests/Fixtures/digits
S=.build/release/simrun
OUT=${1:-runs/finetune-table}
export OPENBLAS_NUM_THREADS=1
B=26454
rows=(
  "dense|"
  "prune-rows|--compress prune-rows:params=$B,fit=nearest --mapper sdk"
  "prune-crossbar|--compress prune-crossbar:params=$B,fit=nearest"
  "prune-pattern|--compress prune-pattern:params=$B,fit=nearest --mapper sdk"
  "prune-kernel-group|--compress prune-kernel-group:params=$B,fit=nearest"
  "prune-columns|--compress prune-columns:params=$B,fit=nearest --mapper sdk"
  "lowrank|--compress lowrank:params=$B,fit=nearest --mapper lowrank:base=sdk"
  "group lowrank (g=2)|--compress lowrank:params=$B,fit=nearest,groups=2 --mapper lowrank:base=sdk"
  "quant-pow2 (QAT)|--compress quant-pow2"
  "quant-fp (QAT)|--compress quant-fp"
  "[XA] Algorithm 1 (5+5 epochs)|--xa-prune kernelGroups=0.5,crossbars=0.34 --epochs 5"
)
mkdir -p "$OUT"
echo "| layout | options | weights kept | crossbar top-1 before | after 10 epochs | fine-tuned float top-1 |"
echo "|---|---|---|---|---|---|"
for row in "${rows[@]}"; do
  label=${row%%|*}; opts=${row#*|}
  dir="$OUT/$(echo "$label" | tr -c 'a-zA-Z0-9\n' '-')"
  # shellcheck disable=SC2086
  $S finetune --model $D/digits-cnn.onnx --data $D/digits-train.npz --val $D/digits-test.npz \
    --calibration $D/digits-calib.npz --epochs 10 $opts --out "$dir" > "$dir.log" 2>&1
  python3 - "$dir" "$label" "$opts" <<'PY'
import csv, sys, numpy as np
d, label, opts = sys.argv[1:4]
w = np.load(f"{d}/weights.npz")
kept = sum(int(np.count_nonzero(w[k])) for k in w.files if k.endswith(".weight"))
def crossbar(f):
    try:
        return next(float(r["top1"]) for r in csv.DictReader(open(f"{d}/{f}")) if r["scope"] == "crossbar")
    except FileNotFoundError:
        return None
rows = list(csv.DictReader(open(f"{d}/training.csv")))
before, after = crossbar("accuracy-before.csv"), crossbar("accuracy.csv")
pct = lambda v: "-" if v is None else f"{100 * v:.2f} %"
print(f"| {label} | `{opts}` | {kept:,} | {pct(before)} | {pct(after)} | {pct(float(rows[-1]['validationTop1']))} |")
PY
done
