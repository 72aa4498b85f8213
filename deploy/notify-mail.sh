#!/bin/sh
# Mails a day's digests through the system's sendmail: the whole book's digest to the head of sales,
# and each manager's own (outbox/DAY/managers/NAME/) to that manager. winback runs it after each
# scan's outbox is written, with this in /etc/winback/winback.toml:
#
#   [notify]
#   command = ["/usr/share/winback/notify-mail.sh", "{outbox}"]
#
# Who gets what: /etc/winback/recipients (or the file $WINBACK_RECIPIENTS names), one line each:
#
#   all         head.of.sales@example.com     # the whole book's digest
#   eva-novak   eva.novak@example.com         # a manager's folder name under managers/
#
# Lines starting with # are ignored; a folder without a line is not mailed. Each mail carries the
# digest as plain text and as HTML (charts included), base64-encoded so that no line is too long
# for SMTP. $SENDMAIL names the program (default /usr/sbin/sendmail, which Debian's exim4, postfix
# and msmtp-mta all provide), $WINBACK_MAIL_FROM the sender. Exits non-zero if any mail could not be
# handed over; winback then raises a notify_failed alert.
set -eu

outbox=${1:?usage: notify-mail.sh OUTBOX_FOLDER}
recipients=${WINBACK_RECIPIENTS:-/etc/winback/recipients}
sendmail=${SENDMAIL:-/usr/sbin/sendmail}
from=${WINBACK_MAIL_FROM:-winback@$(hostname -f 2>/dev/null || hostname)}
day=$(basename "$outbox")

[ -r "$recipients" ] || { echo "notify-mail: no recipients file $recipients" >&2; exit 1; }
[ -x "$sendmail" ] || { echo "notify-mail: no sendmail at $sendmail" >&2; exit 1; }

# mail ADDRESS FOLDER WHO: one multipart/alternative message from FOLDER's digest.md and digest.html.
mail() {
    address=$1 folder=$2 who=$3
    [ -r "$folder/digest.md" ] || { echo "notify-mail: $folder has no digest" >&2; return 1; }
    boundary="winback-$(date +%s)-$$"
    new=$(grep -m1 '^## New today: ' "$folder/digest.md" | sed 's/^## New today: \([^ ]*\) /\1 new /') || new=""
    {
        printf 'From: %s\n' "$from"
        printf 'To: %s\n' "$address"
        printf 'Subject: =?UTF-8?B?%s?=\n' "$(printf 'winback %s%s: %s' "$day" "$who" "${new:-digest}" | base64 -w0)"
        printf 'MIME-Version: 1.0\n'
        printf 'Content-Type: multipart/alternative; boundary="%s"\n\n' "$boundary"
        printf -- '--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n' "$boundary"
        base64 "$folder/digest.md"
        printf -- '\n--%s\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n' "$boundary"
        base64 "$folder/digest.html"
        printf -- '\n--%s--\n' "$boundary"
    } | "$sendmail" -oi "$address"
}

failed=0
# (`|| [ -n "$name" ]`: a last line without its line break still counts.)
while read -r name address _ || [ -n "$name" ]; do
    case $name in ''|'#'*) continue ;; esac
    if [ "$name" = all ]; then
        mail "$address" "$outbox" "" || failed=1
    elif [ -d "$outbox/managers/$name" ]; then
        mail "$address" "$outbox/managers/$name" " ($name)" || failed=1
    fi
done < "$recipients"
exit $failed
