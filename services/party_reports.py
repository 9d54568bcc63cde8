"""Monthly party-work reports: cell meetings (Điều 7, Điều 12 khoản 5 điểm f), resolution
study progress (Điều 5, Điều 12 khoản 5 điểm f) and members' tasks (Điều 9,
Điều 12 khoản 5 điểm đ). Each report costs a fixed number of queries whatever the
number of cells: one for the cells, one or two for the records, grouped here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId
from mongoengine import Q, QuerySet

from models import Meeting, Member, Organisation, StudyCampaign, StudyRecord, Task, normalize
from services import scope


class ReportError(ValueError):
    """The report cannot be produced; the message is Vietnamese."""


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise ReportError("Tháng hoặc năm báo cáo không hợp lệ.")
    start = dt.datetime(year, month, 1)
    return start, start + dt.timedelta(days=calendar.monthrange(year, month)[1])


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _cells(org: Organisation, user: Any) -> list[dict]:
    """The cells of ``org``'s subtree (``org`` itself when it is a cell), in tree order."""
    if org.kind == "cell":
        return [{"_id": org.pk, "name": org.name, "scope": list(org.scope)}]
    qs = scope.organisations(user).filter(scope=org.pk, kind="cell").only("name", "scope").order_by("tree_key")
    return list(qs.as_pymongo())


def _units_below(org: Organisation, user: Any) -> dict[ObjectId, str]:
    """Committees directly below ``org`` (the communes of a district), tree order."""
    qs = scope.organisations(user).filter(parent=org.pk, kind="committee").only("name").order_by("tree_key")
    return {o["_id"]: o["name"] for o in qs.as_pymongo()}


# --- meetings -------------------------------------------------------------------------------

@dataclass
class CellMeetings:
    cell_id: ObjectId
    name: str
    unit_id: ObjectId | None = None  # the committee directly below the report's organisation
    regular_on: dt.datetime | None = None
    regular_id: ObjectId | None = None
    expected: int = 0
    present: int = 0
    excused: int = 0
    unexcused: int = 0
    thematic: int = 0
    committee: int = 0

    @property
    def held(self) -> bool:
        return self.regular_on is not None

    @property
    def rate(self) -> float | None:
        return self.present / self.expected if self.expected else None


@dataclass
class UnitMeetings:
    """One committee below the report's organisation: how many of its cells met."""

    unit_id: ObjectId
    name: str
    cells: int = 0
    held: int = 0

    @property
    def missing(self) -> int:
        return self.cells - self.held


@dataclass
class MeetingReport:
    org: Organisation
    year: int
    month: int
    today: dt.date
    cells: list[CellMeetings] = field(default_factory=list)
    units: list[UnitMeetings] = field(default_factory=list)

    @property
    def deadline(self) -> dt.date:
        return month_end(self.year, self.month)

    @property
    def over(self) -> bool:
        return self.today > self.deadline

    def unit_state(self, unit: UnitMeetings) -> str:
        if not unit.missing:
            return "Đủ"
        return "Chậm" if self.over else "Chưa đủ"


def meeting_report(org: Organisation, user: Any, year: int, month: int, today: dt.date | None = None) -> MeetingReport:
    """Per cell of ``org``'s subtree: the month's regular meeting (first one), attendance
    of it, themed and committee meetings; per committee below: cells that met."""
    start, end = month_bounds(year, month)
    report = MeetingReport(org, year, month, today or normalize.today())
    depth = len(org.scope)
    units = _units_below(org, user)
    rows = {}
    for c in _cells(org, user):
        unit = c["scope"][depth] if len(c["scope"]) > depth and c["scope"][depth] in units else None
        rows[c["_id"]] = CellMeetings(c["_id"], c["name"], unit)
    meetings = scope.in_subtree(Meeting, org, user).filter(**normalize.on_or_after("held_on", start), held_on__lt=end) \
        .only("organisation", "kind", "held_on", "member_count", "present_count", "excused_count", "unexcused_count") \
        .order_by("held_on").as_pymongo()
    for m in meetings:
        row = rows.get(m["organisation"])
        if row is None:
            continue
        kind = m.get("kind") or "regular"
        if kind == "regular" and row.regular_on is None:
            row.regular_on, row.regular_id = m["held_on"], m["_id"]
            row.expected, row.present = m.get("member_count", 0), m.get("present_count", 0)
            row.excused, row.unexcused = m.get("excused_count", 0), m.get("unexcused_count", 0)
        elif kind == "thematic":
            row.thematic += 1
        elif kind == "committee":
            row.committee += 1
    report.cells = list(rows.values())
    summary = {pk: UnitMeetings(pk, name) for pk, name in units.items()}
    for row in report.cells:
        if row.unit_id in summary:
            summary[row.unit_id].cells += 1
            summary[row.unit_id].held += row.held
    report.units = list(summary.values())
    return report


# --- resolution study -----------------------------------------------------------------------

def campaigns(user: Any) -> QuerySet:
    """Campaigns the user takes part in: launched in their subtree or by a unit above them."""
    root = scope.scope_root(user)
    if root is None:
        return StudyCampaign.objects(pk__in=[])
    if scope.sees_everything(user):
        return StudyCampaign.objects(deleted_at=None)
    above = list(getattr(user.organisation, "scope", None) or [])
    return StudyCampaign.objects(Q(scope=root) | Q(organisation__in=above), deleted_at=None)


