#!/usr/bin/env bash
# Renders what people look at, as they would see it, into PNG files: the HTML digest in a real browser
# (headless Chromium) and winback.csv as a German spreadsheet opens it (LibreOffice, German number
# format, the file's own delimiter and byte order mark), from the demo's data scanned with
# [locale] de_DE / EUR.
#
#   scripts/look.sh [OUT_DIR]     (default: .build-look/)
#
# Installs chromium, libreoffice-calc and poppler-utils from Debian when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.build-look}
mkdir -p "$out"

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v soffice >/dev/null || missing+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" fonts-dejavu-core >/dev/null
fi

swift build -c release --scratch-path "$root/.build-release" --package-path "$root" --product winback >/dev/null
winback="$root/.build-release/release/winback"
demo=$("$winback" demo | sed -n 's/^Look around with --state-dir \(.*\):$/\1/p')
[ -n "$demo" ] || { echo "look.sh: the demo did not say where its state is" >&2; exit 1; }
day=$(ls "$demo/outbox" | sort | tail -1)
printf 'state_dir = "%s"\n[locale]\nlocale = "de_DE"\ncurrency = "EUR"\n' "$demo" > "$out/de.toml"
"$winback" scan --config "$out/de.toml" --as-of "$day" --no-notify >/dev/null
folder="$demo/outbox/$day"

chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=820,2400 \
    --screenshot="$out/digest.png" "file://$folder/digest.html" 2>/dev/null
manager=$(ls "$folder/managers" | head -1)
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=820,1400 \
    --screenshot="$out/digest-$manager.png" "file://$folder/managers/$manager/digest.html" 2>/dev/null

# 59 = ';', 34 = '"', 76 = UTF-8, from line 1, language 1031 = German (decimal comma).
cp "$folder/winback.csv" "$out/winback.csv"
soffice --headless --infilter="CSV:59,34,76,1,,1031" --convert-to pdf --outdir "$out" "$out/winback.csv" >/dev/null 2>&1
pdftoppm -r 70 -png -f 1 -l 1 "$out/winback.pdf" "$out/winback-csv"

echo "demo state: $demo"
ls -1 "$out"/*.png
