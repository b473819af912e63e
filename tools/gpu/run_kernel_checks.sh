#!/usr/bin/env bash
# Runs the CenterPoint kernel checks on a GPU machine: CUDA-vs-CPU equality tests (1,000 random clouds,
# 200 head sets, named edge cases), compute-sanitizer memcheck/racecheck on smaller runs, and the benchmark.
#
# Build the binaries where Bazel is (they need only glibc/libstdc++ and the NVIDIA driver):
#   bazel build -c opt //tools/bench:kernels_bench //tests/cpp/kernels:pillars_cuda_test \
#       //tests/cpp/kernels:postprocess_cuda_test
#   mkdir -p build/kernels_gpu && cp bazel-out/k8-opt/bin/tools/bench/kernels_bench \
#       bazel-out/k8-opt/bin/tests/cpp/kernels/{pillars,postprocess}_cuda_test build/kernels_gpu/
# then, on the GPU machine, from the repository root: tools/gpu/run_kernel_checks.sh [bin_dir]
# Logs and bench.json go to $OUT (default /tmp/kernel_checks); a summary is printed last.
set -u
BIN=${1:-build/kernels_gpu}
OUT=${OUT:-/tmp/kernel_checks}
mkdir -p "$OUT"
SAN=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -n 1)
GPU=$(nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,pstate --format=csv 2>&1)
SUMMARY=""
# step <name> <log> <limit seconds> <command...>: appends the command's output to $OUT/<log>.log.
step() {
  local name=$1 log=$2 limit=$3
  shift 3
  local start
  start=$(date +%s)
  timeout "$limit" "$@" >>"$OUT/$log.log" 2>&1
  local rc=$?
  SUMMARY+="$name rc=$rc $(($(date +%s) - start))s | $(grep -E 'PASSED|FAILED|ERROR SUMMARY|HAZARD|SKIPPED \]' "$OUT/$log.log" | tr '\n' ' ' | cut -c1-220)"$'\n'
}
# The benchmark twice: the spread between the two runs is the noise floor for comparisons. BENCH=0 skips it (when
# tools/gpu/side_by_side.sh runs it in the same session, beside Autoware's).
if [ "${BENCH:-1}" != 0 ]; then
  step bench bench 150 "$BIN/kernels_bench" "$OUT/bench.json"
  step bench_repeat bench 150 "$BIN/kernels_bench" "$OUT/bench_repeat.json"
fi
step pillars_eq pillars_eq 300 "$BIN/pillars_cuda_test"
step post_eq post_eq 120 "$BIN/postprocess_cuda_test"
step memcheck_pillars memcheck_pillars 150 env AWML_CUDA_TEST_CLOUDS=12 "$SAN" --tool memcheck --leak-check full --error-exitcode 9 \
  "$BIN/pillars_cuda_test"
step memcheck_post sanitize_post 90 env AWML_CUDA_TEST_HEADS=6 "$SAN" --tool memcheck --leak-check full --error-exitcode 9 \
  "$BIN/postprocess_cuda_test"
step racecheck_pillars sanitize_pillars 150 env AWML_CUDA_TEST_CLOUDS=4 "$SAN" --tool racecheck --error-exitcode 9 \
  "$BIN/pillars_cuda_test" --gtest_filter='*RandomClouds*:*FastVoxelizeThenDecorate*:*DenseScatter*:*Sparse*:*CellMap*'
step racecheck_post sanitize_post 150 env AWML_CUDA_TEST_HEADS=2 "$SAN" --tool racecheck --error-exitcode 9 \
  "$BIN/postprocess_cuda_test" --gtest_filter='PostprocessCuda.RandomHeadsEqualCpu:PostprocessCuda.CircleNmsPaths*'
echo "$GPU"
[ -f "$OUT/bench.log" ] && head -n 60 "$OUT/bench.log"
printf '%s' "$SUMMARY"
