#!/usr/bin/env bash
# Boots a minimal Debian 12 (bookworm) under qemu, with the real systemd as PID 1, installs winback the way
# deploy/install.sh does, and exercises the unit inside: start to READY, watchdog pings, reload, a refused
# reload (an invalid config and one that crashes the config parser), the inbox, an operator's scan and
# outbox, kill -9 and systemd's restart, a clean stop, and the journal: nothing the sandbox or the syscall
# filter refused. A second, shorter round runs the daemon with the same filter set to kill the process
# (SIGSYS) instead of returning EPERM, so that a refused syscall the daemon would swallow shows too.
#
#   sudo deploy/vm-test.sh                       build the static binary, make the VM, run the checks
#   sudo deploy/vm-test.sh --binary PATH         use a binary built before (the static release build)
#
# Options:
#   --binary PATH     winback built with `swift build -c release --static-swift-stdlib` (default: build it
#                     into .build-static, as install.sh does)
#   --work DIR        where the root filesystem, the disk image and the logs go (default:
#                     /var/tmp/winback-vm-test). The debootstrapped base system is kept there and reused.
#   --fresh           debootstrap the base system again even if DIR holds one
#   --mirror URL      the Debian mirror for debootstrap (default: the one apt uses, from /etc/apt)
#   --kernel WHICH    host: /boot/vmlinuz-$(uname -r) and its initrd; rootfs: Debian's linux-image-amd64
#                     installed into the VM's system; auto (default): host if readable, else rootfs
#   --accel WHICH     kvm, tcg or auto (default: kvm when /dev/kvm can be opened, else software emulation)
#   --operator-umask MASK  the umask of the operator's commands in the VM (default 022, Debian's login
#                     default; 007 shows the outbox problem below does not come with a group-writable umask)
#   --timeout SECS    the longest the checks inside the VM may take (default 1200; the VM is killed
#                     after this plus 600 s for booting and shutting down)
#
# A run takes about 8 minutes under software emulation, plus about 4 for the first debootstrap and the
# build when no --binary is given.
#
# Needs: root, a Debian 12 host (debootstrap, qemu-system-x86, qemu-utils, e2fsprogs and binutils are
# installed with apt-get when missing), and Swift unless --binary is given. No network inside the VM.
# Prints PASS or FAIL per check and a summary; exits 0 only if every check passed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
binary=""
work=/var/tmp/winback-vm-test
fresh=no
mirror=""
kernel_choice=auto
accel=auto
check_timeout=1200
operator_umask=022
suite=bookworm

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --binary) binary=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --fresh) fresh=yes; shift ;;
        --mirror) mirror=$2; shift 2 ;;
        --kernel) kernel_choice=$2; shift 2 ;;
        --accel) accel=$2; shift 2 ;;
        --timeout) check_timeout=$2; shift 2 ;;
        --operator-umask) operator_umask=$2; shift 2 ;;
        -h | --help) usage ;;
        *) echo "unknown option: $1" >&2; usage ;;
    esac
done

say() { printf '==> %s\n' "$*"; }
die() { printf 'vm-test: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and the rootfs's file ownership need it)"
mkdir -p "$work"
work=$(cd "$work" && pwd)
started=$(date +%s)

# --- 0. Host tools --------------------------------------------------------------------------------------
# apt-get update at most once, and only when something is missing.
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v mkfs.ext4 >/dev/null && command -v debugfs >/dev/null || need+=(e2fsprogs)
command -v strip >/dev/null || need+=(binutils)   # install.sh installs the binary with `install -s`
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    timeout 600 apt-get update -q
    DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# --- 1. The binary --------------------------------------------------------------------------------------
if [ -z "$binary" ]; then
    say "building the static release binary (swift build -c release --static-swift-stdlib)"
    dpkg -s libsqlite3-dev >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q libsqlite3-dev
    timeout 5400 swift build -c release --static-swift-stdlib --scratch-path "$repo/.build-static" \
        --package-path "$repo" --product winback
    binary="$repo/.build-static/release/winback"
fi
[ -x "$binary" ] || die "no executable at $binary"
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
# The VM gets Debian's libraries only: say now if the binary wants one bookworm has not.
say "binary: $binary; it needs: $(ldd "$binary" 2>/dev/null | awk '/=>/ {printf "%s ", $1}')"

