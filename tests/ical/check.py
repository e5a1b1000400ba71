#!/usr/bin/env python3
"""Checks calendar feeds with an independent iCalendar parser (PyPI's `icalendar`).

Usage: check.py FEED.ics [FEED.ics ...]

Each file must be valid RFC 5545 as the feeds use it: CRLF line endings, lines of at most 75
octets, one VCALENDAR with VERSION 2.0, PRODID, CALSCALE, METHOD, X-WR-CALNAME and the refresh
hints, and VEVENTs that each have a UID (unique in the file), DTSTAMP in UTC, an all-day DTSTART
and a later DTEND, SUMMARY, TRANSP:TRANSPARENT and X-MICROSOFT-CDO-BUSYSTATUS:FREE.

Prints a JSON object: for each file (by the name given), its events sorted by DTSTART then UID,
each as {uid, summary, dtstart, dtend, description}. Exits 1 listing every problem found, 2
when the `icalendar` module is missing.
"""

import datetime
import json
import sys

try:
    import icalendar
except ImportError:
    print("the icalendar module is missing: python3 -m pip install icalendar", file=sys.stderr)
    sys.exit(2)

CALENDAR_PROPERTIES = {
    "VERSION": "2.0",
    "CALSCALE": "GREGORIAN",
    "METHOD": "PUBLISH",
    "X-PUBLISHED-TTL": "PT1H",
}


def raw_problems(data):
    """Line-level rules that a parser forgives."""
    problems = []
    if not data.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    lines = data.split(b"\r\n")
    for number, line in enumerate(lines[:-1], start=1):
        if b"\n" in line or b"\r" in line:
            problems.append(f"line {number}: a bare CR or LF")
        if len(line) > 75:
            problems.append(f"line {number}: {len(line)} octets, more than 75")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(f"not UTF-8: {error}")
    unfolded = data.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
    try:
        unfolded.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(f"a fold split a UTF-8 character: {error}")
    return problems


def text(component, name):
    value = component.get(name)
    return None if value is None else str(value)


def event_problems(event, seen_uids):
    problems = []
    uid = text(event, "UID")
    where = f"event {uid!r}"
    if not uid:
        problems.append("an event without UID")
    elif uid in seen_uids:
        problems.append(f"{where}: UID repeated")
    seen_uids.add(uid)
    stamp = event.get("DTSTAMP")
    if stamp is None or not isinstance(stamp.dt, datetime.datetime) or stamp.dt.utcoffset() != datetime.timedelta(0):
        problems.append(f"{where}: DTSTAMP missing or not in UTC")
    start, end = event.get("DTSTART"), event.get("DTEND")
    if start is None or end is None:
        problems.append(f"{where}: DTSTART or DTEND missing")
    else:
        for name, value in (("DTSTART", start.dt), ("DTEND", end.dt)):
            if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
                problems.append(f"{where}: {name} is not a date")
        if not end.dt > start.dt:
            problems.append(f"{where}: DTEND is not after DTSTART")
    if not text(event, "SUMMARY"):
        problems.append(f"{where}: no SUMMARY")
    if text(event, "TRANSP") != "TRANSPARENT":
        problems.append(f"{where}: TRANSP is not TRANSPARENT")
    if text(event, "X-MICROSOFT-CDO-BUSYSTATUS") != "FREE":
        problems.append(f"{where}: X-MICROSOFT-CDO-BUSYSTATUS is not FREE")
    return problems


def check(data):
    """The problems of one feed and its events."""
    problems = raw_problems(data)
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as error:  # the parser's own errors are many kinds
        return problems + [f"does not parse: {error}"], []
    if calendar.name != "VCALENDAR":
        problems.append(f"top component is {calendar.name}, not VCALENDAR")
    for name, expected in CALENDAR_PROPERTIES.items():
        if text(calendar, name) != expected:
            problems.append(f"{name} is {text(calendar, name)!r}, not {expected!r}")
    for name in ("PRODID", "X-WR-CALNAME", "REFRESH-INTERVAL"):
        if not text(calendar, name):
            problems.append(f"no {name}")
    others = [c.name for c in calendar.subcomponents if c.name != "VEVENT"]
    if others:
        problems.append(f"unexpected components: {others}")
    seen, events = set(), []
    for event in calendar.walk("VEVENT"):
        problems.extend(event_problems(event, seen))
        events.append({
            "uid": text(event, "UID"),
            "summary": text(event, "SUMMARY"),
            "dtstart": event["DTSTART"].dt.isoformat() if "DTSTART" in event else None,
            "dtend": event["DTEND"].dt.isoformat() if "DTEND" in event else None,
            "description": text(event, "DESCRIPTION"),
        })
    events.sort(key=lambda e: (e["dtstart"] or "", e["uid"] or ""))
    return problems, events


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    summary, failed = {}, False
    for path in paths:
        with open(path, "rb") as file:
            problems, events = check(file.read())
        for problem in problems:
            print(f"{path}: {problem}", file=sys.stderr)
        failed = failed or bool(problems)
        summary[path] = events
    print(json.dumps(summary, indent=1, ensure_ascii=False, sort_keys=True))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
