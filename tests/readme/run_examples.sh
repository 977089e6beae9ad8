#!/usr/bin/env bash
# Runs every example of README.md so that none can rot:
#  - each ```toml block preceded by a line <!-- example: NAME.toml (topo|run) --> is written to NAME.toml and
#    checked with `shardsim topo` or `shardsim run`;
#  - then each command in a ```sh block that starts with ./build/src/app/shardsim (with its \ continuation lines)
#    runs with the built binary and must exit 0 (so a command may use a NAME.toml written above, e.g. `check` it).
# Commands run in a scratch folder holding links to scenarios/, topologies/, docs/ and tests/, so files they write
# (sweep.csv, trace.json, ...) land there. Usage: run_examples.sh SOURCE_DIR SHARDSIM_BINARY
set -uo pipefail
src=$1
bin=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for d in scenarios topologies docs tests; do ln -s "$src/$d" "$work/$d"; done
mkdir -p "$work/build/src/app" && ln -s "$bin" "$work/build/src/app/shardsim"
cd "$work" || exit 2

failed=0
ran=0
run() {  # run COMMAND: evaluates it in the scratch folder, quiet unless it fails
  ran=$((ran + 1))
  if ! out=$(bash -o pipefail -c "$1" 2>&1); then
    echo "FAILED: $1"
    echo "$out" | tail -20
    failed=$((failed + 1))
  fi
}

# TOML examples.
target=""
mode=""
capture=0
while IFS= read -r line; do
  if [[ "$line" =~ ^\<!--\ example:\ ([A-Za-z0-9_.-]+)\ (topo|run)\ --\>$ ]]; then
    target=${BASH_REMATCH[1]}
    mode=${BASH_REMATCH[2]}
    continue
  fi
  if [ -n "$target" ] && [ "$line" = '```toml' ]; then
    capture=1
    : > "$target"
    continue
  fi
  if [ "$capture" = 1 ]; then
    if [ "$line" = '```' ]; then
      capture=0
      run "./build/src/app/shardsim $mode $target"
      target=""
    else
      printf '%s\n' "$line" >> "$target"
    fi
  fi
done < "$src/README.md"

# Shell examples.
in_sh=0
command=""
while IFS= read -r line; do
  case "$line" in
    '```sh') in_sh=1; continue ;;
    '```'*) in_sh=0; command=""; continue ;;
  esac
  [ "$in_sh" = 1 ] || continue
  if [ -n "$command" ]; then
    command="$command ${line%\\}"
  elif [[ "$line" == ./build/src/app/shardsim* ]]; then
    command="${line%\\}"
  else
    continue
  fi
  if [[ "$line" != *\\ ]]; then
    run "$command"
    command=""
  fi
done < "$src/README.md"

echo "README examples: $((ran - failed)) passed, $failed failed"
[ "$ran" -gt 10 ] || { echo "too few examples found ($ran): is the README parser broken?"; exit 1; }
[ "$failed" = 0 ]