# --- 2. The Debian mirror: the one apt uses ----------------------------------------------------------
# The first `deb` source for the suite itself (not -updates or -security), from sources.list, *.list
# (one-line format) or *.sources (deb822).
mirror_from_apt() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        awk -v suite="$suite" '$1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }   # skip [ options ]
                if ($(i + 1) == suite && $i ~ /^(https?|file):/) { print $i; exit }
            }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk -v suite="$suite" 'BEGIN { RS = ""; FS = "\n" }
            {
                types = ""; uris = ""; suites = ""; enabled = "yes"
                for (i = 1; i <= NF; i++) {
                    line = $i
                    if (line ~ /^[ \t]*#/) continue
                    key = tolower(line); sub(/:.*/, "", key)
                    value = line; sub(/^[^:]*:[ \t]*/, "", value)
                    if (key == "types") types = value
                    else if (key == "uris") uris = value
                    else if (key == "suites") suites = value
                    else if (key == "enabled") enabled = tolower(value)
                }
                if (enabled != "no" && (" " types " ") ~ / deb / && (" " suites " ") ~ (" " suite " ")) {
                    split(uris, u, /[ \t]+/)
                    if (u[1] ~ /^(https?|file):/) { print u[1]; exit }
                }
            }' "$f"
    done
}
[ -n "$mirror" ] || mirror=$(mirror_from_apt | head -n 1)
[ -n "$mirror" ] || die "no deb source for $suite in /etc/apt; give one with --mirror URL"
say "Debian mirror: $mirror"

# --- 3. Which kernel, which accelerator ------------------------------------------------------------------
host_kernel=/boot/vmlinuz-$(uname -r)
host_initrd=/boot/initrd.img-$(uname -r)
if [ "$kernel_choice" = auto ]; then
    if [ -r "$host_kernel" ] && [ -r "$host_initrd" ]; then kernel_choice=host; else kernel_choice=rootfs; fi
fi
case $kernel_choice in host | rootfs) ;; *) die "--kernel must be host, rootfs or auto" ;; esac
case $accel in auto | kvm | tcg) ;; *) die "--accel must be kvm, tcg or auto" ;; esac
say "kernel: $kernel_choice"

# --- 4. The base system (debootstrap once, then reused) -------------------------------------------------
base="$work/base"
packages=systemd,systemd-sysv,udev,dbus,procps,libsqlite3-0
[ $kernel_choice = rootfs ] && packages+=,linux-image-amd64,initramfs-tools
if [ $fresh = yes ] || [ ! -e "$base/.vm-test-base" ] || [ "$(cat "$base/.vm-test-base")" != "$packages" ]; then
    say "debootstrap $suite ($packages) into $base"
    rm -rf "$base"
    timeout 2400 debootstrap --variant=minbase --include="$packages" "$suite" "$base" "$mirror" \
        >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log: $work/debootstrap.log)"; }
    chroot "$base" apt-get clean
    echo "$packages" >"$base/.vm-test-base"
fi

# --- 5. This run's system: the base, winback as install.sh installs it, the checks -----------------------
rootfs="$work/rootfs"
rm -rf "$rootfs"
cp -a "$base" "$rootfs"

# install.sh takes the binary from <its repo>/.build-static/release/winback: stage a copy of what it reads.
stage="$work/stage"
rm -rf "$stage"
mkdir -p "$stage/.build-static/release"
cp -a "$repo/deploy" "$repo/config" "$stage/"
cp "$binary" "$stage/.build-static/release/winback"
say "deploy/install.sh --no-build --no-user with DESTDIR=$rootfs"
DESTDIR="$rootfs" "$stage/deploy/install.sh" --no-build --no-user
# The user and group, and the config's group, as install.sh makes them on a real server.
chroot "$rootfs" useradd --system --user-group --home-dir /var/lib/winback --no-create-home \
    --shell /usr/sbin/nologin --comment "winback service" winback
chroot "$rootfs" chgrp winback /etc/winback /etc/winback/winback.toml
# An operator, as ADMIN.md says: a login in the winback group.
chroot "$rootfs" useradd --create-home --shell /bin/bash --groups winback alice

