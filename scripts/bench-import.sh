#!/usr/bin/env bash
# Import benchmark: winback import against sqlite3's own .import of the same generated file.
#
#   scripts/bench-import.sh [LINES]        (default 1000000)
#
# Builds the release binary, generates a realistic export of LINES lines, then times, in the same run:
#   1. sqlite3 .import into a plain table (no keys, no types, no checks): the floor for loading a CSV;
#   2. winback import: parse, validate, deduplicate, store with keys, index and foreign keys, one transaction;
#   3. winback import of an overlapping re-export (the second half again plus as many new lines).
# Prints wall seconds, lines per second and peak memory (max RSS) of each.
set -euo pipefail
lines=${1:-1000000}
# shellcheck source=scripts/bench-common.sh
. "$(dirname "$0")/bench-common.sh"
# Clients scale with the lines so that every client has about 150 lines over two years.
clients=$(( lines / 150 + 1 ))
"$winback" generate --clients "$clients" --from 2024-01-01 --to 2025-12-31 --lines "$lines" --seed 1 -o "$work/sales.csv" 2>/dev/null
half=$(( lines / 2 ))
{ head -1 "$work/sales.csv"; tail -n +$(( half + 2 )) "$work/sales.csv"; } > "$work/overlap.csv"
"$winback" generate --clients "$clients" --from 2026-01-01 --to 2027-12-31 --lines "$half" --seed 2 -o "$work/new.csv" 2>/dev/null
sed -e 's/INV-/NEW-/' "$work/new.csv" | tail -n +2 >> "$work/overlap.csv"
printf 'state_dir = "%s/state"\n' "$work" > "$work/winback.toml"
bytes=$(stat -c %s "$work/sales.csv")
echo "file: $lines lines, $(( bytes / 1000000 )) MB, $clients clients"

measure() { # label, rows, command...
    local label=$1 rows=$2; shift 2
    timed "$@"
    awk -v l="$label" -v s="$seconds" -v k="$kib" -v r="$rows" \
        'BEGIN { printf "%-34s %7.2f s %10.0f lines/s %7.0f MB peak\n", l, s, r / s, k / 1024 }'
}

measure "sqlite3 .import (plain table)" "$lines" sqlite3 "$work/plain.db" ".mode csv" ".import $work/sales.csv sales"
measure "winback import" "$lines" "$winback" import --config "$work/winback.toml" "$work/sales.csv"
overlap_lines=$(( $(wc -l < "$work/overlap.csv") - 1 ))
measure "winback import (half overlapping)" "$overlap_lines" "$winback" import --config "$work/winback.toml" "$work/overlap.csv"
