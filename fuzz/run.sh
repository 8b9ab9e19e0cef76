#!/usr/bin/env bash
# Runs every fuzz target for RUNS executions each (default 2.5 million), starting from the
# committed seeds. Needs `cargo install cargo-fuzz`; works on stable with `-s none`.
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-2500000}
for target in decode_bytes decode_json form_parse spec import_doc; do
  mkdir -p "corpus/$target"
  echo "== $target ($RUNS runs)"
  cargo fuzz run -s none -O "$target" "corpus/$target" "seeds/$target" -- -runs="$RUNS" -max_len=65536 2>&1 | grep -E "^#[0-9]+\s+DONE|Done [0-9]+ runs|ERROR|panicked|SUMMARY" || true
done