mkdir -p "$rootfs/usr/local/lib/winback-vm-test"
# Test settings: the inbox looked into every 5 s instead of 60, and a short rescan delay. The rest of the
# config is the shipped example.
sed -i -e 's/^inbox_poll_seconds = [0-9]*/inbox_poll_seconds = 5/' \
    -e 's/^rescan_delay_seconds = [0-9]*/rescan_delay_seconds = 5/' \
    -e 's/^settle_seconds = [0-9]*/settle_seconds = 1/' "$rootfs/etc/winback/winback.toml"
grep -q '^inbox_poll_seconds = 5' "$rootfs/etc/winback/winback.toml" || die "could not set inbox_poll_seconds"

echo "operator_umask=$operator_umask" >"$rootfs/usr/local/lib/winback-vm-test/settings"
# A config that makes the TOML parser abort (kept from fuzzing), if this tree has it.
mkdir -p "$rootfs/usr/local/lib/winback-vm-test"
crasher="$repo/Fuzz/findings/toml-parse-value-assertion-ascii.toml"
[ -r "$crasher" ] && cp "$crasher" "$rootfs/usr/local/lib/winback-vm-test/crashing.toml"

# The system around it: the disk, the hostname, a quiet serial console for the checks' output.
echo winback-vm >"$rootfs/etc/hostname"
mkdir -p "$rootfs/var/log/journal"   # a persistent journal, copied out after the run
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$rootfs/etc/fstab"
ln -sf /dev/null "$rootfs/etc/systemd/system/serial-getty@ttyS0.service"
ln -sf /dev/null "$rootfs/etc/systemd/system/getty@tty1.service"
if [ $kernel_choice = host ]; then
    # The host's initrd mounts the root; the modules it loads later come from the host.
    mkdir -p "$rootfs/lib/modules"
    cp -a "/lib/modules/$(uname -r)" "$rootfs/lib/modules/"
fi

# The checks, run once at boot by a oneshot unit that powers the VM off when they end (or time out).
cat >"$rootfs/etc/systemd/system/winback-vm-test.service" <<EOF
[Unit]
Description=winback checks under the real systemd
After=multi-user.target
SuccessAction=poweroff
FailureAction=poweroff

[Service]
Type=oneshot
ExecStart=/bin/bash -c 'set -o pipefail; /usr/local/lib/winback-vm-test/check 2>&1 | tee /var/log/winback-vm-test.log'
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
TTYReset=no
TTYVHangup=no
TimeoutStartSec=${check_timeout}s

[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$rootfs/etc/systemd/system/multi-user.target.wants"
ln -sf ../winback-vm-test.service "$rootfs/etc/systemd/system/multi-user.target.wants/winback-vm-test.service"

cat >"$rootfs/usr/local/lib/winback-vm-test/check" <<'CHECK'
#!/bin/bash
# Runs inside the VM as root, under the real systemd: drives winback.service and prints what it sees.
# Every step is bounded; each check prints "CHECK <name>: PASS" or "CHECK <name>: FAIL (why)".
set -uo pipefail
export SYSTEMD_PAGER= SYSTEMD_COLORS=0 LC_ALL=C.UTF-8
config=/etc/winback/winback.toml
state=/var/lib/winback
failures=0
passes=0
operator_umask=022
. /usr/local/lib/winback-vm-test/settings

pass() { echo "CHECK $1: PASS${2:+ ($2)}"; passes=$((passes + 1)); }
fail() { echo "CHECK $1: FAIL${2:+ ($2)}"; failures=$((failures + 1)); }
step() { echo; echo "---- $* ----"; }
# run COMMAND...: show a command and run it, bounded (as_alice bounds itself).
run() { echo "\$ $*"; if [ "$1" = as_alice ]; then "$@"; else timeout 120 "$@"; fi; }
prop() { systemctl show -P "$1" winback; }           # one property of the unit
journal() { journalctl -u winback -o cat --no-pager; }
# wait_journal PATTERN COUNT SECONDS: until the unit's journal holds COUNT lines matching PATTERN.
wait_journal() {
    local deadline=$((SECONDS + $3))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(journal | grep -cE -- "$1")" -ge "$2" ] && return 0
        sleep 1
    done
    return 1
}
# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    while [ $SECONDS -lt $deadline ]; do "$@" && return 0; sleep 1; done
    return 1
}
# as_alice COMMAND...: an operator (in the winback group) runs COMMAND, with the operator's umask.
as_alice() { timeout 120 runuser -u alice -- bash -c 'umask "$0"; exec "$@"' "$operator_umask" "$@"; }
active_running() { [ "$(prop ActiveState)/$(prop SubState)" = active/running ]; }
# finish: the summary line the host looks for; the exit status says whether every check passed.
finish() {
    echo
    echo "VM-TEST SUMMARY: $passes passed, $failures failed"
    if [ $failures -eq 0 ]; then echo "VM-TEST RESULT: PASS"; else echo "VM-TEST RESULT: FAIL"; fi
    sync
    [ $failures -eq 0 ]
    exit
}

