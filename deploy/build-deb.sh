#!/usr/bin/env bash
# Builds the Debian package: dist/winback_VERSION_ARCH.deb.
#
#   deploy/build-deb.sh             build the release binary (Swift runtime linked in) and package it
#   deploy/build-deb.sh --no-build  package the binary built before (.build-static/release/winback)
#
# The package holds the binary (/usr/bin/winback), the systemd unit (/lib/systemd/system/winback.service), the
# example config as a conffile (/etc/winback/winback.toml), deploy/ADMIN.md (/usr/share/doc/winback/), the [notify]
# example mailer (/usr/share/winback/notify-mail.sh), shell completions for bash, zsh and fish and a man page, both
# generated from the command line's own definition.
# Its postinst creates the winback user and group and /var/lib/winback. Install it with `dpkg -i`; see
# deploy/ADMIN.md. Needs dpkg-deb; the man page's generator (swift-argument-parser's generate-manual) is built
# from the checkout the build resolved.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch="$root/.build-static"
out=${OUT:-$root/dist}
build=yes
for arg in "$@"; do
    case $arg in
        --no-build) build=no ;;
        *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
    esac
done

missing=()
command -v dpkg-deb >/dev/null || missing+=(dpkg)
command -v strip >/dev/null || missing+=(binutils)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || missing+=(libsqlite3-dev)
if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if [ $build = yes ]; then
    swift build -c release --static-swift-stdlib --scratch-path "$scratch" --package-path "$root" --product winback
fi
binary="$scratch/release/winback"
[ -x "$binary" ] || { echo "no binary at $binary: build first (drop --no-build)" >&2; exit 1; }
generator="$scratch/generate-manual/release/generate-manual"
if [ ! -x "$generator" ] || [ $build = yes ]; then
    swift build -c release --package-path "$scratch/checkouts/swift-argument-parser" \
        --scratch-path "$scratch/generate-manual" --product generate-manual
fi

version=$("$binary" --version)
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"

# The binary, the unit, the config and the guide, where install.sh puts them for a package.
DESTDIR="$stage" PREFIX=/usr UNITDIR=/lib/systemd/system "$root/deploy/install.sh" --no-build --no-user >/dev/null
share="$stage/usr/share"
install -d -m 0755 "$share/bash-completion/completions" "$share/zsh/vendor-completions" \
    "$share/fish/vendor_completions.d" "$share/man/man1"
"$binary" --generate-completion-script bash >"$share/bash-completion/completions/winback"
"$binary" --generate-completion-script zsh >"$share/zsh/vendor-completions/_winback"
"$binary" --generate-completion-script fish >"$share/fish/vendor_completions.d/winback.fish"
# Dated by the last commit, so that the same tree builds the same page.
"$generator" "$binary" --date "$(git -C "$root" log -1 --format=%cs 2>/dev/null || date +%F)" \
    --output-directory "$share/man/man1" >/dev/null
gzip -9n "$share/man/man1/winback.1"
find "$share" -type f ! -name notify-mail.sh -exec chmod 0644 {} +

install -d -m 0755 "$stage/DEBIAN"
for script in postinst prerm postrm; do
    install -m 0755 "$root/deploy/debian/$script" "$stage/DEBIAN/$script"
done
echo /etc/winback/winback.toml >"$stage/DEBIAN/conffiles"
# The static binary still links SQLite, the C++ runtime and glibc from the system: Depends says which.
depends="libc6, libgcc-s1, libstdc++6, libsqlite3-0 (>= 3.27), passwd, procps"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
maintainer="${DEBFULLNAME:-$(git -C "$root" config user.name || echo winback)} <${DEBEMAIL:-$(git -C "$root" config user.email || echo winback@localhost)}>"
cat >"$stage/DEBIAN/control" <<EOF
Package: winback
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Suggests: default-mta | mail-transport-agent
Section: misc
Priority: optional
Description: finds the key clients a company is losing and helps win them back
 winback watches a company's sales exports, finds the clients that are being
 lost, counts those losses over time and by direction, and writes a
 prioritised win-back list and daily alert files. It runs as a systemd
 service (winback.service) over the state directory /var/lib/winback; the
 winback command queries and works the alert list.
EOF

mkdir -p "$out"
package="$out/winback_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$package" >/dev/null
echo "built $package ($(du -h "$package" | cut -f1))"
