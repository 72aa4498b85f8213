#!/usr/bin/env bash
# Fuzzes the CSV reader, the decimal and date parsers, then the config parser, with libFuzzer and
# AddressSanitizer. Findings so far: Fuzz/findings/README.md.
#
#   scripts/fuzz.sh [SECONDS] [csv|config]     (default 120 seconds each, both targets)
#
# The corpus starts from the sample export and grows in .fuzz-corpus/ (git-ignored); a crash is written as
# crash-* in the current folder with the input that caused it.
set -euo pipefail
seconds=${1:-120}
only=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z $only || $only == csv ]]; then
WINBACK_FUZZ=1 swift build -c release --package-path "$root" --scratch-path "$root/.build-fuzz" \
    -Xswiftc -sanitize=fuzzer,address --product fuzz-csv
corpus="$root/.fuzz-corpus"
mkdir -p "$corpus"
cp -n "$root/examples/sales-sample.csv" "$corpus/" 2>/dev/null || true
printf 'date;client_id;"quoted ""field"""\r\n05.03.2024;C1;"1 234,56"\n' > "$corpus/seed-quoted.csv"
"$root/.build-fuzz/release/fuzz-csv" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1
fi

# The config parser too: TOMLKit's C++ is instrumented as well.
[[ -z $only || $only == config ]] || exit 0
WINBACK_FUZZ=1 swift build -c release --package-path "$root" --scratch-path "$root/.build-fuzz" \
    -Xswiftc -sanitize=fuzzer,address -Xcxx -fsanitize=fuzzer-no-link,address --product fuzz-config
config_corpus="$root/.fuzz-corpus-config"
mkdir -p "$config_corpus"
cp -n "$root/config/winback.toml" "$root"/Fuzz/findings/*.toml "$config_corpus/" 2>/dev/null || true
# TOMLKit leaks on every parse (Fuzz/findings/README.md, open upstream): LeakSanitizer's report at exit is left
# out, so that the exit status says whether the fuzzer found a crash.
ASAN_OPTIONS=detect_leaks=0 "$root/.build-fuzz/release/fuzz-config" "$config_corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=4096 \
    -detect_leaks=0 -print_final_stats=1
