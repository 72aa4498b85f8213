#!/usr/bin/env bash
# The scale benchmark: every figure as a ratio against its reference, measured in the same run.
#
#   scripts/bench.sh [CLIENTS] [E2E_CLIENTS]      (defaults 100000 and 10000; 0 skips a part)
#
# 1. A book of CLIENTS clients from 2024-09-01 to 2026-01-01 (about 100 lines per client: 10M lines at the
#    default), its last day set aside as "the next day's export". Timed, with peak memory (max RSS):
#    - sqlite3's .import of the history into a keyless table (no types, no checks): the floor for loading a CSV;
#    - winback import of the history (parse, validate, deduplicate, keys, indexes, aggregates; one transaction);
#    - the first scan; the next day's import and scan (and what it changed in the states of clients without new
#      sales, by scripts/compare-states.py); the same day scanned again;
#    - each read command on the scanned book.
# 2. End to end on E2E_CLIENTS clients (about 1M lines at the default): CSV to every client's verdict, winback's
#    import + first scan against Python's lifetimes (pandas read, repeat summary, BG/NBD fit, P(alive) for
#    every client), lifetimes installed from PyPI into a throwaway virtual environment.
#
# Needs sqlite3 and GNU time (apt-get install sqlite3 time), python3 with venv for part 2.
set -euo pipefail
clients=${1:-100000}
e2e=${2:-10000}
# shellcheck source=scripts/bench-common.sh
. "$(dirname "$0")/bench-common.sh"

# measure LABEL COMMAND...: runs it, keeps its seconds in $seconds, prints seconds and peak memory.
measure() {
    local label=$1
    shift
    timed "$@"
    printf '  %-34s %8.2f s %7d MB peak' "$label" "$seconds" "$((kib / 1024))"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }

book() { # CLIENTS FOLDER: the history and the next day's export
    local n=$1 dir=$2
    mkdir -p "$dir"
    "$winback" generate --clients "$n" --from 2024-09-01 --to 2026-01-01 --seed 3 -o "$dir/all.csv" 2>/dev/null
    head -1 "$dir/all.csv" >"$dir/next.csv"
    grep '^2026-01-01,' "$dir/all.csv" >>"$dir/next.csv" || true
    grep -v '^2026-01-01,' "$dir/all.csv" >"$dir/history.csv"
    rm "$dir/all.csv"
    printf 'state_dir = "%s/state"\n' "$dir" >"$dir/winback.toml"
}

if [ "$clients" -gt 0 ]; then
    dir="$work/book"
    book "$clients" "$dir"
    lines=$(($(wc -l <"$dir/history.csv") - 1))
    echo "book: $clients clients, $lines lines of history, $(($(wc -l <"$dir/next.csv") - 1)) on the next day"
    config=(--config "$dir/winback.toml")

    measure "sqlite3 .import (keyless table)" sqlite3 "$work/plain.db" ".mode csv" ".import $dir/history.csv sales"
    floor=$seconds
    echo "  $(awk -v l="$lines" -v s="$floor" 'BEGIN { printf "%.0f lines/s", l / s }')"
    measure "winback import" "$winback" import "${config[@]}" "$dir/history.csv"
    echo "  $(awk -v l="$lines" -v s="$seconds" 'BEGIN { printf "%.0f lines/s", l / s }'), $(ratio "$floor" "$seconds")x sqlite3 .import"
    rm -f "$work/plain.db"

    measure "first scan" "$winback" scan "${config[@]}" --as-of 2025-12-31
    first=$seconds
    echo
    # The first scan's client states, kept aside: what the next-day scan changes is counted against them.
    sqlite3 "$dir/state/winback.sqlite" \
        "ATTACH '$work/before.sqlite' AS kept; CREATE TABLE kept.client_states AS SELECT * FROM client_states"
    measure "import the next day" "$winback" import "${config[@]}" "$dir/next.csv"
    echo
    measure "next-day scan" "$winback" scan "${config[@]}" --as-of 2026-01-01
    echo "  $(ratio "$seconds" "$first")x the first scan"
    if command -v python3 >/dev/null; then
        echo "  what the next day changed in the states of clients without new sales:"
        python3 "$root/scripts/compare-states.py" "$work/before.sqlite" "$dir/state/winback.sqlite" | sed 's/^/  /'
    fi
    measure "same-day rescan" "$winback" scan "${config[@]}" --as-of 2026-01-01
    echo "  $(ratio "$seconds" "$first")x the first scan"
    some=$(sed -n 2p "$dir/next.csv" | cut -d, -f2)
    for command in "clients --format json" "clients --format csv" "clients" "alerts" "alerts --format json" "list" \
        "list --top 20" "alerts --severity critical" "alerts --client $some" "status" "trend" "client $some"; do
        # shellcheck disable=SC2086
        # status exits 1 on a stale book (the generated one ends in 2026-01-01): its output is what is timed.
        measure "$command" "$winback" $command "${config[@]}" || true
        echo "  $(ratio "$seconds" "$first")x the first scan, $(($(wc -l <"$work/out"))) lines"
    done
fi

if [ "$e2e" -gt 0 ]; then
    dir="$work/e2e"
    book "$e2e" "$dir"
    tail -n +2 "$dir/next.csv" >>"$dir/history.csv"
    lines=$(($(wc -l <"$dir/history.csv") - 1))
    echo "end to end: $e2e clients, $lines lines, CSV to every client's verdict"
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet lifetimes >/dev/null
    cat >"$work/verdicts.py" <<'PY'
import sys
import pandas as pd
from lifetimes import BetaGeoFitter
from lifetimes.utils import summary_data_from_transaction_data
sales = pd.read_csv(sys.argv[1], usecols=["date", "client_id", "amount"], parse_dates=["date"])
summary = summary_data_from_transaction_data(sales, "client_id", "date", observation_period_end="2026-01-01", freq="D")
model = BetaGeoFitter(penalizer_coef=0.0)
model.fit(summary["frequency"], summary["recency"], summary["T"])
alive = model.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
print(len(alive), "clients with P(alive)")
PY
    measure "lifetimes (read, summary, fit, P)" "$work/venv/bin/python" "$work/verdicts.py" "$dir/history.csv"
    reference=$seconds
    echo "  $(cat "$work/out")"
    measure "winback import" "$winback" import --config "$dir/winback.toml" "$dir/history.csv"
    imported=$seconds
    echo
    measure "winback first scan" "$winback" scan --config "$dir/winback.toml" --as-of 2026-01-01
    total=$(awk -v a="$imported" -v b="$seconds" 'BEGIN { print a + b }')
    echo
    echo "  winback import + scan: $total s, $(ratio "$total" "$reference")x lifetimes' time"
fi
