#!/usr/bin/env bash
# The `<name>_gpu` test of an awml_cc_test(..., gpu = True): runs the GPU test binary `<name>` (built
# wherever CUDA compiles, so it can also be copied to a GPU machine) with the remaining arguments.
set -euo pipefail
binary=$1
shift
exec "./$binary" "$@"
