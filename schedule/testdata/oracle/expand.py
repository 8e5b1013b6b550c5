"""The independent side of schedule's differential oracle (oracle_test.go).

Reads a JSON list of rules on stdin and writes, for each, the instants of
its recurrence set as Unix seconds. Nothing here uses the code under test.

Each rule is expanded in wall-clock time twice: by python-dateutil, and
from the local times the test's brute-force expander lists (key "walls"),
which the test uses where dateutil departs from RFC 5545; then, as RFC 5545
orders it:

  1. DTSTART first, then the rule's local times after DTSTART's, in
     wall-clock order (DTSTART always counts, RFC 5545 section 3.3.10);
  2. each local time mapped to an instant with zoneinfo and fold=0, which
     is RFC 5545 section 3.3.5: a nonexistent local time is read with the
     offset from before the gap (shifted forward by the gap), an ambiguous
     one is the first of the two (PEP 495);
  3. equal instants kept once, COUNT counting the distinct ones, UNTIL (a
     UTC instant) bounding them inclusively;
  4. RDATEs added and EXDATEs removed, as instants (section 3.8.5.3), and
     the result sorted and cut at the window's end.
"""

import datetime as _datetime
import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil import rrule as R

FREQ = {"YEARLY": R.YEARLY, "MONTHLY": R.MONTHLY, "WEEKLY": R.WEEKLY, "DAILY": R.DAILY}
# Go's time.Weekday numbering: 0 is Sunday.
WD = [R.SU, R.MO, R.TU, R.WE, R.TH, R.FR, R.SA]


def wall(s):
    """A local DATE-TIME, YYYYMMDDTHHMMSS (strptime is slow)."""
    return datetime(int(s[0:4]), int(s[4:6]), int(s[6:8]), int(s[9:11]), int(s[11:13]), int(s[13:15]))


class _Horizon:
    """The datetime module as dateutil.rrule sees it, with MAXYEAR moved.

    dateutil checks UNTIL only against the dates it finds, so for a rule
    that matches nothing more it searches every period up to
    datetime.MAXYEAR (9999): minutes for a daily rule. MAXYEAR is where it
    gives up; set just past the window, it cuts only the search for dates
    the comparison does not look at.
    """

    def __init__(self, maxyear):
        self.MAXYEAR = maxyear

    def __getattr__(self, name):
        return getattr(_datetime, name)


def dateutil_walls(r, start, limit):
    R.datetime = _Horizon(limit.year + 1)
    kw = dict(dtstart=start, until=limit, interval=r["interval"], wkst=WD[r["wkst"]].weekday)
    for key in ("bymonth", "bymonthday", "byyearday", "byweekno", "bysetpos", "byhour", "byminute"):
        if r.get(key):
            kw[key] = r[key]
    if r.get("byday"):
        kw["byweekday"] = [WD[d["day"]](d["n"]) if d["n"] else WD[d["day"]] for d in r["byday"]]
    return list(R.rrule(FREQ[r["freq"]], **kw))


def instances(r, walls, zone, memo):
    start = wall(r["dtstart"])
    out, seen = [], set()
    for w in [start] + [w for w in walls if w > start]:
        u = memo.get(w)
        if u is None:
            u = memo[w] = int(w.replace(tzinfo=zone, fold=0).timestamp())
        if u in seen:
            continue
        seen.add(u)
        if r["until"] and u > r["until"] and w != start:
            continue
        out.append(u)
        if r["count"] and len(out) == r["count"]:
            break
    return out


def finish(r, rule_instants, zone):
    s = set(rule_instants)
    s.update(int(wall(x).replace(tzinfo=zone, fold=0).timestamp()) for x in r["rdates"] or [])
    s.difference_update(int(wall(x).replace(tzinfo=zone, fold=0).timestamp()) for x in r["exdates"] or [])
    return sorted(u for u in s if u < r["end"])


def main():
    rules = json.load(sys.stdin)
    result = {}
    for r in rules:
        zone = ZoneInfo(r["zone"])
        start, limit = wall(r["dtstart"]), wall(r["limit"])
        one, memo = {}, {}
        one["dateutil"] = finish(r, instances(r, dateutil_walls(r, start, limit), zone, memo), zone)
        one["brute"] = finish(r, instances(r, [wall(x) for x in r["walls"] or []], zone, memo), zone)
        result[r["id"]] = one
    json.dump(result, sys.stdout)


main()