step "the system"
echo "kernel $(uname -r); PID 1: $(readlink /proc/1/exe); $(systemctl --version | head -n 1)"
echo "today (UTC): $(date -u +%F\ %T)"
run systemctl is-system-running --wait || true
run systemd-analyze verify /etc/systemd/system/winback.service && pass unit-verifies || fail unit-verifies
echo "\$ systemd-analyze security winback | tail -n 1"
timeout 60 systemd-analyze security winback | tail -n 1

# For the test: a short watchdog (pings every 5 s are expected, and 3 intervals must pass), and a line in
# the journal saying how the main process ended (systemd forgets it once the stopped unit is unloaded).
mkdir -p /etc/systemd/system/winback.service.d
cat >/etc/systemd/system/winback.service.d/vm-test.conf <<'UNIT'
[Service]
WatchdogSec=10s
ExecStopPost=/bin/sh -c 'echo "vm-test: main process ended: SERVICE_RESULT=$$SERVICE_RESULT EXIT_CODE=$$EXIT_CODE EXIT_STATUS=$$EXIT_STATUS"'
UNIT
systemctl daemon-reload

step "1. systemctl start winback: READY"
t0=$SECONDS
if run systemctl start winback; then pass start "returned after $((SECONDS - t0)) s, once READY=1 came"; else fail start "systemctl start failed"; fi
run systemctl status winback --no-pager -n 5 || true
if active_running; then pass ready "ActiveState=active SubState=running"; else fail ready "$(prop ActiveState)/$(prop SubState)"; fi
status_text=$(prop StatusText)
echo "StatusText=$status_text"
[ -n "$status_text" ] && pass status-text "$status_text" || fail status-text "empty"
pid1=$(prop MainPID)
echo "MainPID=$pid1"
if ! active_running; then
    # Nothing after this can work without a running daemon: show why it is not, and stop here.
    systemctl stop winback
    echo "\$ journalctl -u winback --no-pager"
    journalctl -u winback --no-pager -o short-precise | head -n 60
    finish
fi

step "2. the watchdog: WatchdogSec=10s, the service survives 35 s (> 3 intervals)"
echo "WatchdogUSec=$(prop WatchdogUSec)"
w0=$(prop WatchdogTimestampMonotonic)
echo "WatchdogTimestamp=$(prop WatchdogTimestamp)"
seen=1
for i in 1 2 3 4 5 6 7; do
    sleep 5
    w=$(prop WatchdogTimestampMonotonic)
    echo "after $((i * 5)) s: WatchdogTimestamp=$(prop WatchdogTimestamp) ($(prop ActiveState)/$(prop SubState), MainPID $(prop MainPID))"
    [ "$w" != "$w0" ] && seen=$((seen + 1)) && w0=$w
done
if [ "$(prop WatchdogUSec)" = 10s ] && [ $seen -ge 4 ]; then pass watchdog-pings "the timestamp moved $((seen - 1)) times in 35 s"; else fail watchdog-pings "moved $((seen - 1)) times"; fi
if active_running && [ "$(prop MainPID)" = "$pid1" ] && [ "$(prop NRestarts)" = 0 ]; then
    pass watchdog-survives "same MainPID $pid1, NRestarts=0"
else fail watchdog-survives "MainPID $(prop MainPID), NRestarts $(prop NRestarts)"; fi

# The pings come from the work loop, between jobs: an import or a scan holds them back for as long as it
# runs, and under software emulation even these small imports can take more than WatchdogSec=10s (the
# watchdog then kills the daemon mid-import, as it would a stuck one). The rest runs with 60 s.
sed -i 's/^WatchdogSec=10s/WatchdogSec=60s/' /etc/systemd/system/winback.service.d/vm-test.conf
systemctl daemon-reload
run systemctl restart winback && active_running && pass restart "WatchdogUSec=$(prop WatchdogUSec), MainPID $(prop MainPID)" || fail restart "$(prop ActiveState)/$(prop SubState)"
pid1=$(prop MainPID)

