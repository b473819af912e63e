#!/usr/bin/env bash
# Builds autoware_bench: our harness (tools/bench/autoware/*.cu, *.h) around Autoware CenterPoint's own CUDA
# pre/post-processing, compiled from an autoware.universe checkout kept OUTSIDE this repository. No Autoware file
# is committed here: this script copies the few it needs into <out dir> and compiles them there.
#
#   tools/bench/autoware/build.sh <autoware.universe checkout> <out dir>
#   e.g. git clone <autoware.universe> /work/ext/autoware.universe
#        git -C /work/ext/autoware.universe checkout b8ce82e3759e50f780a0941ca8698ff52aa57b97
#        tools/bench/autoware/build.sh /work/ext/autoware.universe build/autoware_bench
#        mkdir -p build/gpu/bin && cp build/autoware_bench/autoware_bench build/gpu/bin/
#
# Needs nvcc (CUDA 13) and no GPU; the binary runs where the NVIDIA driver is (`autoware_bench --stats-only` runs
# anywhere). The checkout must be at b8ce82e (v0.43.0), the package unmodified, unless AUTOWARE_ANY_COMMIT=1.
#
# Files used (package perception/autoware_lidar_centerpoint): lib/preprocess/preprocess_kernel.cu,
# lib/network/scatter_kernel.cu, lib/postprocess/postprocess_kernel.cu, lib/postprocess/circle_nms_kernel.cu,
# lib/utils.cpp and the headers they and the harness include. No ROS, no TensorRT.
#
# The one change (on the copy, never on the checkout): in shufflePoints_kernel the validity test uses the source
# index instead of the destination index (`if (dst_idx >= points_size)` -> `if (src_idx >= points_size)`), as
# upstream later did. Unfixed, the output slots below N read points_aux at random indices below cloud_capacity, so
# 85-98.5 % of the voxelised "points" would be stale memory (shared/docs/reference/autoware_kernel_baseline.md, 7.1).
#
# Every translation unit, Autoware's and ours, is compiled with: nvcc -O3 -std=c++17 -arch=sm_90 -Xcompiler -O3
set -euo pipefail
COMMIT=b8ce82e3759e50f780a0941ca8698ff52aa57b97
usage="usage: tools/bench/autoware/build.sh <autoware.universe checkout> <out dir>"
if [ $# -ne 2 ]; then
  echo "build.sh | expected 2 arguments, got $#. Note: $usage" >&2
  exit 2
fi
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
AW=$1
OUTDIR=$2
PKG="$AW/perception/autoware_lidar_centerpoint"
if [ ! -f "$PKG/lib/preprocess/preprocess_kernel.cu" ]; then
  echo "build.sh | $AW is not an autoware.universe checkout. Note: expected $PKG/lib/preprocess/preprocess_kernel.cu" >&2
  exit 2
fi
head=$(git -C "$AW" rev-parse HEAD 2>/dev/null || echo "not a git checkout")
if [ "$head" != "$COMMIT" ] && [ "${AUTOWARE_ANY_COMMIT:-0}" != "1" ]; then
  echo "build.sh | $AW is at $head. Note: expected commit $COMMIT (or AUTOWARE_ANY_COMMIT=1)" >&2
  exit 2
fi
if [ "${AUTOWARE_ANY_COMMIT:-0}" != "1" ] && ! git -C "$AW" diff --quiet HEAD -- perception/autoware_lidar_centerpoint; then
  echo "build.sh | $PKG has local changes. Note: expected the package exactly as committed at $COMMIT" >&2
  exit 2
fi
NVCC=${NVCC:-nvcc}
command -v "$NVCC" >/dev/null || {
  echo "build.sh | nvcc not found. Note: expected CUDA 13's nvcc on PATH or in \$NVCC" >&2
  exit 2
}
OUT=$(realpath -m "$OUTDIR")
# Autoware's files must never become untracked files of this repository: inside it, only an ignored folder.
case "$OUT/" in
  "$REPO/"*)
    git -C "$REPO" check-ignore -q "$OUT/autoware_src" || {
      echo "build.sh | $OUT is inside the repository and not git-ignored. Note: expected e.g. build/autoware_bench or /tmp/..." >&2
      exit 2
    }
    ;;
esac
mkdir -p "$OUT"
SRC="$OUT/autoware_src"
rm -rf "$SRC" "$OUT/obj"
mkdir -p "$SRC/include" "$SRC/lib" "$OUT/obj"
H=include/autoware/lidar_centerpoint
for f in $H/centerpoint_config.hpp $H/cuda_utils.hpp $H/utils.hpp $H/preprocess/preprocess_kernel.hpp \
  $H/network/scatter_kernel.hpp $H/postprocess/postprocess_kernel.hpp $H/postprocess/circle_nms_kernel.hpp \
  lib/preprocess/preprocess_kernel.cu lib/network/scatter_kernel.cu lib/postprocess/postprocess_kernel.cu \
  lib/postprocess/circle_nms_kernel.cu lib/utils.cpp; do
  mkdir -p "$SRC/$(dirname "$f")"
  cp "$PKG/$f" "$SRC/$f"
done
# The shuffle fix: exactly one line changes, or the build stops.
PRE="$SRC/lib/preprocess/preprocess_kernel.cu"
[ "$(grep -c 'if (dst_idx >= points_size) {' "$PRE")" = 1 ] || {
  echo "build.sh | $PRE has no single 'if (dst_idx >= points_size) {'. Note: expected the b8ce82e shuffle kernel" >&2
  exit 2
}
sed -i 's/if (dst_idx >= points_size) {/if (src_idx >= points_size) {/' "$PRE"
diff "$PKG/lib/preprocess/preprocess_kernel.cu" "$PRE" >"$OUT/shuffle_fix.diff" || true
[ "$(grep -c '^[<>]' "$OUT/shuffle_fix.diff")" = 2 ] || {
  echo "build.sh | the shuffle fix changed more than one line. Note: see $OUT/shuffle_fix.diff" >&2
  exit 2
}
FLAGS=(-O3 -std=c++17 -arch=sm_90 -Xcompiler -O3)
INC=(-I"$SRC/include" -I"$REPO")
objs=()
for f in lib/preprocess/preprocess_kernel.cu lib/network/scatter_kernel.cu lib/postprocess/postprocess_kernel.cu \
  lib/postprocess/circle_nms_kernel.cu lib/utils.cpp; do
  o="$OUT/obj/$(basename "$f").o"
  echo "nvcc ${FLAGS[*]} $f"
  "$NVCC" "${FLAGS[@]}" -I"$SRC/include" -c "$SRC/$f" -o "$o"
  objs+=("$o")
done
for f in autoware_bench.cu autoware_pre.cu autoware_post.cu; do
  o="$OUT/obj/$f.o"
  echo "nvcc ${FLAGS[*]} tools/bench/autoware/$f"
  "$NVCC" "${FLAGS[@]}" "${INC[@]}" -c "$REPO/tools/bench/autoware/$f" -o "$o"
  objs+=("$o")
done
"$NVCC" "${FLAGS[@]}" "${objs[@]}" -o "$OUT/autoware_bench"
{
  echo "autoware.universe $head (perception/autoware_lidar_centerpoint), shuffle fix applied:"
  cat "$OUT/shuffle_fix.diff"
  echo "harness: $(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet -- tools/bench 2>/dev/null || echo ' (tools/bench modified)')"
  "$NVCC" --version | tail -n 2
} >"$OUT/BUILD_INFO.txt"
echo "built $OUT/autoware_bench ($(du -h "$OUT/autoware_bench" | cut -f1)); provenance in $OUT/BUILD_INFO.txt"
