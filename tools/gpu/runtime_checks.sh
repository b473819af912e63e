#!/usr/bin/env bash
# The C++ CenterPointRuntime on the GPU machine (issue 16): its CUDA run equals its CPU run on the embedded
# evaluation frames, and its per-frame pre + post latency (engines excluded, one host sync) as raw JSON; then the
# C++ frame budget (issue 18, tools/bench/runtime_frame_bench.cc: engines replaced, CUDA == CPU checked first).
#
# Prepare here (Bazel and mmdet3d, no GPU), then send with carry=["build/gpu"]:
#   bazel --output_base=/tmp/awml_py312_ob build -c opt --repo_env=PYTHON_BIN_PATH=<python3.12> \
#       //python/awml_deploy:_native.so
#   mkdir -p build/gpu/py312 && cp <that _native.so> build/gpu/py312/
#   PYTHONPATH=python:. python3 tools/bench/runtime_bench.py prepare --out build/gpu/runtime --frames 20
#   bazel build -c opt //tests/cpp/trt_runtime:centerpoint_runtime_test && mkdir -p build/gpu/bin && \
#       cp bazel-out/k8-opt/bin/tests/cpp/trt_runtime/centerpoint_runtime_test build/gpu/bin/
#   bazel build -c opt //tools/bench:runtime_frame_bench && \
#       cp bazel-out/k8-opt/bin/tests/cpp/trt_runtime/runtime_frame_bench build/gpu/bin/
# Usage on the GPU machine, from the repository root: OUT=<dir> tools/gpu/runtime_checks.sh
# (ONLY=frame runs the frame budget alone: then only build/gpu/bin/runtime_frame_bench is needed.)
# Exit 1 when CUDA and CPU boxes differ (count, or any field by more than 1e-4) in either benchmark, or a step fails.
# Copy $OUT/runtime_bench_*.json and $OUT/runtime_frame_<gpu>_<date>.json to bench/results/ with a note of the card
# (and, for runtime_bench, the engines the JSON names).
set -u
OUT=${OUT:-/tmp/runtime_checks}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,pstate --format=csv 2>&1 | tee "$OUT/gpu.txt"
SAN=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -n 1)
rc=0
if [ "${ONLY:-all}" != frame ]; then
  PYPKG=$(mktemp -d)
  cp -r python/awml_deploy "$PYPKG/"
  cp build/gpu/py312/_native.so "$PYPKG/awml_deploy/_native.so"
  echo "== CenterPointRuntime cuda vs cpu and pre+post latency ($(python3 --version))"
  PYTHONPATH="$PYPKG" python3 tools/bench/runtime_bench.py run --data build/gpu/runtime \
    --out "$OUT/runtime_bench_$(date -u +%Y-%m-%d).json" --repeats 30 2>&1 | tee "$OUT/runtime_bench.log" | tail -n 5
  [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
  echo "== C++ centerpoint_runtime_test (CUDA runtime vs CPU runtime, host engines), then compute-sanitizer memcheck"
  build/gpu/bin/centerpoint_runtime_test 2>&1 | tee "$OUT/runtime_test.log" | tail -n 4
  [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
  if [ -n "$SAN" ]; then
    "$SAN" --tool memcheck --error-exitcode 9 build/gpu/bin/centerpoint_runtime_test \
      --gtest_filter='CenterPointRuntimeCuda.*' >"$OUT/runtime_memcheck.log" 2>&1 || rc=1
    grep -E "ERROR SUMMARY|PASSED|FAILED" "$OUT/runtime_memcheck.log" | tail -n 3
  fi
fi
echo "== C++ runtime frame budget (runtime_frame_bench: engines replaced; CUDA == CPU first, then timing)"
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1 | grep -oiE '[a-z][0-9]{2,4}' | head -n 1 |
  tr '[:upper:]' '[:lower:]')
FRAME_JSON="$OUT/runtime_frame_${GPU:-gpu}_$(date -u +%Y-%m-%d).json"
if [ -x build/gpu/bin/runtime_frame_bench ]; then
  build/gpu/bin/runtime_frame_bench "$FRAME_JSON" 2>&1 | tee "$OUT/runtime_frame.log" | tail -n 90
  [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
  if [ -n "$SAN" ]; then  # a few frames of each cloud kind under memcheck (its timings and sync counts mean nothing)
    "$SAN" --tool memcheck --error-exitcode 9 build/gpu/bin/runtime_frame_bench --warmup 1 --reps 2 \
      --points 30000 "$OUT/runtime_frame_memcheck.json" >"$OUT/runtime_frame_memcheck.log" 2>&1 || rc=1
    grep -E "ERROR SUMMARY|differ|failed" "$OUT/runtime_frame_memcheck.log" | tail -n 3
    rm -f "$OUT/runtime_frame_memcheck.json"
  fi
else
  echo "build/gpu/bin/runtime_frame_bench is missing (see Prepare above)"
  rc=1
fi
exit "$rc"
