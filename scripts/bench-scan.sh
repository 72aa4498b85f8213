#!/usr/bin/env bash
# Scan benchmark: the first scan of a large book, and the next day's scan after one day of new sales.
#
#   scripts/bench-scan.sh [CLIENTS] [FROM] [TO]     (default 100000 2024-09-01 2025-12-31: about 10M lines)
#
# Generates a history up to TO and the day after as a second file, imports the history, scans as of TO
# (which folds every line into the per-client aggregates), imports the next day, and scans as of TO + 1
# (which folds in only that day). Prints wall seconds and peak memory (max RSS) of each step.
set -euo pipefail
clients=${1:-100000}
from=${2:-2024-09-01}
to=${3:-2025-12-31}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/winback-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

swift build -c release --package-path "$root" --scratch-path "$root/.build-release" --product winback >/dev/null
winback="$root/.build-release/release/winback"
next=$(date -d "$to + 1 day" +%F)
"$winback" generate --clients "$clients" --from "$from" --to "$next" --seed 3 -o "$work/all.csv" 2>/dev/null
head -1 "$work/all.csv" > "$work/next.csv"
grep "^$next," "$work/all.csv" >> "$work/next.csv" || true
grep -v "^$next," "$work/all.csv" > "$work/history.csv"
printf 'state_dir = "%s/state"\n' "$work" > "$work/winback.toml"
echo "history: $(( $(wc -l < "$work/history.csv") - 1 )) lines, $clients clients, $from to $to; next day: $(( $(wc -l < "$work/next.csv") - 1 )) lines"

measure() { # label, command...
    local label=$1; shift
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" > "$work/out"
    read -r seconds kib < "$work/time"
    printf '%-28s %8.2f s %7.0f MB peak\n' "$label" "$seconds" "$(( kib / 1024 ))"
}

measure "import history" "$winback" import --config "$work/winback.toml" "$work/history.csv"
measure "scan as of $to" "$winback" scan --config "$work/winback.toml" --as-of "$to"
head -8 "$work/out" | sed 's/^/    /'
measure "import next day" "$winback" import --config "$work/winback.toml" "$work/next.csv"
measure "scan as of $next" "$winback" scan --config "$work/winback.toml" --as-of "$next"
head -1 "$work/out" | sed 's/^/    /'
measure "rescan as of $next" "$winback" scan --config "$work/winback.toml" --as-of "$next"
