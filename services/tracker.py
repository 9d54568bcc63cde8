"""The level above: for a unit and a period, which units directly below have sent, which
have not, which are late, and which changed their data since they sent; the reminders; the
consolidated report built from the snapshots (or, on request, from live data, labelled).

Columns are a list of :class:`Column` (key, header, how to read a row): a new column (a
declaration round, say) is one more entry in ``COLUMNS``.

Merged units: a merge hands the closed unit's submissions to the receiving unit (they are
owned records), where they keep their sender. The closed unit's row says where it went and
is not counted as missing. For the receiving unit, a snapshot a merged unit sent counts for
its part of the period unless the receiving unit sent its own report after the merge (which
then covers the merged unit's records): :func:`counting_snapshots`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from bson import ObjectId

from exports import reports as layouts
from exports import write_report
from exports.layouts import vn_date
from models import Member, Organisation, Site, SocialAccount, normalize
from models.accounts import PLATFORMS
from models.declaration import DeclarationLink, DeclarationRound
from models.submission import Submission, kind_phrase
from services import audit, figures, month_figures, scope
from services import reports as reports_service
from services.submissions import _LIGHT, due_date, period_label, previous_period

PAGE = 50
STATES = {"sent": "Đã gửi", "late_sent": "Đã gửi muộn", "open": "Chưa gửi", "overdue": "Quá hạn, chưa gửi",
          "changed": "Đã gửi, dữ liệu thay đổi sau khi gửi", "reopened": "Đã mở lại, chưa gửi lại",
          "merged": "Đã sáp nhập"}


@dataclass
class Row:
    unit: dict
    submissions: list[Submission] = field(default_factory=list)  # held by the unit, newest first
    state: str = "open"
    overdue_days: int = 0
    live: figures.Figures | None = None  # the annual figures now
    compared: dict | None = None  # the figures now, as the report's snapshot holds them (every kind)
    changed_at: dt.datetime | None = None
    note: str = ""
    declarations: Counter = field(default_factory=Counter)  # link states of the unit's subtree

    @property
    def latest(self) -> Submission | None:
        own = [s for s in self.submissions if s.sender_id == self.unit["_id"]]
        return own[0] if own else None

    @property
    def differences(self) -> list[str]:
        """``tài khoản: 12 → 13`` for each figure that differs from the snapshot."""
        sub = self.latest
        if sub is None:
            return []
        return month_figures.differences(sub.kind, (sub.snapshot or {}).get("figures", {}), self.compared)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    value: Callable[[Row], str]


def _sent_text(row: Row) -> str:
    sub = row.latest
    if sub is None:
        return ""
    return f"{normalize.format_moment(sub.sent_at)} (lần {sub.version}, {sub.sent_by})"


def _declared_text(row: Row) -> str:
    """``đã duyệt 12/30, chờ duyệt 3, trả lại 1, chưa mở 14`` (people's links in the period's rounds)."""
    c = row.declarations
    if not c:
        return "chưa mở đợt khai báo"
    done = c["approved"] + c["none"]
    parts = [f"đã duyệt {done}/{sum(c.values())}" + (f" ({c['none']} không có gì để khai)" if c["none"] else "")]
    parts += [f"{label} {c[key]}" for key, label in (("waiting", "chờ duyệt"), ("returned", "trả lại"),
                                                     ("opened", "đã mở, chưa gửi"), ("not_opened", "chưa mở")) if c[key]]
    return ", ".join(parts)


COLUMNS: list[Column] = [
    Column("unit", "Đơn vị", lambda r: r.unit["name"]),
    Column("state", "Tình trạng", lambda r: STATES[r.state] + (f" {r.overdue_days} ngày" if r.state == "overdue" else "")),
    Column("sent", "Gửi lúc", _sent_text),
    Column("change", "Thay đổi sau khi gửi", lambda r: "; ".join(r.differences) or (
        f"sửa hồ sơ lúc {normalize.format_moment(r.changed_at)}" if r.state == "changed" and r.changed_at else "")),
    Column("declarations", "Khai báo của cán bộ, đảng viên", _declared_text),
    Column("note", "Ghi chú", lambda r: r.note),
]


@dataclass
class Tracker:
    org: Organisation
    kind: str
    period: str
    due: dt.date
    today: dt.date
    rows: list[Row]
    page: int
    more: bool

    def count(self, *states: str) -> int:
        return sum(1 for r in self.rows if r.state in states)


def _last_changes(org: Organisation, user: Any, units: list[ObjectId]) -> dict[ObjectId, dt.datetime]:
    """The latest change of a person or record per unit below ``org``: one ``$group`` per collection."""
    level, out = len(org.scope), {}
    for model in (Member, Site, SocialAccount):
        qs = scope.in_subtree(model, org, user).filter(scope__in=units) if units else None
        if qs is None:
            continue
        pipeline = [{"$group": {"_id": {"$arrayElemAt": ["$scope", level]}, "at": {"$max": "$modified_at"}}}]
        for row in qs.aggregate(pipeline):
            if row["_id"] in units and row["at"] and (row["_id"] not in out or row["at"] > out[row["_id"]]):
                out[row["_id"]] = row["at"]
    return out


def _declarations(org: Organisation, user: Any, kind: str, period: str, units: list[ObjectId]) -> dict[ObjectId, Counter]:
    """Link states per unit below ``org`` over the declaration rounds opened in ``period``
    (after the previous period's deadline, up to this one's), within the user's scope: one
    ``$group`` for the whole page, and one look-up of the rounds it names (deleted ones drop)."""
    if not units:
        return {}
    start = normalize.day_start(due_date(kind, previous_period(kind, period)) + dt.timedelta(days=1))
    end = normalize.day_start(due_date(kind, period) + dt.timedelta(days=1))
    links = scope.in_subtree(DeclarationLink, org, user).filter(
        scope__in=units, **normalize.on_or_after("created_at", start), created_at__lt=end, revoked_at=None)
    level = len(org.scope)
    groups = list(links.aggregate([{"$group": {"_id": {"u": {"$arrayElemAt": ["$scope", level]}, "r": "$round",
                                                       "s": "$state"}, "n": {"$sum": 1}}}]))
    live = set(DeclarationRound.objects(pk__in=list({g["_id"]["r"] for g in groups}), deleted_at=None).scalar("id")) \
        if groups else set()
    out: dict[ObjectId, Counter] = {}
    for g in groups:
        if g["_id"]["r"] in live:
            out.setdefault(g["_id"]["u"], Counter())[g["_id"]["s"]] += g["n"]
    return out


def tracker(org: Organisation, user: Any, kind: str, period: str, today: dt.date | None = None,
            page: int = 1) -> Tracker:
    """One page of the units directly below ``org`` and where each stands for ``period``."""
    today, page = today or normalize.today(), max(page, 1)
    due = due_date(kind, period)
    below = figures.children(org, user, (page - 1) * PAGE, PAGE + 1)
    more, below = len(below) > PAGE, below[:PAGE]
    ids = [u["_id"] for u in below]
    rows = {u["_id"]: Row(u) for u in below}
    held = scope.visible(Submission, user).filter(organisation__in=ids, kind=kind, period=period)
    for sub in held.only(*_LIGHT, "snapshot.figures").order_by("-version", "-sent_at"):
        rows[sub.organisation_id].submissions.append(sub)
    live: dict[Any, figures.Figures] = {}
    changes: dict[ObjectId, dt.datetime] = {}
    if kind == "annual":
        live = figures.tally(org, user, today, ids)
        changes = _last_changes(org, user, ids)
        compared = {pk: fig.as_dict() for pk, fig in live.items()}
    elif any(r.latest is not None and r.latest.state == "sent" for r in rows.values()):  # nothing to compare else
        compared = month_figures.below(kind, org, user, period, today, ids)
    else:
        compared = {}
    names = {u["_id"]: u["name"] for u in below}
    for pk, counts in _declarations(org, user, kind, period, ids).items():
        if pk in rows:
            rows[pk].declarations = counts
    for pk, row in rows.items():
        row.compared = compared.get(pk)
        _settle(row, today, due, live.get(pk), changes.get(pk), names)
    return Tracker(org, kind, period, due, today, list(rows.values()), page, more)


def _settle(row: Row, today: dt.date, due: dt.date, live: figures.Figures | None, changed_at: Any,
            names: dict) -> None:
    unit, sub = row.unit, row.latest
    row.live, row.changed_at = live, changed_at
    merged = [s for s in row.submissions if s.sender_id != unit["_id"]]
    if merged:
        row.note = "Gồm báo cáo của đơn vị đã sáp nhập: " + ", ".join(sorted({s.sender_name for s in merged}))
    if unit.get("closed_on"):
        row.state = "merged"
        into = names.get(unit.get("merged_into")) or ""
        row.note = f"Đóng ngày {normalize.format_date(unit['closed_on'])}" + (f", sáp nhập vào {into}" if into else "") \
            + "; báo cáo đã gửi chuyển theo đơn vị nhận"
        return
    if sub is None:
        row.state = "overdue" if today > due else "open"
        row.overdue_days = max((today - due).days, 0)
        return
    if sub.state == "reopened":
        row.state = "reopened"
        return
    row.state = "late_sent" if sub.late else "sent"
    if row.differences or (changed_at is not None and changed_at > sub.sent_at):
        row.state = "changed"


def reminders(t: Tracker) -> list[str]:
    """One line per unit still owing the report, ready to copy or print."""
    what = f"{kind_phrase(t.kind)} {period_label(t.kind, t.period)}"
    out = []
    for r in t.rows:
        if r.state in ("open", "overdue", "reopened"):
            late = f", đã quá hạn {r.overdue_days} ngày" if r.state == "overdue" else ""
            again = " (đã mở lại, cần gửi lại)" if r.state == "reopened" else ""
            out.append(f"Đề nghị {r.unit['name']} gửi {what}{again} (hạn {normalize.format_date(t.due)}{late}).")
    return out


@dataclass
class BelowStatus:
    """Where the units directly below stand for one report and period (the dashboard's line)."""

    kind: str
    period: str
    due: dt.date
    today: dt.date
    units: int
    sent: int

    @property
    def missing(self) -> int:
        return max(self.units - self.sent, 0)

    @property
    def overdue_days(self) -> int:
        return max((self.today - self.due).days, 0) if self.missing else 0

    @property
    def text(self) -> str:
        late = f", quá hạn {self.overdue_days} ngày" if self.overdue_days else ""
        return f"Đơn vị trực thuộc {period_label(self.kind, self.period)}: {self.sent}/{self.units} đã gửi" + \
            (f", {self.missing} chưa gửi{late}" if self.missing else "")


def below_status(org: Organisation, user: Any, today: dt.date) -> list[BelowStatus]:
    """Per report: the current period and the last one past its deadline while units below
    still owe it (a missed deadline stays for the level above too). Counts only: one
    ``$group`` per period asked, whatever the number of units."""
    from services.submissions import LOOKBACK, current_period, previous_period

    open_units = scope.organisations(user).filter(parent=org.pk, closed_on=None)
    units = open_units.count()
    if not units:
        return []
    out = []
    for kind in LOOKBACK:
        current = current_period(kind, today)
        for period in (previous_period(kind, current), current):
            held = scope.visible(Submission, user).filter(scope=org.pk, kind=kind, period=period, state="sent",
                                                         depth=len(org.scope))  # held by a unit directly below
            rows = list(held.aggregate([{"$group": {"_id": "$organisation"}}, {"$count": "n"}]))
            item = BelowStatus(kind, period, due_date(kind, period), today, units, rows[0]["n"] if rows else 0)
            if period == current or item.missing:
                out.append(item)
    return out


# --- the consolidated report ----------------------------------------------------------------

def counting_snapshots(row: Row) -> list[Submission]:
    """The snapshots that count for a unit: its own latest sent version, and those a merged unit
    sent that the unit's own report (sent before the merge, or not at all) does not cover."""
    own = row.latest if row.latest is not None and row.latest.state == "sent" else None
    out = [own] if own else []
    seen: set = set()
    for sub in row.submissions:
        sender = sub.sender_id
        if sender == row.unit["_id"] or sender in seen or sub.state != "sent":
            continue
        seen.add(sender)
        closed = Organisation.objects(pk=sender).only("closed_on").first()
        if own is None or (closed and closed.closed_on and closed.closed_on > own.sent_at):
            out.append(sub)
    return out


def consolidated_tables(t: Tracker, live: bool = False) -> list[layouts.Table]:
    """The annual table of the units below, from the snapshots they sent (units that have not
    sent are listed without figures), or from live data when asked, labelled so."""
    rows, total = [], figures.Figures()
    for r in t.rows:
        if r.state == "merged":
            continue
        if live:
            fig = r.live or figures.Figures()
        else:
            parts = counting_snapshots(r)
            if not parts:
                rows.append([f"{r.unit['name']} (chưa gửi)", *[""] * (3 + len(PLATFORMS) + 4)])
                continue
            fig = figures.Figures()
            for sub in parts:
                fig.add(figures.Figures.from_dict(sub.snapshot.get("figures", {})))
        total.add(fig)
        rows.append([r.unit["name"], *reports_service.annual_row(fig)])
    label = ("SỐ LIỆU TRỰC TIẾP TỪ CƠ SỞ DỮ LIỆU (không phải báo cáo đã gửi)" if live
             else "Tổng hợp từ báo cáo các đơn vị đã gửi")
    subtitle = f"({label}; {period_label(t.kind, t.period)}, đến {vn_date(t.today)})"
    return [layouts.annual_table(subtitle, PLATFORMS, rows, [layouts.TOTAL_LABEL, *reports_service.annual_row(total)])]


def export_consolidated(out: str | IO[bytes], t: Tracker, user: Any, live: bool = False) -> None:
    write_report(out, reports_service.title_block(t.org, t.today, t.today), consolidated_tables(t, live))
    audit.record("export", user=user, collection="submissions",
                 detail=f"Tổng hợp {kind_phrase(t.kind)} {period_label(t.kind, t.period)}"
                        f" ({'số liệu trực tiếp' if live else 'từ báo cáo đã gửi'}); tổ chức {t.org.code}")


# --- what changed since a report was sent ---------------------------------------------------

def figure_differences(sub: Submission, user: Any, today: dt.date | None = None) -> list[str]:
    """The sending unit's figures now against its snapshot's (the report's page)."""
    today = today or normalize.today()
    org = Organisation.objects(pk=sub.sender_id).first()
    if org is None:
        return []
    if sub.kind == "annual":
        live = figures.tally(org, user, today)[figures.TOTAL].as_dict()
    elif sub.kind == "meetings":
        live = month_figures.meetings(org, user, sub.period, today)[2]
    else:
        live = month_figures.proposals(org, user, sub.period)
    return month_figures.differences(sub.kind, (sub.snapshot or {}).get("figures", {}), live)


@dataclass
class RowDiff:
    added: list[list[str]] = field(default_factory=list)
    removed: list[list[str]] = field(default_factory=list)
    changed: list[tuple[list[str], list[str]]] = field(default_factory=list)


def row_differences(sub: Submission, user: Any, today: dt.date | None = None) -> dict[str, RowDiff]:
    """Forms 1 and 2 as sent against the same rows now: added, removed and changed rows."""
    from exports import FORMS
    from exports.forms import form_cells

    today = today or normalize.today()
    org = Organisation.objects(pk=sub.sender_id).first()
    out: dict[str, RowDiff] = {}
    if sub.kind != "annual" or org is None:
        return out
    stored = Submission.objects(pk=sub.pk).only("snapshot.rows").as_pymongo().first() or {}
    sent_rows = (stored.get("snapshot") or {}).get("rows") or {}
    for kind, model in reports_service.FORM_MODELS.items():
        docs = list(reports_service.form_rows(kind, figures.counted(model, org, user, today)))
        now = {str(d["_id"]): cells for d, cells in zip(docs, form_cells(FORMS[kind], docs), strict=True)}
        sent = sent_rows.get(kind, {})
        diff = RowDiff([now[k] for k in now if k not in sent], [sent[k] for k in sent if k not in now],
                       [(sent[k], now[k]) for k in now if k in sent and list(sent[k]) != list(now[k])])
        out[kind] = diff
    return out


__all__ = ["COLUMNS", "STATES", "Column", "Row", "Tracker", "consolidated_tables", "export_consolidated",
           "figure_differences", "reminders", "row_differences", "tracker"]
