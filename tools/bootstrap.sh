#!/usr/bin/env bash
# Installs everything awml-deploy needs on a Debian 12 machine, into the machine's python3:
#   Debian: bazel-bootstrap (4.2.3) + platforms/skylib/rules-java, gtest, rapidjson, clang-format, ninja, build tools
#   Python: the pinned stack of tools/constraints.txt, with mmcv's CPU ops built from source once and
#           cached outside the clone ($AWML_CACHE_DIR, default ~/.cache/awml-deploy).
# Idempotent and quiet when there is nothing to do. Set AWML_BOOTSTRAP_VERBOSE=1 for the full logs.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONSTRAINTS="$HERE/constraints.txt"
PY=${PYTHON_BIN_PATH:-python3}
CACHE=${AWML_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/awml-deploy}
LOG="$CACHE/bootstrap.log"
mkdir -p "$CACHE"
: >"$LOG"

say() { echo "bootstrap: $*"; }
run() {  # run a step quietly; on failure show the end of its log and stop
  if [ "${AWML_BOOTSTRAP_VERBOSE:-0}" = 1 ]; then "$@" 2>&1 | tee -a "$LOG"; return "${PIPESTATUS[0]}"; fi
  if ! "$@" >>"$LOG" 2>&1; then
    echo "bootstrap: FAILED: $*" >&2
    tail -n 40 "$LOG" >&2
    echo "bootstrap: full log: $LOG" >&2
    exit 1
  fi
}

# ---- Debian packages --------------------------------------------------------------------------------
APT_PACKAGES=(bazel-bootstrap bazel-platforms bazel-skylib bazel-rules-java libgtest-dev libgmock-dev
  clang-format ninja-build g++ git libssl-dev cmake rapidjson-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  say "installing Debian packages: ${missing[*]}"
  run $SUDO apt-get update -qq
  run env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ---- Python stack -----------------------------------------------------------------------------------
# Which pinned packages are missing or at another version? (One interpreter start: fast.)
check_py() {
  "$PY" - "$CONSTRAINTS" "$@" <<'PYEOF'
import sys
from importlib import metadata
pins = {}
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if "==" in line:
        name, ver = line.split("==")
        pins[name.strip().lower()] = ver.strip()
bad = []
for name in sys.argv[2:]:
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        bad.append(name); continue
    want = pins[name.lower()]
    if have.split("+")[0] != want:
        bad.append(name)
print(" ".join(bad))
PYEOF
}
pip_install() { run "$PY" -m pip install -q --disable-pip-version-check -c "$CONSTRAINTS" "$@"; }

BASE=(torch numpy onnx onnx-ir onnxruntime onnxscript onnxconverter-common mmengine pybind11 PyYAML orjson rich tqdm pytest hypothesis ruff
  shapely pyquaternion matplotlib scipy ninja)
need=$(check_py "${BASE[@]}")
if [ -n "$need" ]; then
  say "installing Python packages: $need"
  # torch first (the local CPU wheel), so nothing later pulls a CUDA build.
  pip_install torch
  pip_install $need
fi
# setuptools<81 (pkg_resources) is needed to build mmcv; torch pulls a newer one.
if [ -n "$(check_py setuptools)" ]; then pip_install setuptools; fi

if [ -n "$(check_py mmcv)" ]; then
  TAG=$("$PY" -c "import sys, torch; print(f'torch{torch.__version__}-cp{sys.version_info[0]}{sys.version_info[1]}')")
  WHEELS="$CACHE/mmcv-wheels/$TAG"
  if ! ls "$WHEELS"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
    say "building mmcv 2.1.0 CPU ops (about 3 minutes on 2 cores; cached in $WHEELS)"
    run env PYTHON="$PY" bash "$HERE/build_mmcv_wheel.sh" 2.1.0 "$WHEELS"
  fi
  say "installing mmcv from $WHEELS"
  pip_install --no-deps "$WHEELS"/mmcv-2.1.0-*.whl
  pip_install addict termcolor yapf opencv-python packaging
fi
need=$(check_py mmdet numba llvmlite pycocotools)
if [ -n "$need" ]; then
  say "installing $need"
  pip_install mmdet numba llvmlite pycocotools
fi
if [ -n "$(check_py mmdet3d)" ]; then
  say "installing mmdet3d (--no-deps: its declared deps pull open3d and numpy<2)"
  pip_install --no-deps mmdet3d
fi

# Smoke test, cached by the constraints' hash so that a second run stays fast.
STAMP="$CACHE/bootstrap.$(cat "$CONSTRAINTS" | sha256sum | cut -c1-16).ok"
if [ ! -f "$STAMP" ]; then
  run "$PY" -c "import torch, onnx, onnxruntime, mmcv.ops, mmdet, mmdet3d, pybind11, numpy, shapely, yaml"
  touch "$STAMP"
  say "ready: Python stack of tools/constraints.txt installed and importable"
fi
