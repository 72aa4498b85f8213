#!/usr/bin/env bash
# Model benchmark: the BG/NBD fit of winback against Python's lifetimes, on the same CDNOW data, in one
# run; then winback's fit on a large generated book.
#
#   scripts/bench-model.sh [CLIENTS]     (default 100000: about 10M lines; 0 skips the large fit)
#
# lifetimes is installed from PyPI into a throwaway virtual environment. Both fit the same repeat-purchase
# summaries (calibration through 1997-09-30, time in days); each fit is timed alone, five times, and the
# median is printed with the parameters.
set -euo pipefail
clients=${1:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/winback-bench-model.XXXXXX")
trap 'rm -rf "$work"' EXIT

swift build -c release --package-path "$root" --scratch-path "$root/.build-release" --product winback >/dev/null
winback="$root/.build-release/release/winback"
data="$root/Tests/WinbackScanTests/Fixtures/CDNOW_sample.txt"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet lifetimes >/dev/null
cat > "$work/fit.py" <<'PY'
import sys, time, statistics
import pandas as pd
from lifetimes import BetaGeoFitter
from lifetimes.utils import summary_data_from_transaction_data
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
tx = pd.DataFrame({"id": [r[1] for r in rows], "date": pd.to_datetime([r[2] for r in rows], format="%Y%m%d")})
s = summary_data_from_transaction_data(tx, "id", "date", observation_period_end="1997-09-30", freq="D")
times = []
for _ in range(5):
    f = BetaGeoFitter()
    start = time.perf_counter()
    f.fit(s["frequency"], s["recency"], s["T"])
    times.append(time.perf_counter() - start)
p = f.params_
print(f"lifetimes {statistics.median(times):.3f} s  r={p['r']:.4f} alpha={p['alpha']:.3f} days a={p['a']:.4f} b={p['b']:.4f} "
      f"LL={f.log_likelihood_:.2f} clients={len(s)}")
PY
"$work/venv/bin/python" "$work/fit.py" "$data"

# winback: the same transactions as a sales export, imported, fitted five times.
awk 'BEGIN { print "date,client_id,document,amount" } NF == 5 { sub(/\r$/, "", $5); print $3 "," $2 ",T" NR "," $5 }' "$data" > "$work/cdnow.csv"
printf 'state_dir = "%s/cdnow"\n' "$work" > "$work/cdnow.toml"
"$winback" import --config "$work/cdnow.toml" "$work/cdnow.csv" >/dev/null
for _ in 1 2 3 4 5; do "$winback" model fit --config "$work/cdnow.toml" --as-of 1997-09-30 --format json; done > "$work/fits.json"
python3 - "$work/fits.json" <<'PY'
import json, sys, statistics
fits = [json.loads(line) for line in open(sys.argv[1])]
f = fits[-1]
print(f"winback   {statistics.median(x['fit_seconds'] for x in fits):.3f} s  r={f['r']:.4f} alpha={f['alpha']:.3f} days "
      f"a={f['a']:.4f} b={f['b']:.4f} LL={f['log_likelihood']:.2f} clients={f['clients']} converged={f['converged']}")
PY

if [ "$clients" -gt 0 ]; then
    "$winback" generate --clients "$clients" --from 2024-09-01 --to 2025-12-31 --seed 3 -o "$work/big.csv" 2>/dev/null
    printf 'state_dir = "%s/big"\n' "$work" > "$work/big.toml"
    "$winback" import --config "$work/big.toml" "$work/big.csv" >/dev/null
    lines=$(( $(wc -l < "$work/big.csv") - 1 ))
    /usr/bin/time -f '%e %M' -o "$work/time" "$winback" model fit --config "$work/big.toml" --as-of 2025-12-31 --format json > "$work/big.json"
    read -r seconds kib < "$work/time"
    python3 - "$work/big.json" "$lines" "$seconds" "$kib" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
print(f"winback on {f['clients']} clients / {sys.argv[2]} lines: fit {f['fit_seconds']:.2f} s "
      f"(command {float(sys.argv[3]):.2f} s with reading the aggregates, {int(sys.argv[4]) // 1024} MB peak), "
      f"{f['iterations']} iterations, converged={f['converged']}")
PY
fi
