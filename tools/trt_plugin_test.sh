#!/usr/bin/env bash
# Builds (and runs, unless --build-only) the AwmlPillarScatter plugin test outside Bazel against a
# folder of TensorRT headers. No TensorRT library is linked: the plugin and its creator only use header
# interfaces, so the binary runs anywhere; its GPU test runs the plugin's enqueue on a CUDA device.
#
#   tools/trt_plugin_test.sh TENSORRT_INCLUDE_DIR [OUT_DIR] [--build-only]
set -euo pipefail
if [[ $# -lt 1 || ! -f "$1/NvInfer.h" ]]; then
  echo "usage: $0 TENSORRT_INCLUDE_DIR [OUT_DIR] [--build-only]" >&2
  exit 2
fi
HEADERS="$(cd "$1" && pwd)"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${2:-$REPO/build/trt_plugin_test}"
BUILD_ONLY="${3:-}"
CUDA="${CUDA_HOME:-/usr/local/cuda}"
mkdir -p "$OUT"
CXXFLAGS=(-std=c++17 -O1 -Wall -Wextra -Werror -Wdeprecated-declarations -I "$REPO" -isystem "$CUDA/include"
          -isystem "$HEADERS")
SOURCES=(
  cpp/plugins/trt/fields/plugin_fields.cc
  cpp/plugins/trt/fields/trt_fields.cc
  cpp/plugins/trt/plugin_logger.cc
  cpp/plugins/trt/plugin_registration.cc
  cpp/plugins/trt/scatter/scatter_fields.cc
  cpp/plugins/trt/scatter/scatter_plugin.cc
  cpp/plugins/trt/scatter/scatter_creator.cc
  cpp/common/status.cc
  cpp/plugins/kernels/scatter/scatter_cpu.cc
  tests/cpp/plugins/trt/scatter_plugin_test.cc
)
OBJECTS=()
for src in "${SOURCES[@]}"; do
  obj="$OUT/$(echo "$src" | tr / _).o"
  g++ "${CXXFLAGS[@]}" -c "$REPO/$src" -o "$obj"
  OBJECTS+=("$obj")
done
"$CUDA/bin/nvcc" -std=c++17 -O3 --expt-relaxed-constexpr -I "$REPO" \
  --generate-code=arch=compute_90,code=[sm_90,compute_90] -c "$REPO/cpp/plugins/kernels/scatter/scatter.cu" \
  -o "$OUT/scatter_cu.o"
g++ -o "$OUT/scatter_plugin_test" "${OBJECTS[@]}" "$OUT/scatter_cu.o" -lgtest -lgtest_main \
  -L "$CUDA/lib64" -l:libcudart_static.a -ldl -lpthread -lrt
echo "built $OUT/scatter_plugin_test"
[[ "$BUILD_ONLY" == "--build-only" ]] && exit 0
"$OUT/scatter_plugin_test"
