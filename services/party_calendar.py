"""The work calendar (lịch công tác, Điều 10 khoản 1; Điều 11 khoản 5 điểm a): meetings,
reporting deadlines, task deadlines and study campaign ends of the user's scope in one
month. Three aggregations, each an indexed range on the month within the scope, grouped by
day: the day's count and its first few entries (a province's day may hold hundreds of
meetings; the grid shows ``PER_DAY`` of each kind and "+N" linking to the filtered list)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from models import Meeting, Task, normalize
from models.party_work import MEETING_KINDS
from services import scope

from .party_reports import campaigns, month_bounds


@dataclass
class Entry:
    day: dt.date
    kind: str  # meeting | task | study | deadline
    title: str
    endpoint: str  # where the entry links to (url_for)
    args: dict
    late: bool = False
    more: int = 0  # "+N": entries of this kind on this day not shown (the link is the filtered list)
    field: str = ""  # the date field a "+N" entry's list is filtered on


PER_DAY = 3


def regulation_deadlines(year: int, month: int) -> list[tuple[dt.date, str, str, dict]]:
    last = calendar.monthrange(year, month)[1]
    return [
        (dt.date(year, month, min(25, last)), "Hạn đăng Định hướng sinh hoạt chi bộ tháng sau (trước ngày 25)",
         "meeting.index_view", {}),
        (dt.date(year, month, min(29, last)), "Hạn gửi danh sách đề nghị tạo, xóa tài khoản (ngày 27–29)",
         "reports.index", {}),
        (dt.date(year, month, last), "Hạn báo cáo kết quả sinh hoạt đảng, học tập nghị quyết (cuối tháng)",
         "partyreports.meetings", {"month": f"{year}-{month:02d}"}),
    ]


def month_entries(user: Any, year: int, month: int, today: dt.date | None = None) -> dict[dt.date, list[Entry]]:
    today = today or normalize.today()
    start, end = month_bounds(year, month)
    kinds = dict(MEETING_KINDS)
    out: dict[dt.date, list[Entry]] = {}

    def add(e: Entry) -> None:
        out.setdefault(e.day, []).append(e)

    for m in _by_day(scope.visible(Meeting, user).filter(**normalize.on_or_after("held_on", start), held_on__lt=end), "held_on",
                     ("kind", "topic", "org_name"), out, "meeting", "meeting.index_view"):
        add(Entry(m["held_on"].date(), "meeting", f"{kinds.get(m.get('kind'), 'Sinh hoạt')}: {m.get('org_name')} — {m['topic']}",
                  "meeting.details_view", {"id": str(m["_id"])}))
    for t in _by_day(scope.visible(Task, user).filter(**normalize.on_or_after("due_on", start), due_on__lt=end), "due_on",
                     ("title", "status", "member_name", "org_name"), out, "task", "task.index_view"):
        who = t.get("member_name") or t.get("org_name")
        add(Entry(t["due_on"].date(), "task", f"Hạn nhiệm vụ: {t['title']} ({who})", "task.details_view",
                  {"id": str(t["_id"])}, late=t.get("status") != "done" and t["due_on"].date() < today))
    for c in _by_day(campaigns(user).filter(**normalize.on_or_after("ends_on", start), ends_on__lt=end), "ends_on", ("title",), out, "study",
                     "studycampaign.index_view"):
        add(Entry(c["ends_on"].date(), "study", f"Kết thúc học tập: {c['title']}", "studycampaign.progress_view",
                  {"id": str(c["_id"])}))
    for day, title, endpoint, args in regulation_deadlines(year, month):
        add(Entry(day, "deadline", title, endpoint, args))
    for day in out:  # the "+N" entries after the day's shown ones of their kind
        out[day].sort(key=lambda e: (_ORDER.index(e.kind), e.more))
    return out


_ORDER = ("meeting", "task", "study", "deadline")


def _by_day(qs: Any, field: str, fields: tuple[str, ...], out: dict[dt.date, list[Entry]], kind: str,
            endpoint: str) -> list[dict]:
    """The month's records of ``qs`` in one aggregation grouped by day: the first ``PER_DAY``
    of each day (returned, in date order) and a "+N" entry in ``out`` for the rest."""
    shown = []
    for day in qs.aggregate([
            {"$project": {key: 1 for key in (field, *fields)}}, {"$sort": {field: 1, "_id": 1}},
            {"$group": {"_id": {"$dayOfMonth": f"${field}"}, "n": {"$sum": 1}, "first": {"$push": "$$ROOT"}}},
            {"$project": {"n": 1, "first": {"$slice": ["$first", PER_DAY]}}}]):
        shown += day["first"]
        if day["n"] > PER_DAY:
            first = day["first"][0][field].date()
            out.setdefault(first, []).append(Entry(first, kind, f"+{day['n'] - PER_DAY} mục khác", endpoint, {},
                                                   more=day["n"] - PER_DAY, field=field))
    return sorted(shown, key=lambda d: (d[field], str(d["_id"])))


def weeks(year: int, month: int) -> list[list[dt.date | None]]:
    """The month's weeks, Monday first; days of other months are None."""
    return [[d if d.month == month else None for d in week]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)]
