#!/usr/bin/env bash
# Everything this repo checks on the lent GPU machine, in one call (the device tool's `run`):
#   1. CenterPoint kernels: CUDA-vs-CPU equality, compute-sanitizer, benchmark (tools/gpu/run_kernel_checks.sh);
#      the runtime's CUDA RAII on the device (cuda_raii_device_test)
#   2. The Python door (awml_deploy.kernels) on torch CUDA tensors vs the CPU kernels
#      (tests/python_kernels/test_kernels_cuda.py), with an extension built for the GPU machine's Python 3.12.
# Prepare here (Bazel, no GPU), then send with carry=["build/gpu"]:
#   bazel build -c opt //tools/bench:kernels_bench //tests/cpp/kernels:pillars_cuda_test //tests/cpp/kernels:postprocess_cuda_test \
#       //tests/cpp/trt_runtime:cuda_raii_device_test
#   bazel --output_base=/tmp/awml_py312_ob build -c opt --repo_env=PYTHON_BIN_PATH=<python3.12> //python/awml_deploy:_native.so
#   mkdir -p build/gpu/bin build/gpu/py312 && cp <those binaries> build/gpu/bin/ && cp <_native.so> build/gpu/py312/
# Usage on the GPU machine, from the repository root: OUT=<dir> tools/gpu/device_checks.sh
set -u
OUT=${OUT:-/tmp/device_checks}
mkdir -p "$OUT"
OUT="$OUT" bash tools/gpu/run_kernel_checks.sh build/gpu/bin 2>&1 | tail -n 40
if [ -x build/gpu/bin/cuda_raii_device_test ]; then
  echo "== runtime CUDA RAII on the device"
  build/gpu/bin/cuda_raii_device_test 2>&1 | tee "$OUT/cuda_raii_device.log" | tail -n 3
fi
PYPKG=$(mktemp -d)
cp -r python/awml_deploy "$PYPKG/"
cp build/gpu/py312/_native.so "$PYPKG/awml_deploy/_native.so"
echo "== python door on torch CUDA ($(python3 --version))"
LD_LIBRARY_PATH="$PWD/build/gpu/py312:${LD_LIBRARY_PATH:-}" PYTHONPATH="$PYPKG" python3 -m pytest -q -p no:cacheprovider tests/python_kernels/test_kernels_cuda.py 2>&1 | tee "$OUT/python_cuda.log" | tail -n 15
