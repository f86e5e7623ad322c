#!/usr/bin/env bash
# Fuzzes simrun's parsers with libFuzzer (the Swift toolchain's -sanitize=fuzzer; coverage-guided):
# NeuroSim CSV rows, arch files, run files and sweep-spec YAML, .npy arrays, option strings and
# --set assignments, and ONNX models (up to 64 KB). Seeds come from the bad-input corpora and the
# committed good inputs.
#
#   bash Tests/Fuzz/run.sh [RUNS] [PARSER ...]   # default 1,000,000 executions of every parser
#
# Prints executions and crashes per parser; exits 1 if any parser crashed (the crashing input is
# kept as Tests/Fuzz/crashes/PARSER/crash-*).
set -euo pipefail
export SWIFT_BACKTRACE=enable=no   # let libFuzzer catch the trap and keep the input
cd "$(dirname "$0")"
runs=${1:-1000000}
parsers=("${@:2}")
[ ${#parsers[@]} -gt 0 ] || parsers=(NeuroSim ArchFile RunFile NumPy Options ONNX)
# Debug build: SwiftPM instruments every module for coverage only there.
if ! out=$(swift build --sanitize=fuzzer 2>&1); then echo "$out" | tail -n 30; echo "fuzz targets did not build"; exit 1; fi
bin=$(swift build --sanitize=fuzzer --show-bin-path)
work=$(mktemp -d /tmp/simrun-fuzz.XXXXXX)
B=../Fixtures/bad-inputs
declare -A seeds=(
  [NeuroSim]="../../traces/NetWork_tiny.csv $B/n-*.csv"
  [ArchFile]="$B/a-*.yaml ../../traces/tiny-isaac-8bit/config.yaml"
  [RunFile]="$B/r-*.yaml $B/s-*.yaml ../Slurm/sweep.yaml"
  [NumPy]="$B/w-*.npy ../Fixtures/digits/*.npy"
  [Options]=""
  [ONNX]="$B/o-*.onnx"
)
declare -A maxlen=([ONNX]=65536)
status=0
for p in "${parsers[@]}"; do
  mkdir -p "$work/$p" "crashes/$p"
  for s in ${seeds[$p]}; do [ -f "$s" ] && cp "$s" "$work/$p/" || true; done
  if [ "$p" = Options ]; then
    for s in "sdk:n=3" "vw-sdk:window=4x3" "prune-rows:ratio=0.5,scope=global" "lowrank:params=1000,fit=nearest" \
             "ima.adc.bits=6" "chip.tiles=4" "clockGHz=1.28" "device.programmingSigma=0.1"; do
      printf '%s' "$s" > "$work/$p/$(echo "$s" | md5sum | cut -c1-8)"
    done
  fi
  log="$work/$p.log"
  if "$bin/Fuzz$p" "$work/$p" -runs="$runs" -max_len=${maxlen[$p]:-4096} -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="crashes/$p/" -print_final_stats=1 >"$log" 2>&1; then result=ok; else result=CRASH; status=1; fi
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
  printf '%-9s %10s executions  %-9s %s\n' "$p" "${execs:-?}" "$cov" "$([ $result = ok ] && echo '0 crashes' || echo "CRASH: $(ls crashes/$p | head -1)")"
  [ $result = ok ] || tail -n 30 "$log"
done
exit $status
