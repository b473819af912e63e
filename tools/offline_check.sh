#!/usr/bin/env bash
# Proves that Bazel never touches the network: runs `bazel test` for the given patterns (default
# //tests/...) with a fresh output base inside a network namespace whose only interface is loopback.
# Needs root (unshare -n). Usage: tools/offline_check.sh [PATTERN...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ $# -gt 0 ] || set -- //tests/...
OB=$(mktemp -d "${TMPDIR:-/tmp}/awml-offline-ob.XXXXXX")
trap 'rm -rf "$OB"' EXIT
unshare -n -- bash -c '
  set -euo pipefail
  ip link set lo up   # the Bazel client talks to its server over loopback
  echo "offline_check: interfaces in this namespace: $(ip -brief link | cut -d" " -f1 | tr "\n" " ")"
  rc=0
  bazel --output_base="$0" test --config=ci --nocache_test_results "$@" || rc=$?
  bazel --output_base="$0" shutdown
  exit $rc
' "$OB" "$@"