step "3. systemctl reload winback: a changed config"
cp -p "$config" /root/winback.toml.good
sed -i 's/^rescan_delay_seconds = .*/rescan_delay_seconds = 6/' "$config"
run systemctl reload winback || true
if wait_journal '^config reloaded' 1 30; then pass reload "$(journal | grep '^config reloaded' | tail -n 1)"; else fail reload "no 'config reloaded' in the journal"; fi
active_running && [ "$(prop MainPID)" = "$pid1" ] && pass reload-same-process "MainPID $pid1" || fail reload-same-process "$(prop ActiveState) MainPID $(prop MainPID)"

step "4. a reload with an invalid config is refused; the running one stays"
printf 'state_dir = "/var/lib/winback"\n[daemon]\ninbox_poll_seconds = "often"\n' >"$config"
run systemctl reload winback || true
if wait_journal '^config not reloaded' 1 30; then pass bad-reload-refused "$(journal | grep '^config not reloaded' | tail -n 1)"; else fail bad-reload-refused "no refusal in the journal"; fi
active_running && [ "$(prop MainPID)" = "$pid1" ] && pass bad-reload-survives "MainPID $pid1" || fail bad-reload-survives "$(prop ActiveState) MainPID $(prop MainPID)"
if [ -r /usr/local/lib/winback-vm-test/crashing.toml ]; then
    step "4b. a reload with a config that used to abort the TOML parser: refused by the grammar guard"
    cat /usr/local/lib/winback-vm-test/crashing.toml >"$config"
    run systemctl reload winback || true
    if wait_journal '^config not reloaded' 2 30; then pass crash-reload-refused "$(journal | grep '^config not reloaded' | tail -n 1)"; else fail crash-reload-refused "no refusal in the journal"; fi
    active_running && [ "$(prop MainPID)" = "$pid1" ] && pass crash-reload-survives "MainPID $pid1" || fail crash-reload-survives "$(prop ActiveState) MainPID $(prop MainPID)"
fi
cat /root/winback.toml.good >"$config"
run systemctl reload winback || true
wait_journal '^config reloaded' 2 30 && pass reload-back "the good config again" || fail reload-back "not reloaded"

step "5. a sales file dropped into the inbox by an operator: imported, archived, rescanned"
# Small files: an import or a scan holds the work loop, which sends the pings, and under software
# emulation with WatchdogSec=10s a job of more than about 5 s is killed by the watchdog.
from=$(date -u -d '2 years ago' +%F); to=$(date -u -d yesterday +%F)
run as_alice winback generate --clients 60 --from "$from" --to "$to" --style semicolon -o /home/alice/sales-vm.csv
ls -l /home/alice/sales-vm.csv
run as_alice cp /home/alice/sales-vm.csv "$state/.sales-vm.csv.part"
run as_alice mv "$state/.sales-vm.csv.part" "$state/inbox/sales-vm.csv"
if wait_journal '^imported .*file=sales-vm.csv' 1 180; then pass inbox-import "$(journal | grep '^imported .*file=sales-vm.csv' | tail -n 1)"; else fail inbox-import "no 'imported' line"; fi
if wait_for 30 test -e "$state/archive/sales-vm.csv" -o -n "$(find "$state/archive" -name 'sales-vm*' 2>/dev/null)"; then
    pass inbox-archived "$(find "$state/archive" -name 'sales-vm*' | head -n 1)"
else fail inbox-archived "not in archive/"; fi
ls -la "$state/inbox" "$state/archive" "$state/rejected" 2>/dev/null
if wait_journal '^scanned .*reason=new sales' 1 180; then pass rescan "$(journal | grep '^scanned .*reason=new sales' | tail -n 1)"; else fail rescan "no rescan after the import"; fi
echo "StatusText=$(prop StatusText)"

step "6. an operator's scan on the live state directory, and the outbox"
today=$(date -u +%F)
rm -rf "${state:?}/outbox/$today"
if run as_alice winback scan --config "$config"; then pass operator-scan; else fail operator-scan "exit $?"; fi
ls -l "$state/outbox/$today" 2>&1
if [ -s "$state/outbox/$today/digest.md" ] && [ -e "$state/outbox/$today/alerts.csv" ] && [ -e "$state/outbox/$today/winback.csv" ]; then
    pass outbox "$state/outbox/$today: $(ls "$state/outbox/$today" | tr '\n' ' ')"
