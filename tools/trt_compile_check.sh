#!/usr/bin/env bash
# Compile check of every TensorRT translation unit (runtime + plugins) against a folder of TensorRT
# headers, with warnings as errors and deprecated API forbidden. No TensorRT library is needed.
#
#   tools/trt_compile_check.sh /path/to/TensorRT/include [/path/to/onnx-parser/include]
#
# The second folder is for NvOnnxParser.h where the first lacks it: a TensorRT release's include/ holds both, but some
# NVIDIA/TensorRT source tags (v10.3.0, for one) keep the parser's header in their parsers/onnx submodule, i.e. the
# onnx/onnx-tensorrt repository at the submodule's commit.
#
# TensorRT headers are system headers (as Bazel passes them) so their own internal uses of deprecated
# types do not fire; any use of deprecated API from our code is still reported at the use site.
#
# Env: CXX (default g++), CUDA_INCLUDE (default /usr/local/cuda/include).
set -euo pipefail

usage() {
  echo "usage: $0 TENSORRT_INCLUDE_DIR [ONNX_PARSER_INCLUDE_DIR]  (NvInfer.h in the first folder, NvOnnxParser.h in" \
    "the first or the second)" >&2
  exit 2
}
[[ $# -eq 1 || $# -eq 2 ]] || usage
if [[ ! -f "$1/NvInfer.h" ]]; then
  echo "$0: no NvInfer.h in $1 (expected a TensorRT include folder)" >&2
  exit 2
fi
HEADERS="$(cd "$1" && pwd)"
PARSER_HEADERS=""
if [[ $# -eq 2 ]]; then
  if [[ ! -f "$2/NvOnnxParser.h" ]]; then
    echo "$0: no NvOnnxParser.h in $2 (expected the ONNX parser's include folder)" >&2
    exit 2
  fi
  PARSER_HEADERS="$(cd "$2" && pwd)"
elif [[ ! -f "$HEADERS/NvOnnxParser.h" ]]; then
  echo "$0: no NvOnnxParser.h in $HEADERS; pass the folder that holds it (onnx/onnx-tensorrt at the parsers/onnx" \
    "submodule's commit, for TensorRT sources that keep the parser there) as the second argument" >&2
  exit 2
fi
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CXX="${CXX:-g++}"
CUDA_INCLUDE="${CUDA_INCLUDE:-/usr/local/cuda/include}"
PYBIND_INCLUDE="$(python3 -c 'import pybind11; print(pybind11.get_include())' 2>/dev/null || true)"
PY_INCLUDE="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null || true)"

# Every TensorRT translation unit of the runtime and the plugins.
UNITS=(
  cpp/trt_runtime/trt_logger.cc
  cpp/trt_runtime/trt_types.cc
  cpp/trt_runtime/plugin_libraries.cc
  cpp/trt_runtime/engine_builder.cc
  cpp/trt_runtime/engine_runner.cc
  cpp/trt_runtime/trt_engine.cc
  cpp/trt_runtime/pybind/runtime_bindings.cc
  cpp/plugins/trt/plugin_logger.cc
  cpp/plugins/trt/fields/trt_fields.cc
  cpp/plugins/trt/scatter/scatter_plugin.cc
  cpp/plugins/trt/scatter/scatter_creator.cc
  cpp/plugins/trt/plugin_registration.cc
  cpp/trt_runtime/pybind/trt_bindings.cc
  # TensorRT-dependent tests (SKIPPED in Bazel without TensorRT) are held to the same bar.
  tests/cpp/trt_runtime/engine_trt_test.cc
  tests/cpp/plugins/trt/scatter_plugin_test.cc
)
FLAGS=(-std=c++17 -fsyntax-only -Wall -Wextra -Werror -Wdeprecated-declarations
       -DAWML_HAVE_TENSORRT=1 -I "$REPO" -isystem "$CUDA_INCLUDE" -isystem "$HEADERS")
[[ -n "$PARSER_HEADERS" ]] && FLAGS+=(-isystem "$PARSER_HEADERS")
[[ -n "$PYBIND_INCLUDE" ]] && FLAGS+=(-isystem "$PYBIND_INCLUDE")
[[ -n "$PY_INCLUDE" ]] && FLAGS+=(-isystem "$PY_INCLUDE")

# TensorRT >= 10.x defines TRT_*_ENTERPRISE; older 10.x headers define NV_TENSORRT_* as numbers.
VERSION="$(sed -n 's/^#define \(TRT_\(MAJOR\|MINOR\|PATCH\)_ENTERPRISE\|NV_TENSORRT_\(MAJOR\|MINOR\|PATCH\)\) \([0-9][0-9]*\).*/\4/p' \
  "$HEADERS/NvInferVersion.h" | head -n 3 | paste -sd.)"
echo "TensorRT headers: $HEADERS (version ${VERSION:-unknown}); compiler: $("$CXX" --version | head -1)"
[[ -n "$PARSER_HEADERS" ]] && echo "ONNX parser header: $PARSER_HEADERS/NvOnnxParser.h"
echo "flags: ${FLAGS[*]}"
failed=0
for unit in "${UNITS[@]}"; do
  if [[ ! -f "$REPO/$unit" ]]; then
    echo "MISSING $unit"
    failed=1
    continue
  fi
  if "$CXX" "${FLAGS[@]}" "$REPO/$unit"; then
    echo "OK      $unit"
  else
    echo "FAILED  $unit"
    failed=1
  fi
done
# Probe: the same flags must reject a use of deprecated API (IPluginV2 is deprecated in 10.x and 11.x),
# so a silently weakened flag set cannot make this check pass.
PROBE="$(mktemp --suffix=.cc)"
trap 'rm -f "$PROBE"' EXIT
printf '#include <NvInferRuntime.h>\nvoid Probe(nvinfer1::IPluginV2* plugin) { (void)plugin; }\n' >"$PROBE"
if "$CXX" "${FLAGS[@]}" "$PROBE" 2>/dev/null; then
  echo "PROBE   a deprecated-API probe compiled: the flags do not catch deprecated API"
  failed=1
else
  echo "PROBE   deprecated-API probe rejected as expected"
fi
[[ $failed -eq 0 ]] && echo "all ${#UNITS[@]} TensorRT translation units compile cleanly" || echo "compile check FAILED"
exit $failed
