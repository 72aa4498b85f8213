# Sourced by the benchmarks, not run: sets `root`, `work` (a scratch folder removed on exit) and `winback` (the
# release binary, built in .build-release), after checking for sqlite3 and GNU time.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/winback-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 command (apt-get install sqlite3)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

swift build -c release --package-path "$root" --scratch-path "$root/.build-release" --product winback >/dev/null
winback="$root/.build-release/release/winback"

# timed COMMAND...: runs it, its output in $work/out; its wall seconds in $seconds, its peak memory in $kib (KiB).
timed() {
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out"
    # The last line: GNU time puts "Command exited with non-zero status N" before it.
    read -r seconds kib < <(tail -n 1 "$work/time")
}