else fail outbox "files missing in $state/outbox/$today"; fi
head -n 12 "$state/outbox/$today/digest.md" 2>/dev/null
run as_alice winback list --config "$config" --top 3 || fail operator-list "exit $?"
ls -ln "$state" "$state/winback.sqlite" 2>/dev/null

step "6b. the daemon's next scan of the same day, after the operator's scan made that day's outbox folder"
echo "umask of the operator's shell: $(as_alice bash -c umask)"
stat -c '%A %U:%G %n' "$state/outbox" "$state/outbox/$today"
mode=$(stat -c %a "$state/outbox/$today")
if [ "$mode" = 2770 ]; then pass outbox-folder-mode "2770"; else fail outbox-folder-mode "outbox/$today is $mode, made by the operator's winback scan; the daemon (another user) cannot write it"; fi
# Written beside the inbox, then moved in: the file takes the state directory's group, as the daemon needs.
as_alice winback generate --clients 30 --seed 5 --from "$from" --to "$to" -o "$state/.day2.csv.part" 2>/dev/null
as_alice mv "$state/.day2.csv.part" "$state/inbox/day2.csv"
scans=$(journal | grep -cE '^scanned .*reason=new sales|^failed scanning')
if wait_journal '^scanned .*reason=new sales|^failed scanning' $((scans + 1)) 180 && [ -z "$(journal | grep '^failed scanning')" ]; then
    pass daemon-rescan-after-operator "$(journal | grep '^scanned .*reason=new sales' | tail -n 1)"
else fail daemon-rescan-after-operator "$(journal | grep -E '^failed scanning' | tail -n 1)"; fi

step "7. winback backup (if this version has it)"
if winback --help 2>&1 | grep -qE '^[[:space:]]+backup'; then
    if run as_alice winback backup --help >/dev/null; then
        mkdir -p /home/alice/backup && chown alice /home/alice/backup
        if run as_alice winback backup --config "$config" /home/alice/backup/winback-backup.sqlite; then
            pass backup "$(ls -l /home/alice/backup | tail -n +2)"
        else fail backup "exit $? (see the usage above)"; fi
    fi
else
    echo "SKIP backup: this winback has no backup command"
fi

step "8. kill -9 of the main process: systemd restarts it (Restart=on-failure)"
pid=$(prop MainPID)
restarts=$(prop NRestarts)
run kill -9 "$pid"
if wait_for 60 bash -c '[ "$(systemctl show -P NRestarts winback)" -gt '"$restarts"' ] && [ "$(systemctl show -P ActiveState winback)/$(systemctl show -P SubState winback)" = active/running ]'; then
    pass restart-after-kill "MainPID $pid -> $(prop MainPID), NRestarts=$(prop NRestarts)"
else fail restart-after-kill "$(prop ActiveState)/$(prop SubState), NRestarts=$(prop NRestarts)"; fi
journal | grep -E 'code=killed|Scheduled restart|Main process exited' | tail -n 3
echo "StatusText=$(prop StatusText)"

step "9. systemctl stop winback: a clean exit"
t0=$SECONDS
run systemctl stop winback || true
took=$((SECONDS - t0))
ended=$(journal | grep '^vm-test: main process ended' | tail -n 1)
echo "took ${took} s; ActiveState=$(prop ActiveState); $ended"
# EXIT_CODE=exited: the process exited by itself, with 0; not killed by SIGTERM (or SIGKILL after the timeout).
if [[ $ended == *"SERVICE_RESULT=success EXIT_CODE=exited EXIT_STATUS=0" ]] && [ "$(prop ActiveState)" = inactive ] && [ $took -lt 30 ]; then
    pass clean-stop "exit 0 in ${took} s"
else fail clean-stop "${ended:-no exit line} in ${took} s"; fi

