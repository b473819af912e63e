#!/usr/bin/env bash
# Lint gate: ruff (check + format) for Python, clang-format for C++/CUDA. Exit 1 on any finding.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fail=0
python3 -m ruff check --quiet . || fail=1
python3 -m ruff format --check --quiet . || { echo "lint: run 'python3 -m ruff format .'"; fail=1; }
mapfile -t cc < <(git ls-files --cached --others --exclude-standard -- '*.cc' '*.h' '*.cu' '*.cuh' '*.hpp' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
if [ ${#cc[@]} -gt 0 ]; then
  if command -v clang-format >/dev/null; then
    clang-format --dry-run --Werror "${cc[@]}" || { echo "lint: run 'clang-format -i' on the files above"; fail=1; }
  else
    echo "lint: clang-format not installed (tools/bootstrap.sh installs it)"; fail=1
  fi
fi
[ $fail -eq 0 ] && echo "lint: clean"
exit $fail
