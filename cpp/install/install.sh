#!/usr/bin/env bash
# Lays out the awml_trt_runtime install tree (ROS 2 / CMake consumers):
#   PREFIX/include/awml_trt_runtime/cpp/...           headers, included as "cpp/plugins/kernels/<op>/<op>.h"
#                                                      (and the cpp/common/ headers they include)
#   PREFIX/lib/libawml_kernels.so                      kernels (CPU reference + CUDA launchers)
#   PREFIX/lib/libawml_trt_runtime.so                  runtime            (only where TensorRT was found)
#   PREFIX/lib/awml_trt_runtime/libawml_plugins.so     TensorRT plugins   (only where TensorRT was found)
#   PREFIX/share/awml_trt_runtime/cmake/awml_trt_runtimeConfig{,Version}.cmake
#
#   bazel run //cpp/install:install -- /opt/awml
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 PREFIX" >&2
  exit 2
fi
mkdir -p "$1"
PREFIX="$(cd "$1" && pwd)"
if [[ -d "$0.runfiles/awml" ]]; then
  ROOT="$0.runfiles/awml"
elif [[ -n "${TEST_SRCDIR:-}" && -d "$TEST_SRCDIR/awml" ]]; then
  ROOT="$TEST_SRCDIR/awml"
else
  ROOT="$(pwd)"
fi
VERSION="0.1.0"

copy_header() {
  install -D -m 0644 "$ROOT/$1" "$PREFIX/include/awml_trt_runtime/$1"
}

install -D -m 0755 "$ROOT/cpp/install/libawml_kernels.so" "$PREFIX/lib/libawml_kernels.so"
for header in cuda_status status stream_handle; do
  copy_header "cpp/common/$header.h"
done
for op in circle_nms/circle_nms decode/decode pillar_features/pillar_features scatter/scatter voxelize/voxelize; do
  copy_header "cpp/plugins/kernels/$op.h"
done

HAS_TRT=FALSE
if [[ -f "$ROOT/cpp/install/libawml_trt_runtime.so" ]]; then
  HAS_TRT=TRUE
  install -D -m 0755 "$ROOT/cpp/install/libawml_trt_runtime.so" "$PREFIX/lib/libawml_trt_runtime.so"
  install -D -m 0755 "$ROOT/cpp/plugins/trt/libawml_plugins.so" "$PREFIX/lib/awml_trt_runtime/libawml_plugins.so"
  for header in "$ROOT"/cpp/trt_runtime/*.h; do
    copy_header "cpp/trt_runtime/$(basename "$header")"
  done
fi

CMAKE_DIR="$PREFIX/share/awml_trt_runtime/cmake"
mkdir -p "$CMAKE_DIR"
sed "s/@AWML_HAS_TENSORRT@/$HAS_TRT/" "$ROOT/cpp/install/awml_trt_runtimeConfig.cmake.in" \
  >"$CMAKE_DIR/awml_trt_runtimeConfig.cmake"
cat >"$CMAKE_DIR/awml_trt_runtimeConfigVersion.cmake" <<VERSION_EOF
set(PACKAGE_VERSION "$VERSION")
if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()
VERSION_EOF
echo "installed awml_trt_runtime $VERSION to $PREFIX (TensorRT part: $HAS_TRT)"
