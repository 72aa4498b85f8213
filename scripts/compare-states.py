#!/usr/bin/env python3
"""What changed in the clients' states between two scans: how much a next-day scan has to rewrite.

    scripts/compare-states.py BEFORE.sqlite AFTER.sqlite

BEFORE and AFTER are two copies of a winback database, each after a live scan (for example a copy taken after
one day's scan, and the database after the next day's import and scan). Among the clients with no new purchase
between the two (same last purchase and purchase days), it counts those whose status, kinds of findings or
classes changed, and those whose reason or findings changed in more than their numbers (digits masked): what
would still have to be written if texts were made on read from stored numbers and the day-relative numbers were
computed on read.
"""
import datetime
import json
import re
import signal
import sqlite3
import sys

COLUMNS = "client, status, reason, findings, abc, xyz, last_purchase, purchase_days, as_of"
NUMBER = re.compile(r"[-\u2212]?\d[\d,.\u00a0\u202f ]*")


def states(path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return {row[0]: row for row in db.execute(f"SELECT {COLUMNS} FROM client_states")}


def masked(text):
    return NUMBER.sub("#", text or "")


def kinds(findings):
    try:
        return sorted((f.get("criterion") or "", f.get("category") or "") for f in json.loads(findings or "[]"))
    except (ValueError, AttributeError):
        return findings


def main(before_path, after_path):
    before, after = states(before_path), states(after_path)
    def as_of(rows):  # a day number counts days since 1970-01-01
        days = sorted({row[8] for row in rows.values()})
        return ", ".join(str(datetime.date(1970, 1, 1) + datetime.timedelta(days=day)) for day in days)

    counts = dict.fromkeys(
        ["without new sales", "status", "kinds of findings", "classes", "texts beyond numbers", "any of these",
         "texts at all"], 0)
    for client, old in before.items():
        new = after.get(client)
        if new is None or (old[6], old[7]) != (new[6], new[7]):
            continue
        counts["without new sales"] += 1
        changed = {
            "status": old[1] != new[1],
            "kinds of findings": kinds(old[3]) != kinds(new[3]),
            "classes": (old[4], old[5]) != (new[4], new[5]),
            "texts beyond numbers": (masked(old[2]), masked(old[3])) != (masked(new[2]), masked(new[3])),
        }
        for name, value in changed.items():
            counts[name] += value
        counts["any of these"] += any(changed.values())
        counts["texts at all"] += (old[2], old[3]) != (new[2], new[3])
    print(f"states: {len(before)} as of {as_of(before)}, {len(after)} as of {as_of(after)}")
    total = max(counts["without new sales"], 1)
    for name, count in counts.items():
        print(f"  {name:<22} {count:>8}  {100 * count / total:6.2f} %")


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends it quietly
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    main(sys.argv[1], sys.argv[2])
