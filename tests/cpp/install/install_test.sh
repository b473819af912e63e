#!/usr/bin/env bash
# Installs awml_trt_runtime into a temp prefix, then builds and runs a CMake project outside Bazel
# against it (find_package + target_link_libraries), the way a ROS 2 ament package consumes it.
set -euo pipefail
ROOT="$TEST_SRCDIR/awml"
WORK="${TEST_TMPDIR:-$(mktemp -d)}"
"$ROOT/cpp/install/install" "$WORK/prefix"
test -f "$WORK/prefix/share/awml_trt_runtime/cmake/awml_trt_runtimeConfig.cmake"
test -f "$WORK/prefix/include/awml_trt_runtime/cpp/plugins/kernels/scatter/scatter.h"
cmake -S "$ROOT/tests/cpp/install/consumer" -B "$WORK/build" -DCMAKE_PREFIX_PATH="$WORK/prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$WORK/configure.log" 2>&1 || { cat "$WORK/configure.log"; exit 1; }
cmake --build "$WORK/build" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
"$WORK/build/consumer"
