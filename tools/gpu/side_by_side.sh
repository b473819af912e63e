#!/usr/bin/env bash
# Our CenterPoint kernels and Autoware's, side by side in ONE device call on the same inputs: A B A B
# (kernels_bench, autoware_bench, kernels_bench, autoware_bench), each writing its raw JSON into $OUT as
# kernels_<gpu>_<date>.json / autoware_<gpu>_<date>.json (date = the run's date_utc), plus nvidia-smi before
# and after, the logs, and the side-by-side table (tools/bench/summarize_side_by_side.py) when python3 is there.
#
# Prepare here (no GPU needed), then send with carry=["build/gpu"]:
#   bazel build -c opt //tools/bench:kernels_bench
#   tools/bench/autoware/build.sh /work/ext/autoware.universe build/autoware_bench
#   mkdir -p build/gpu/bin && cp -f bazel-bin/tools/bench/kernels_bench build/autoware_bench/autoware_bench build/gpu/bin/
# On the GPU machine, from the repository root: OUT=<dir> tools/gpu/side_by_side.sh [bin_dir]
set -u
BIN=${1:-build/gpu/bin}
OUT=${OUT:-/tmp/side_by_side}
for b in kernels_bench autoware_bench; do
  if [ ! -x "$BIN/$b" ]; then
    echo "side_by_side.sh | $BIN/$b is missing. Note: expected both prebuilt binaries in $BIN (see this script's header)" >&2
    exit 2
  fi
done
mkdir -p "$OUT"
nvidia-smi >"$OUT/nvidia_smi_before.txt" 2>&1
nvidia-smi -q >>"$OUT/nvidia_smi_before.txt" 2>&1
QUERY=name,driver_version,persistence_mode,pstate,clocks.sm,clocks.mem,clocks.max.sm,clocks.max.mem,temperature.gpu,power.draw
nvidia-smi --query-gpu=$QUERY --format=csv >"$OUT/gpu_before.csv" 2>&1
# "NVIDIA H100 80GB HBM3" -> h100, "NVIDIA H200" -> h200; else the name in lower case with dashes.
NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1)
GPU=$(echo "$NAME" | grep -oiE '\b[abhlv][0-9]{2,3}\b' | head -n 1 | tr '[:upper:]' '[:lower:]')
[ -n "$GPU" ] || GPU=$(echo "${NAME:-gpu}" | tr '[:upper:] ' '[:lower:]-' | tr -cd 'a-z0-9-')
SUMMARY=""
OURS=()
THEIRS=()
# run <tag> <binary>: one benchmark run into $OUT/<tag>_<gpu>_<date>.json (date = the JSON's date_utc with '-' for
# ':', as the files in bench/results are named), its log next to it.
run() {
  local tag=$1 bin=$2 tmp date file start rc
  tmp="$OUT/${tag}_running"
  start=$(date +%s)
  timeout 140 "$BIN/$bin" "$tmp.json" >"$tmp.log" 2>&1
  rc=$?
  date=$(grep -o '"date_utc": "[^"]*"' "$tmp.json" 2>/dev/null | cut -d'"' -f4 | tr ':' '-')
  file="$OUT/${tag}_${GPU}_${date:-$(date -u +%Y-%m-%dT%H-%M-%SZ)}"
  mv "$tmp.log" "$file.log"
  [ -f "$tmp.json" ] && mv "$tmp.json" "$file.json"
  SUMMARY+="$bin rc=$rc $(($(date +%s) - start))s -> $(basename "$file").json"$'\n'
  if [ $rc -eq 0 ] && [ -f "$file.json" ]; then
    if [ "$tag" = kernels ]; then OURS+=("$file.json"); else THEIRS+=("$file.json"); fi
  fi
}
for _ in 1 2; do
  run kernels kernels_bench
  run autoware autoware_bench
done
nvidia-smi --query-gpu=$QUERY --format=csv >"$OUT/gpu_after.csv" 2>&1
cat "$OUT/gpu_before.csv" "$OUT/gpu_after.csv"
printf '%s' "$SUMMARY"
grep -h '^check' "$OUT"/autoware_*.log | sort -u | head -n 20  # Autoware's GPU counts vs the CPU reference
if [ ${#OURS[@]} -eq 2 ] && [ ${#THEIRS[@]} -eq 2 ] && command -v python3 >/dev/null; then
  python3 tools/bench/summarize_side_by_side.py --ours "${OURS[@]}" --autoware "${THEIRS[@]}" |
    tee "$OUT/side_by_side.md"
fi