step "10. the same filter, with a refused syscall killing the process (SIGSYS) instead of returning EPERM"
# If the daemon ran into the syscall filter anywhere and went on after EPERM, it dies here, loudly.
printf '[Service]\nSystemCallErrorNumber=kill\n' >/etc/systemd/system/winback.service.d/vm-test-sigsys.conf
systemctl daemon-reload
systemctl show -p SystemCallErrorNumber winback
# 2147483646 is how systemd 252 shows "kill"; an older systemd ignores the setting: then this round says so.
case $(prop SystemCallErrorNumber) in 2147483646 | kill) sigsys_round=yes ;; *) sigsys_round=no; echo "SKIP: this systemd has no SystemCallErrorNumber=kill" ;; esac
# The control: a refused syscall (chroot, in @privileged) under the same settings is a SIGSYS kill.
echo "\$ systemd-run --wait -p SystemCallFilter=@system-service -p SystemCallFilter=~@privileged -p SystemCallErrorNumber=kill chroot / true"
control=$(timeout 60 systemd-run --wait -p SystemCallFilter=@system-service -p SystemCallFilter=~@privileged \
    -p SystemCallErrorNumber=kill /usr/sbin/chroot / /bin/true 2>&1)
echo "$control"
if [ $sigsys_round = yes ]; then
    [[ $control == *"status=31"* || $control == *"SYS"* ]] && pass sigsys-control "a refused syscall is a SIGSYS kill here" || fail sigsys-control "the control was not killed"
fi
imported=$(journal | grep -c '^imported ')
reloaded=$(journal | grep -c '^config reloaded')
refused=$(journal | grep -c '^config not reloaded')
scans=$(journal | grep -cE '^scanned .*reason=new sales|^failed scanning')
run systemctl start winback || true
as_alice winback generate --clients 40 --seed 7 --from "$from" --to "$to" -o "$state/.more.csv.part" 2>/dev/null
as_alice mv "$state/.more.csv.part" "$state/inbox/more-sales.csv"
wait_journal '^imported ' $((imported + 1)) 120 || true
sed -i 's/^rescan_delay_seconds = .*/rescan_delay_seconds = 7/' "$config"
run systemctl reload winback || true
wait_journal '^config reloaded' $((reloaded + 1)) 30 || true
cat /usr/local/lib/winback-vm-test/crashing.toml >"$config" 2>/dev/null || printf 'state_dir = 1\n' >"$config"
run systemctl reload winback || true
wait_journal '^config not reloaded' $((refused + 1)) 30 || true
cat /root/winback.toml.good >"$config"
wait_journal '^scanned .*reason=new sales|^failed scanning' $((scans + 1)) 120 || true
sleep 12   # two more watchdog pings
run systemctl stop winback || true
ended=$(journal | grep '^vm-test: main process ended' | tail -n 1)
echo "$ended"
if [ $sigsys_round = no ]; then :
elif [[ $ended == *"SERVICE_RESULT=success EXIT_CODE=exited EXIT_STATUS=0" ]] && [ "$(journal | grep -c 'status=31/SYS')" = 0 ] \
    && [ "$(journal | grep -c '^imported ')" -gt "$imported" ] && [ "$(journal | grep -c '^config not reloaded')" -gt "$refused" ]; then
    pass no-syscall-refused "start, import, scan, reloads, watchdog, stop under SystemCallErrorNumber=kill: never killed"
else fail no-syscall-refused "see the journal below"; fi
rm -f /etc/systemd/system/winback.service.d/vm-test-sigsys.conf
systemctl daemon-reload

step "11. the journal: nothing refused by the sandbox or the filter"
echo "\$ journalctl -u winback --no-pager"
journalctl -u winback --no-pager -o short-precise
# The daemon's own "failed ..." errors, and what a refused syscall or a read-only path would leave.
# One line is allowed: libdispatch asks to renice a worker thread and is told EACCES (errno 13, not the
# filter's EPERM; it comes in the SIGSYS round too, without a kill): an unprivileged process may not
# raise its priority. It changes nothing.
bad=$(journal | grep -v '^Failed to set thread priority for worker thread: .* errno=13$' | grep -iE 'SIGSYS|status=31|Bad system call|EPERM|Operation not permitted|Permission denied|Read-only file system|EACCES|EROFS|^failed |watchdog timeout|crashed the config parser \(signal (31|9)\)')
if [ -z "$bad" ]; then pass journal-clean "no SIGSYS, EPERM, 'Operation not permitted', 'Permission denied', read-only or 'failed' lines"; else fail journal-clean "$(echo "$bad" | head -n 5 | tr '\n' '|')"; fi
# With audit=1 the kernel reports seccomp kills (type=1326); none may name winback.
audit=$(journalctl -k --no-pager -o cat | grep -E 'type=1326|seccomp' | grep -i winback)
if [ -z "$audit" ]; then pass kernel-no-seccomp "no seccomp record for winback in the kernel log"; else fail kernel-no-seccomp "$audit"; fi
for line in '^winback daemon started' '^config reloaded' '^config not reloaded' '^imported ' '^scanned ' 'code=killed, status=9/KILL' '^stopping signal=SIGTERM'; do
    [ "$(journal | grep -cE -- "$line")" -ge 1 ] && pass "journal-has:$line" || fail "journal-has:$line" "missing"
