#!/usr/bin/env bash
# Runs every fuzz target for RUNS executions each (default 2.5 million), starting from the
# committed seeds, and fails loudly when a target did not run to its count (a missing seed
# folder, a crash, a build error): the last lines of its log are printed and the script exits 1.
# Needs `cargo install cargo-fuzz`; works on stable with `-s none`. Logs go to fuzz/logs/.
set -uo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-2500000}
TARGETS=${TARGETS:-"decode_bytes decode_json decode_bound form_parse spec import_doc policy_file image_ref manifest sync_file link_header tag_page names"}
mkdir -p logs
failed=()
for target in $TARGETS; do
  if [ ! -d "seeds/$target" ]; then
    echo "== $target: no seed folder seeds/$target" >&2
    failed+=("$target (no seeds)")
    continue
  fi
  mkdir -p "corpus/$target"
  log="logs/$target.log"
  echo "== $target ($RUNS runs, log $log)"
  cargo fuzz run -s none -O "$target" "corpus/$target" "seeds/$target" -- -runs="$RUNS" -max_len=65536 >"$log" 2>&1
  status=$?
  done_line=$(grep -E "^Done [0-9]+ runs" "$log" | tail -1)
  runs_done=$(echo "$done_line" | grep -oE "[0-9]+" | head -1)
  if [ "$status" -ne 0 ] || [ -z "$runs_done" ] || [ "$runs_done" -lt "$RUNS" ]; then
    echo "!! $target did not run to its count (exit $status, '${done_line:-no Done line}'); end of its log:" >&2
    tail -n 25 "$log" >&2
    failed+=("$target")
  else
    echo "   $done_line"
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing FAILED for: ${failed[*]}" >&2
  exit 1
fi
echo "every target ran $RUNS times"
