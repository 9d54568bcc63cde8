"""Reports sent upward: periods and deadlines, the quality check, sending (a frozen
snapshot), reopening, and what changed since a report was sent.

Kinds and deadlines (directive 1150-CV/HU; regulation Điều 6 khoản 2, Điều 12 khoản 5):

- ``annual`` (period ``2026``): totals of people, sites and accounts with forms 1 and 2,
  **before 1 December** (due 30/11; from 1/12 it is overdue);
- ``meetings`` (period ``2026-11``): the month's cell meetings, on the **last day of the month**;
- ``proposals`` (period ``2026-11``): the handbook proposal list, **27th–29th** (due the 29th,
  or the month's last day when shorter).

A deadline missed stays: every period due since the unit existed (bounded by ``LOOKBACK``)
and not sent is overdue until it is sent. The district's side is :mod:`services.tracker`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from bson import ObjectId

from exports import FORMS
from exports.forms import form_cells, form_sheet
from exports.reports import _write_table
from exports.xlsx import Sheet, open_workbook
from models import Member, Organisation, Site, SocialAccount, normalize
from models.base import utcnow
from models.submission import KINDS, Submission, kind_phrase
from services import audit, figures, month_figures, scope
from services import reports as reports_service

KIND_NAMES = dict(KINDS)
#: periods looked back for missed deadlines (years for the annual report, months otherwise)
LOOKBACK = {"annual": 3, "meetings": 12, "proposals": 12}
PROPOSAL_DAYS = (27, 29)
_LIGHT = ("organisation", "sender", "sender_name", "kind", "period", "version", "state", "sent_at", "sent_by",
          "sent_on", "due_on", "signer_title", "signer_name", "invalid_rows", "quality_confirmed", "reopened_at",
          "reopened_by", "reopen_reason", "file_sha256", "scope")


class SubmissionError(ValueError):
    """The report cannot be sent or reopened; ``str(err)`` is a Vietnamese message."""


# --- periods and deadlines ------------------------------------------------------------------

def due_date(kind: str, period: str) -> dt.date:
    """The last day a report of ``period`` is on time."""
    if kind == "annual":
        return dt.date(int(period), 11, 30)  # "trước ngày 01/12"
    year, month = int(period[:4]), int(period[5:7])
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(PROPOSAL_DAYS[1], last) if kind == "proposals" else last)


def period_label(kind: str, period: str) -> str:
    return f"năm {period}" if kind == "annual" else f"tháng {period[5:7]}/{period[:4]}"


def current_period(kind: str, today: dt.date) -> str:
    """The nearest period whose deadline is today or later."""
    if kind == "annual":
        return str(today.year if today <= dt.date(today.year, 11, 30) else today.year + 1)
    key = f"{today.year:04d}-{today.month:02d}"
    if today > due_date(kind, key):
        nxt = dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)
        key = f"{nxt.year:04d}-{nxt.month:02d}"
    return key


def previous_period(kind: str, period: str) -> str:
    if kind == "annual":
        return str(int(period) - 1)
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def parse_period(kind: str, raw: str | None, today: dt.date) -> str:
    """``2026`` / ``2026-11`` / ``11/2026``; empty: the current period. ValueError in Vietnamese."""
    raw = (raw or "").strip()
    if not raw:
        return current_period(kind, today)
    try:
        if kind == "annual":
            if not raw.isdigit() or not 2000 <= int(raw) <= today.year + 1:
                raise ValueError
            return raw
        day = dt.datetime.strptime(raw, "%m/%Y" if "/" in raw else "%Y-%m")
        if not 2000 <= day.year <= today.year + 1:
            raise ValueError
        return f"{day.year:04d}-{day.month:02d}"
    except ValueError:
        raise ValueError("Kỳ báo cáo không hợp lệ (năm: 2026; tháng: 11/2026).") from None


def expected_periods(kind: str, since: dt.date, today: dt.date) -> list[str]:
    """The periods a unit existing since ``since`` must have sent by ``today`` (past deadlines,
    newest first, at most ``LOOKBACK``) and the current one first of all."""
    current = current_period(kind, today)
    out, period = [current], previous_period(kind, current)
    while len(out) <= LOOKBACK[kind] and due_date(kind, period) >= since:
        out.append(period)
        period = previous_period(kind, period)
    return out


@dataclass
class Deadline:
    """One report of one unit against its deadline (the dashboard's rows)."""

    kind: str
    period: str
    due: dt.date
    today: dt.date
    sent: Any = None  # the latest version, if any (light document)

    @property
    def title(self) -> str:
        return f"{KIND_NAMES[self.kind]} {period_label(self.kind, self.period)}"

    @property
    def state(self) -> str:
        if self.sent is not None and self.sent.state == "sent":
            return "sent"
        return "overdue" if self.today > self.due else "open"

    @property
    def days_left(self) -> int:
        return (self.due - self.today).days

    @property
    def overdue_days(self) -> int:
        return max((self.today - self.due).days, 0)

    @property
    def badge(self) -> str:
        if self.state == "sent":
            return f"đã gửi lần {self.sent.version}" + (" (muộn)" if self.sent.late else "")
        if self.state == "overdue":
            return f"quá hạn {self.overdue_days} ngày"
        return "hôm nay" if self.days_left == 0 else f"còn {self.days_left} ngày"


def latest(org_id: ObjectId, kind: str, period: str) -> Submission | None:
    """The newest version a unit holds for a period (its own, else one a merged unit sent)."""
    return (Submission.objects(organisation=org_id, kind=kind, period=period).only(*_LIGHT)
            .order_by("-version", "-sent_at").first())


def unit_deadlines(org: Organisation, today: dt.date) -> list[Deadline]:
    """Every report the unit owes upward: the current periods and every missed one still unsent
    (one query for all). A unit at the top of the tree sends nothing upward."""
    if org.parent is None or org.closed_on is not None:
        return []
    since = normalize.local_date(org.created_at) if org.created_at else today
    wanted = [(kind, p) for kind in LOOKBACK for p in expected_periods(kind, since, today)]
    found: dict[tuple[str, str], Any] = {}
    for sub in Submission.objects(organisation=org.pk, kind__in=list(LOOKBACK),
                                  period__in=sorted({p for _, p in wanted})).only(*_LIGHT).order_by("version"):
        found[(sub.kind, sub.period)] = sub  # the newest version last
    out = []
    for kind, period in wanted:
        item = Deadline(kind, period, due_date(kind, period), today, found.get((kind, period)))
        if item.state != "sent" or period == current_period(kind, today):
            out.append(item)
    return sorted(out, key=lambda d: (d.state != "overdue", d.due, d.kind))


# --- the quality check ----------------------------------------------------------------------

_CHECKED = ((Member, "member"), (Site, "site"), (SocialAccount, "socialaccount"))
QUALITY_SHOWN = 200


@dataclass
class Problem:
    endpoint: str
    id: ObjectId
    who: str
    what: str
    issues: list[str]


@dataclass
class Quality:
    count: int = 0
    problems: list[Problem] = field(default_factory=list)  # the first QUALITY_SHOWN


def quality(org: Organisation, user: Any, kind: str, today: dt.date) -> Quality:
    """Records the report would carry with a mandatory cell missing or invalid (the annual
    report's people and forms 1 and 2), each with the screen to correct it."""
    out = Quality()
    if kind != "annual":
        return out
    for model, endpoint in _CHECKED:
        qs = figures.counted(model, org, user, today).filter(quality_issues__0__exists=True)
        out.count += qs.count()
        room = QUALITY_SHOWN - len(out.problems)
        if room <= 0:
            continue
        wanted = [f for f in ("full_name", "member_name", "org_name", "domain", "url", "platform", "quality_issues")
                  if f in model._fields]
        for doc in scope.stable(qs.order_by("org_key")).only(*wanted).limit(room):
            who = getattr(doc, "member_name", None) or getattr(doc, "full_name", "") or ""
            what = getattr(doc, "domain", None) or getattr(doc, "url", None) or "Hồ sơ cá nhân"
            out.problems.append(Problem(endpoint, doc.pk, f"{who} — {doc.org_name or ''}", what,
                                        [reports_service.issue_label(model, c) for c in doc.quality_issues]))
    return out


# --- the snapshot ---------------------------------------------------------------------------

def _read_back(data: bytes) -> dict[str, list[list[Any]]]:
    """Every printed cell of the workbook as sent, sheet by sheet (the snapshot's "as printed")."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {ws.title: [[("" if v is None else v) for v in row] for row in ws.iter_rows(values_only=True)]
                for ws in book.worksheets}
    finally:
        book.close()


def _annual(org: Organisation, user: Any, today: dt.date, version: int) -> tuple[bytes, dict[str, Any], int]:
    """The annual report with forms 1 and 2 in one workbook; the figures per unit and every
    row of the forms as printed (keyed by record id, for the difference later)."""
    block = reports_service.title_block(org, today, today)
    tables = reports_service.annual_tables(org, user, today)
    if version > 1:
        tables[0].subtitle += f" — báo cáo gửi lần {version}"
    units = reports_service.annual_units(org, user, today)
    rows: dict[str, dict[str, list[str]]] = {}
    invalid = 0
    out = io.BytesIO()
    book, formats = open_workbook(out)
    try:
        _write_table(Sheet(book, formats, tables[0].sheet_name, [5, *tables[0].widths]), block, tables[0])
        for kind, model in reports_service.FORM_MODELS.items():
            docs = list(reports_service.form_rows(kind, figures.counted(model, org, user, today)))
            bad = sum(1 for d in docs if d.get("quality_issues"))
            invalid += bad
            rows[kind] = {str(d["_id"]): cells for d, cells in zip(docs, form_cells(FORMS[kind], docs), strict=True)}
            form_sheet(book, formats, FORMS[kind], block, docs, invalid=lambda bad=bad: bad)
    finally:
        book.close()
    snapshot = {"figures": units[-1][2].as_dict(), "block": block.as_dict(),
                "units": [{"name": name, "key": str(key), "figures": fig.as_dict()} for name, key, fig in units[:-1]],
                "rows": rows}
    return out.getvalue(), snapshot, invalid


def _meetings(org: Organisation, user: Any, today: dt.date, period: str) -> tuple[bytes, dict[str, Any], int]:
    """The month's cell meetings and the resolution study of the month's campaigns."""
    from exports.party_reports import write_meeting_report

    report, study, figures_ = month_figures.meetings(org, user, period, today)
    block = reports_service.title_block(org, min(report.deadline, today), today)
    out = io.BytesIO()
    write_meeting_report(out, block, report, study=study)
    return out.getvalue(), {"figures": figures_, "block": block.as_dict()}, 0


def _proposals(org: Organisation, user: Any, today: dt.date, period: str) -> tuple[bytes, dict[str, Any], int]:
    from exports.handbook import write_proposals
    from services import handbook

    if handbook.sent_list(org, period) is None:
        handbook.send(org, period, user)  # the list is frozen as it is sent
    data = handbook.rows(handbook.proposals(org, period, user))
    block = reports_service.title_block(org, today, today)
    out = io.BytesIO()
    write_proposals(out, block, period, data)
    return out.getvalue(), {"figures": month_figures.proposals(org, user, period), "block": block.as_dict()}, 0


def may_send(user: Any, org: Organisation) -> bool:
    """Officers of the unit itself (and administrators) send its reports."""
    return scope.can_write(user) and scope.can_see(user, org) and (
        scope.sees_everything(user) or scope.scope_root(user) == org.pk)


def send(org: Organisation, user: Any, kind: str, period: str, *, confirm_quality: bool = False,
         today: dt.date | None = None) -> Submission:
    """Freeze and send the unit's report for ``period``: a new version when reopened."""
    today = today or normalize.today()
    if kind not in KIND_NAMES:
        raise SubmissionError("Loại báo cáo không hợp lệ.")
    if not may_send(user, org):
        raise SubmissionError("Chỉ cán bộ quản trị của chính đơn vị gửi báo cáo của đơn vị.")
    if org.parent is None or org.closed_on is not None:
        raise SubmissionError("Đơn vị này không có cấp trên đang hoạt động để gửi báo cáo.")
    before = latest(org.pk, kind, period)
    if before is not None and before.state == "sent" and before.sender_id == org.pk:
        raise SubmissionError(f"Báo cáo {period_label(kind, period)} đã gửi (lần {before.version}). "
                              "Muốn sửa, hãy mở lại báo cáo và ghi lý do.")
    check = quality(org, user, kind, today)
    if check.count and not confirm_quality:
        raise SubmissionError(f"Có {check.count} hồ sơ thiếu hoặc sai định dạng trường bắt buộc. "
                              "Hãy sửa, hoặc xác nhận gửi kèm các lỗi này.")
    version = 1 + Submission.objects(sender=org.pk, kind=kind, period=period).count()
    build = {"annual": lambda: _annual(org, user, today, version),
             "meetings": lambda: _meetings(org, user, today, period),
             "proposals": lambda: _proposals(org, user, today, period)}[kind]
    data, snapshot, invalid = build()
    snapshot["sheets"] = _read_back(data)
    snapshot["quality_count"] = check.count
    names = org.title_names()
    sub = Submission(organisation=org, scope=list(org.scope), depth=org.depth, sender=org, sender_name=org.name, kind=kind,
                     period=period, version=version, sent_by=getattr(user, "username", "") or "",
                     sent_on=normalize.to_datetime(today), due_on=normalize.to_datetime(due_date(kind, period)),
                     signer_title=names["signer_title"], signer_name=names["signer_name"], snapshot=snapshot,
                     invalid_rows=max(invalid, check.count), quality_confirmed=bool(check.count and confirm_quality),
                     file=data, file_sha256=hashlib.sha256(data).hexdigest())
    sub.save()
    detail = f"Gửi {kind_phrase(kind)} {period_label(kind, period)}, lần {version}; tổ chức {org.code}"
    if sub.quality_confirmed:
        detail += f"; xác nhận gửi kèm {check.count} hồ sơ có lỗi"
    audit.record("submit", user=user, records=[sub], detail=detail)
    return sub


def reopen(sub: Submission, user: Any, reason: str | None) -> Submission:
    """The unit takes its sent report back to correct it; the version stays, marked reopened."""
    reason = normalize.text(reason)
    if not reason:
        raise SubmissionError("Hãy ghi lý do mở lại báo cáo.")
    org = Organisation.objects(pk=sub.sender_id).first()
    if org is None or not may_send(user, org):
        raise SubmissionError("Chỉ cán bộ quản trị của đơn vị đã gửi được mở lại báo cáo.")
    if sub.state != "sent":
        raise SubmissionError("Báo cáo này đã được mở lại.")
    changed = Submission.objects(pk=sub.pk, state="sent").update_one(
        set__state="reopened", set__reopened_at=utcnow(), set__reopened_by=user.username,
        set__reopen_reason=reason[:1000])
    if not changed:
        raise SubmissionError("Báo cáo này đã được mở lại.")
    sub.reload()
    audit.record("reopen", user=user, records=[sub],
                 detail=f"Mở lại {kind_phrase(sub.kind)} {period_label(sub.kind, sub.period)}, "
                        f"lần {sub.version}: {reason}")
    return sub


def visible(user: Any) -> Any:
    """Submissions the user may read: the unit's own and those of the units below."""
    return scope.visible(Submission, user)


def open_file(sub_id: str, user: Any) -> Submission | None:
    if not ObjectId.is_valid(sub_id or ""):
        return None
    return visible(user).filter(pk=ObjectId(sub_id)).first()


def history(org: Organisation, user: Any, kind: str, period: str) -> list[Submission]:
    return list(visible(user).filter(organisation=org.pk, kind=kind, period=period).only(*_LIGHT)
                .order_by("-version", "-sent_at"))


__all__ = ["KIND_NAMES", "Deadline", "SubmissionError", "due_date", "history", "latest", "parse_period", "quality",
           "reopen", "send", "unit_deadlines"]
