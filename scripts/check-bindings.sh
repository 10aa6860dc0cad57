#!/usr/bin/env bash
# Regenerates ui/src/bindings.gen.ts from the Rust IPC types and fails when the result differs
# from the committed file (or the file is not committed yet). Run it in CI and before committing
# a change to a type in crates/core/src/desk/ (or any type that crosses the IPC).
#   scripts/check-bindings.sh
set -euo pipefail
cd "$(dirname "$0")/.."
file=ui/src/bindings.gen.ts
cargo test --quiet --locked -p sdesk-core --features ts --test bindings >/dev/null
if ! git ls-files --error-unmatch "$file" >/dev/null 2>&1; then
  echo "check-bindings: $file is generated but not committed; commit it" >&2
  exit 1
fi
if ! git diff --exit-code -- "$file"; then
  echo "check-bindings: $file is out of date with the Rust types; commit the regenerated file" >&2
  exit 1
fi
echo "check-bindings: $file is up to date"
