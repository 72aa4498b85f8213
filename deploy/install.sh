#!/usr/bin/env bash
# Installs winback as a systemd service: the release binary (Swift runtime linked in), the unit, the example
# config, the admin guide, and the winback user and group.
#
#   sudo deploy/install.sh             build and install
#   sudo deploy/install.sh --no-build  install a binary built before (.build-static/release/winback)
#   DESTDIR=/tmp/pkg deploy/install.sh --no-user   stage the files for a package, without touching users
#   PREFIX=/usr UNITDIR=/lib/systemd/system ...    where the binary, the guide and the unit go (deploy/build-deb.sh)
#
# Then: edit /etc/winback/winback.toml, `systemctl enable --now winback`, and add operators to the
# winback group (`usermod -aG winback alice`). See deploy/ADMIN.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
destdir=${DESTDIR:-}
prefix=${PREFIX:-/usr/local}
unitdir=${UNITDIR:-/etc/systemd/system}
build=yes
user=yes
for arg in "$@"; do
    case $arg in
        --no-build) build=no ;;
        --no-user) user=no ;;
        *) echo "usage: $0 [--no-build] [--no-user]" >&2; exit 2 ;;
    esac
done

scratch="$root/.build-static"
if [ $build = yes ]; then
    dpkg -s libsqlite3-dev >/dev/null 2>&1 || apt-get install -y libsqlite3-dev
    swift build -c release --static-swift-stdlib --scratch-path "$scratch" --package-path "$root" --product winback
fi
binary="$scratch/release/winback"
[ -x "$binary" ] || { echo "no binary at $binary: build first (drop --no-build)" >&2; exit 1; }

if [ $user = yes ] && ! getent passwd winback >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/winback --no-create-home --shell /usr/sbin/nologin \
        --comment "winback service" winback
fi

install -D -m 0755 -s "$binary" "$destdir$prefix/bin/winback"
install -D -m 0644 "$root/deploy/winback.service" "$destdir$unitdir/winback.service"
# The binary and the guide the unit names.
sed -i "s|/usr/local/|$prefix/|g" "$destdir$unitdir/winback.service"
install -D -m 0644 "$root/deploy/ADMIN.md" "$destdir$prefix/share/doc/winback/ADMIN.md"
# The [notify] example mailer (the example config names the package's path, /usr/share/winback/).
install -D -m 0755 "$root/deploy/notify-mail.sh" "$destdir$prefix/share/winback/notify-mail.sh"
# The unit's ConfigurationDirectoryMode: systemd warns at every start when the folder's mode differs.
install -d -m 0750 "$destdir/etc/winback"
if [ ! -e "$destdir/etc/winback/winback.toml" ]; then
    # The example states every default; the daemon's state directory is systemd's StateDirectory.
    install -D -m 0640 "$root/config/winback.toml" "$destdir/etc/winback/winback.toml"
    [ $user = yes ] && chgrp winback "$destdir/etc/winback" "$destdir/etc/winback/winback.toml"
fi
if [ -z "$destdir" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
fi
echo "installed $prefix/bin/winback, $unitdir/winback.service, /etc/winback/winback.toml"
echo "next: edit /etc/winback/winback.toml, then: systemctl enable --now winback"