def study_root(campaign: StudyCampaign, user: Any) -> ObjectId:
    """The deeper of the campaign's unit and the user's: whose members the user follows."""
    root = scope.scope_root(user)
    if root is None:
        raise ReportError("Bạn không có phạm vi quản lý.")
    if scope.sees_everything(user) or root in (campaign.organisation.scope or []):
        return campaign.organisation.pk
    if campaign.organisation.pk in (user.organisation.scope or []):
        return root
    raise ReportError("Đợt học tập này nằm ngoài phạm vi quản lý của bạn.")


def expected_members(root: ObjectId, user: Any) -> QuerySet:
    """Who must study: active party members under ``root``."""
    return scope.in_subtree(Member, root, user).filter(status="active", is_party_member=True)


@dataclass
class StudyRow:
    org_id: ObjectId
    name: str
    expected: int = 0
    studied: int = 0

    @property
    def rate(self) -> float | None:
        return self.studied / self.expected if self.expected else None


@dataclass
class Person:
    pk: ObjectId
    full_name: str
    org_name: str
    position: str | None


@dataclass
class StudyProgress:
    campaign: StudyCampaign
    root: Organisation
    cells: list[StudyRow]
    units: list[StudyRow]
    not_yet: list[Person]

    @property
    def expected(self) -> int:
        return sum(r.expected for r in self.cells)

    @property
    def studied(self) -> int:
        return sum(r.studied for r in self.cells)


def study_progress(campaign: StudyCampaign, user: Any, root_id: ObjectId | None = None) -> StudyProgress:
    """Progress of ``campaign`` under the user's study root, or under ``root_id`` (a unit the
    caller has checked the user sees: the unit sending its month-end report, the tracker's)."""
    root_id = root_id or study_root(campaign, user)
    root = Organisation.objects(pk=root_id).get()
    depth = len(root.scope)
    units = _units_below(root, user)
    found = _cells(root, user)
    cells = {c["_id"]: StudyRow(c["_id"], c["name"]) for c in found}
    cell_unit = {c["_id"]: (c["scope"][depth] if len(c["scope"]) > depth else None) for c in found}
    not_yet: list[Person] = []
    people = list(expected_members(root_id, user).only("full_name", "org_name", "organisation", "position", "sort_key",
                                                       "org_key").order_by("org_key", "sort_key").as_pymongo())
    # by member, not by where the record was made: a member who studied before moving here has
    # studied (so a unit's figure is the same seen from the unit and from the level above)
    studied_ids = {r["member"] for r in StudyRecord.objects(campaign=campaign.pk, member__in=[m["_id"] for m in people],
                                                            deleted_at=None).only("member").as_pymongo()}
    for m in people:  # raw documents: no organisation is loaded per member
        row = cells.get(m.get("organisation"))
        if row is None:
            continue
        row.expected += 1
        if m["_id"] in studied_ids:
            row.studied += 1
        else:
            not_yet.append(Person(m["_id"], m.get("full_name", ""), m.get("org_name", ""), m.get("position")))
    summary = {pk: StudyRow(pk, name) for pk, name in units.items()}
    for pk, row in cells.items():
        unit = summary.get(cell_unit.get(pk))
        if unit is not None:
            unit.expected += row.expected
            unit.studied += row.studied
    return StudyProgress(campaign, root, list(cells.values()), list(summary.values()), not_yet)


def month_campaigns(units: list[ObjectId], year: int, month: int) -> QuerySet:
    """The campaigns running in the month (started by its end, not ended before it) launched by
    one of ``units`` (a unit and those above it: the campaigns its month-end report covers)."""
    start, end = month_bounds(year, month)
    return StudyCampaign.objects(organisation__in=units, deleted_at=None, starts_on__lt=end,
                                 ends_on__gte=start).order_by("starts_on", "id")


def month_study(org: Organisation, user: Any, year: int, month: int) -> list[StudyProgress]:
    """The month-end report's study part: per campaign of the month that ``org`` takes part in
    (launched by it or above), the progress of ``org``'s members."""
    return [study_progress(c, user, org.pk) for c in month_campaigns(list(org.scope), year, month)]


# --- tasks ----------------------------------------------------------------------------------

@dataclass
class TaskRow:
    org_id: ObjectId
    name: str
    assigned: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0


def task_report(org: Organisation, user: Any, year: int, month: int, today: dt.date | None = None) -> list[TaskRow]:
    """Per cell: tasks due in the month, completed on time, completed late, overdue
    (not done, deadline passed) and pending (not done, deadline not yet passed)."""
    start, end = month_bounds(year, month)
    today = today or normalize.today()
    rows = {c["_id"]: TaskRow(c["_id"], c["name"]) for c in _cells(org, user)}
    tasks = scope.in_subtree(Task, org, user).filter(**normalize.on_or_after("due_on", start), due_on__lt=end) \
        .only("organisation", "status", "due_on", "completed_on").as_pymongo()
    for t in tasks:
        row = rows.get(t["organisation"])
        if row is None:
            continue
        row.assigned += 1
        due = t["due_on"].date()
        if t.get("status") == "done":
            done = t.get("completed_on")
            if done is None or done.date() <= due:
                row.on_time += 1
            else:
                row.late += 1
        elif due < today:
            row.overdue += 1
        else:
            row.pending += 1
    return list(rows.values())


def overdue_tasks(user: Any, today: dt.date | None = None) -> QuerySet:
    """Tasks of the user's scope not done by their deadline (index ``scope, status, due_on``)."""
    today = today or normalize.today()
    return scope.visible(Task, user).filter(status__in=["todo", "doing"],
                                            due_on__lt=dt.datetime(today.year, today.month, today.day))

