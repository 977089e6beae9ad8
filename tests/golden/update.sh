#!/usr/bin/env bash
# Rewrites tests/golden/<name>.txt from `shardsim run scenarios/<name>.toml` for every scenario.
# Run from the repository root after building (build/ by default; pass another build folder as $1).
set -euo pipefail
build=${1:-build}
for scenario in scenarios/*.toml; do
  name=$(basename "$scenario" .toml)
  "$build/src/app/shardsim" run "$scenario" > "tests/golden/$name.txt"
  echo "wrote tests/golden/$name.txt"
done