done

finish
CHECK
chmod 0755 "$rootfs/usr/local/lib/winback-vm-test/check"

# --- 6. The disk image: an ext4 file system made from the directory (no loop device, no mount) -----------
image="$work/disk.img"
rm -f "$image"
say "making $image from $rootfs"
size_mb=$(($(du -sm "$rootfs" | cut -f1) + 1536))
timeout 600 mkfs.ext4 -q -F -L winback-vm -d "$rootfs" "$image" "${size_mb}M"

if [ $kernel_choice = rootfs ]; then
    kernel=$(ls "$rootfs"/boot/vmlinuz-* | sort -V | tail -n 1)
    initrd=$(ls "$rootfs"/boot/initrd.img-* | sort -V | tail -n 1)
else
    kernel=$host_kernel
    initrd=$host_initrd
fi

# KVM only if /dev/kvm is there and a guest really runs on it (nested KVM can open and then hang or abort):
# the kernel alone, without a root file system, must reach its panic within 60 s.
if [ "$accel" = auto ]; then
    accel=tcg
    if [ -c /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null; then
        rm -f "$work/kvm-probe.log"
        if timeout --kill-after=5 60 qemu-system-x86_64 -machine q35 -accel kvm -cpu host -m 512 -kernel "$kernel" \
            -append "console=ttyS0 panic=-1" -nic none -display none -monitor none -serial "file:$work/kvm-probe.log" \
            -no-reboot >/dev/null 2>&1 && grep -q 'Kernel panic' "$work/kvm-probe.log"; then
            accel=kvm
        else
            say "/dev/kvm is there but a guest does not run on it; using software emulation"
        fi
    fi
fi
case $accel in kvm) cpu=host ;; tcg) cpu=max ;; esac

# --- 7. Boot it -------------------------------------------------------------------------------------------
serial="$work/serial.log"
rm -f "$serial"
vm_timeout=$((check_timeout + 600))
say "booting: qemu-system-x86_64 -accel $accel, $(basename "$kernel"), serial console to $serial (at most ${vm_timeout} s)"
qemu_rc=0
timeout --kill-after=30 "$vm_timeout" qemu-system-x86_64 \
    -machine q35 -accel "$accel" -cpu "$cpu" -smp 2 -m 2048 \
    -kernel "$kernel" -initrd "$initrd" \
    -append "root=/dev/vda rw console=ttyS0,115200 panic=1 quiet loglevel=4 audit=1 audit_backlog_limit=8192" \
    -drive "file=$image,format=raw,if=virtio" \
    -nic none -display none -monitor none -serial "file:$serial" -no-reboot || qemu_rc=$?
[ $qemu_rc -eq 124 ] && say "the VM did not power itself off within ${vm_timeout} s: killed"

# --- 8. The output: the checks' log from the disk (clean), else the serial console ------------------------
log="$work/vm-test.log"
rm -f "$log"
debugfs -R "dump /var/log/winback-vm-test.log $log" "$image" >/dev/null 2>&1 || true
rm -rf "$work/journal"
debugfs -R "rdump /var/log/journal $work" "$image" >/dev/null 2>&1 || true
[ -s "$log" ] || { say "no log on the VM's disk; showing the serial console"; cp "$serial" "$log" 2>/dev/null || : >"$log"; }
echo
cat "$log"
echo
grep -E '^CHECK .*: FAIL' "$log" || true
result=FAIL
grep -q '^VM-TEST RESULT: PASS' "$log" && [ $qemu_rc -eq 0 ] && result=PASS
say "serial console: $serial; checks' log: $log; the VM's journal: journalctl -D $work/journal"
say "$(($(date +%s) - started)) s in all"
say "winback under systemd in a VM: $result"
[ $result = PASS ]
