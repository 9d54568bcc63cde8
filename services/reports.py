"""The scoped queries behind the official exports and the reports.

Every record comes through :mod:`services.scope` (``in_subtree`` / ``visible``), one
cursor per question, raw documents (no object per row, no look-up per row): the
records carry their denormalised ``org_name``, ``org_key``, ``member_name``, ``position``
and ``member_sort_key``. A command run without a user acts as an officer of the
organisation it names (:class:`OrgPrincipal`), so it goes through the same scope.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from bson import ObjectId

from exports import FORMS, TitleBlock, write_form, write_report
from exports import reports as layouts
from exports.layouts import as_of_line, vn_date
from models import Member, Organisation, Site, SocialAccount, normalize
from models.accounts import PLATFORMS
from models.base import label_of
from models.layouts import link_text
from models.member import STATUSES
from models.normalize import format_date
from models.organisation import TITLE_FIELDS
from services import audit, figures, policy, scope

FORM_MODELS = {"sites": Site, "social": SocialAccount}
REPORT_KINDS = {"annual": "Tổng hợp số lượng hằng năm", "monthly": "Biến động trong tháng",
                "quality": "Chất lượng dữ liệu"}
_STATUS_LABELS = dict(STATUSES)


class ReportError(Exception):
    """The export or report cannot be produced; ``str(err)`` is a Vietnamese message."""


@dataclass(frozen=True)
class OrgPrincipal:
    """Who a command acts as when no user is named: an officer of that organisation."""

    organisation: Organisation
    role: str = policy.OFFICER
    is_authenticated: bool = True
    is_active: bool = True


def acting_as(org: Organisation, user: Any = None) -> Any:
    """The principal for a request on ``org``; refuses an organisation outside the user's scope."""
    principal = user if user is not None else OrgPrincipal(org)
    if not scope.can_see(principal, org):
        raise ReportError("Tổ chức được chọn nằm ngoài phạm vi quản lý của bạn.")
    return principal


def title_block(org: Organisation, as_of: dt.date, today: dt.date | None = None) -> TitleBlock:
    """The party document format, from the names stored on the units (one query): left, the
    superior's party name over the issuing committee; right, the unit's own place and date;
    the signer's block from the unit's configured signer."""
    names = org.title_names()
    parent = None
    if len(org.scope) > 1:
        parent = Organisation.objects(pk=org.scope[-2]).only(
            "name", "kind", "party_name", "place", *TITLE_FIELDS).first()
    superior = (parent or org).title_names()["party_name"]  # the top unit: its own party body
    place = names["place"] or (parent.title_names()["place"] if parent is not None else "")
    return TitleBlock(superior=superior, organisation=names["issuer_name"], place=place or "",
                      signed_on=today or normalize.today(), as_of=as_of, signer=names["signer_for"],
                      signer_title=names["signer_title"], signer_name=names["signer_name"])


# --- who is counted: owner status and party membership (one place for these rules) ------------

PEOPLE = {"all": "Cán bộ, đảng viên (cả người không phải đảng viên)", "party": "Chỉ đảng viên",
          "non_party": "Chỉ cán bộ, công chức không phải là đảng viên"}


def owner_filter(people: str = "all", include_departed: bool = False) -> dict[str, Any]:
    """Filter on forms 1 and 2 (sites, social accounts): by default only owners still in the
    register; ``people`` keeps party members, non-party people, or both."""
    if people not in PEOPLE:
        raise ReportError("Đối tượng không hợp lệ (all, party, non_party).")
    flt: dict[str, Any] = {} if include_departed else {"owner_status": "current"}
    if people != "all":
        flt["owner_party"] = people == "party"
    return flt


def owner_note(people: str = "all", include_departed: bool = False) -> str | None:
    """The line printed on the sheet when the export is not the default one."""
    parts = [PEOPLE[people]] if people != "all" else []
    if include_departed:
        parts.append("gồm cả người đã rời danh sách (từ trần, chuyển đi, ra khỏi Đảng)")
    return f"Ghi chú: {'; '.join(parts)}." if parts else None


# --- forms 1 and 2 ---------------------------------------------------------------------------

def form_cursor(kind: str, qs: Any) -> Any:
    """One cursor of raw documents (what the layout prints, and the data-quality flags), grouped
    by cell (in tree order, so that same-named cells of different communes stay apart) and in
    Vietnamese name order: the ``org_key, member_sort_key`` index."""
    fields = FORMS[kind].fields()
    return scope.stable(qs.only(*fields, "quality_issues").order_by("org_key", "member_sort_key")).as_pymongo()


def form_rows(kind: str, qs: Any) -> Iterator[dict]:
    """The rows of a form, streamed from the cursor (form 2's (7) is printed by the layout)."""
    return form_cursor(kind, qs)


class InvalidCounter:
    """Counts the rows carrying invalid or missing mandatory data as they stream past."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> int:
        return self.count

    def watch(self, rows: Iterable[dict]) -> Iterator[dict]:
        for row in rows:
            if row.get("quality_issues"):
                self.count += 1
            yield row


def export_form(kind: str, out: str | IO[bytes], org: Organisation, user: Any = None, *,
                as_of: dt.date | None = None, base: Any = None, cap: int | None = None,
                today: dt.date | None = None, criteria: str = "", people: str = "all",
                include_departed: bool = False, invalid: InvalidCounter | None = None) -> int:
    """Write form 1 (``sites``) or 2 (``social``) of ``org``'s subtree; return the row count
    (``invalid`` counts the rows with invalid data; the sheet warns about them too).

    Only owners still in the register are listed unless ``include_departed`` (a note on the
    sheet says so); ``people`` keeps party members, non-party people or both (see ``owner_filter``).

    ``base`` is a list screen's query (built on ``scope.visible`` with its filters and search,
    described by ``criteria`` for the audit trail); without it, the whole subtree of ``org``
    within the user's scope is exported."""
    principal = acting_as(org, user)
    qs = base if base is not None else scope.in_subtree(FORM_MODELS[kind], org, principal)
    qs = qs.filter(**owner_filter(people, include_departed))
    if cap is not None and (count := qs.count()) > cap:
        raise ReportError(f"Danh sách có {count} bản ghi, vượt giới hạn xuất {cap} bản ghi mỗi lần. "
                          "Hãy lọc theo tổ chức hoặc điều kiện khác rồi xuất lại.")
    today = today or normalize.today()
    invalid = invalid if invalid is not None else InvalidCounter()
    count = write_form(out, FORMS[kind], title_block(org, as_of or today, today),
                       invalid.watch(form_rows(kind, qs)), note=owner_note(people, include_departed), invalid=invalid)
    _audit(user, FORM_MODELS[kind]._get_collection_name(),
           f"{FORMS[kind].sheet_name}: {count} dòng, {invalid.count} dòng có dữ liệu sai/thiếu", org, criteria)
    return count


def _audit(user: Any, collection: str, what: str, org: Organisation, criteria: str = "") -> None:
    """Exports leave a trail: who took which organisation's data (personal data leaves the panel)."""
    detail = f"{what}; tổ chức {org.code}" + (f"; điều kiện: {criteria}" if criteria else "")
    audit.record("export", user=user, collection=collection, detail=detail)


# --- reports ----------------------------------------------------------------------------------

class _Units:
    """The units directly below ``org`` (tree order); a record belongs to the one on its scope path."""

    def __init__(self, org: Organisation, principal: Any) -> None:
        self.org, self.depth = org, len(org.scope)
        children = scope.organisations(principal).filter(parent=org.pk).only("name").order_by("tree_key")
        self.names = {c.pk: c.name for c in children}
        self.own = f"{org.name} (trực thuộc trực tiếp)" if self.names else org.name
        self.order = {pk: i for i, pk in enumerate(self.names)}

    def sort_key(self, pk: ObjectId) -> tuple[int, str]:
        return self.order.get(pk, len(self.order)), self.names.get(pk, self.own)

    def of(self, path: list[ObjectId]) -> ObjectId:
        return path[self.depth] if len(path) > self.depth else self.org.pk

    def table(self, counts: dict[ObjectId, list[int]], width: int) -> tuple[list[list[Any]], list[Any]]:
        """One row per unit (the organisation's own records last, if any) and the total row."""
        rows = [[name, *counts.get(pk, [0] * width)] for pk, name in self.names.items()]
        if self.org.pk in counts or not self.names:
            rows.append([self.own, *counts.get(self.org.pk, [0] * width)])
        total = [layouts.TOTAL_LABEL, *(sum(r[i] for r in rows) for i in range(1, width + 1))]
        return rows, total


def _day_after(day: dt.date) -> dt.datetime:
    """The end of ``day`` on calendar dates (``joined_on``, ``left_on``: midnight, naive)."""
    return dt.datetime(day.year, day.month, day.day) + dt.timedelta(days=1)


def _per_unit(qs: Any, depth: int, extra: str | None = None) -> Iterator[tuple[Any, Any, int]]:
    """(unit id or None for the organisation's own records, ``extra`` value, count): one
    aggregation whose answer has one row per unit (times ``extra`` values), not per record."""
    key: dict = {"u": {"$arrayElemAt": ["$scope", depth]}}
    if extra:
        key["x"] = f"${extra}"
    for row in qs.aggregate([{"$group": {"_id": key, "n": {"$sum": 1}}}]):
        yield row["_id"].get("u"), row["_id"].get("x"), row["n"]


def annual_row(fig: figures.Figures) -> list[int]:
    """The figures of one unit in the annual table's columns: people, sites, accounts, the
    accounts per platform, then party / non-party people and their sites + accounts."""
    return [fig.people, fig.sites, fig.accounts, *(fig.platforms.get(p, 0) for p in PLATFORMS),
            fig.party_people, fig.people - fig.party_people, fig.party_sites + fig.party_accounts,
            fig.sites - fig.party_sites + fig.accounts - fig.party_accounts]


def annual_units(org: Organisation, principal: Any, as_of: dt.date) -> list[tuple[str, Any, figures.Figures]]:
    """(name, unit id or ``figures.OWN``, figures) per unit directly below ``org`` in tree order,
    then the people and records attached to ``org`` itself; and ``TOTAL`` last (one definition:
    :func:`services.figures.tally`)."""
    below = figures.children(org, principal)
    found = figures.tally(org, principal, as_of, [c["_id"] for c in below])
    rows = [(c["name"], c["_id"], found[c["_id"]]) for c in below]
    own = found[figures.OWN]
    if not below or own.people or own.sites or own.accounts:
        rows.append((f"{org.name} (trực thuộc trực tiếp)" if below else org.name, figures.OWN, own))
    return [*rows, (layouts.TOTAL_LABEL, figures.TOTAL, found[figures.TOTAL])]


def annual_tables(org: Organisation, user: Any, as_of: dt.date, include_departed: bool = False) -> list[layouts.Table]:
    """People, sites and social accounts (by platform) per unit, as of the end of ``as_of``;
    the last columns split party members from non-party people (people, then sites and accounts)."""
    if include_departed:
        return _annual_with_departed(org, user, as_of)
    units = annual_units(org, acting_as(org, user), as_of)
    rows = [[name, *annual_row(fig)] for name, _key, fig in units[:-1]]
    total = [layouts.TOTAL_LABEL, *annual_row(units[-1][2])]
    return [layouts.annual_table(f"(Tính đến {vn_date(as_of)})", PLATFORMS, rows, total)]


def _annual_with_departed(org: Organisation, user: Any, as_of: dt.date) -> list[layouts.Table]:
    """The annual table on request with the sites and accounts of people who left too (not
    the official figure: labelled so)."""
    principal, end = acting_as(org, user), _day_after(as_of)
    added_by = normalize.day_start(end)  # timestamps: the end of ``as_of`` in Vietnam, not in UTC
    units, width = _Units(org, principal), 3 + len(PLATFORMS) + 4
    split = 3 + len(PLATFORMS)  # party / non-party people, then their sites + accounts
    counts: dict[ObjectId, list[int]] = defaultdict(lambda: [0] * width)
    present = figures.counted(Member, org, principal, as_of)
    for unit, party, n in _per_unit(present, units.depth, "is_party_member"):
        row = counts[unit or org.pk]
        row[0] += n
        row[split + (0 if party is not False else 1)] += n
    sites = scope.in_subtree(Site, org, principal).filter(created_at__lt=added_by)
    for unit, party, n in _per_unit(sites, units.depth, "owner_party"):
        row = counts[unit or org.pk]
        row[1] += n
        row[split + (2 if party is not False else 3)] += n
    social = scope.in_subtree(SocialAccount, org, principal).filter(created_at__lt=added_by)
    for unit, platform, n in _per_unit(social, units.depth, "platform"):
        row = counts[unit or org.pk]
        row[2] += n
        row[3 + (PLATFORMS.index(platform) if platform in PLATFORMS else len(PLATFORMS) - 1)] += n
    for unit, party, n in _per_unit(social, units.depth, "owner_party"):
        counts[unit or org.pk][split + (2 if party is not False else 3)] += n
    rows, total = units.table(counts, width)
    subtitle = f"(Tính đến {vn_date(as_of)}) — gồm cả người đã rời danh sách"
    return [layouts.annual_table(subtitle, PLATFORMS, rows, total)]


@dataclass(frozen=True)
class _Move:
    model: type
    date_field: str
    column: int  # index in the monthly summary row
    label: str
    deleted: bool = False

    @property
    def moment(self) -> bool:
        """A timestamp (UTC), bounded and shown by Vietnam's calendar; else a calendar date."""
        return self.date_field.endswith("_at")


_MOVES = [_Move(Member, "joined_on", 0, "Thêm mới"), _Move(Member, "left_on", 1, "Ra khỏi danh sách"),
          _Move(SocialAccount, "created_at", 2, "Thêm tài khoản mạng xã hội"),
          _Move(SocialAccount, "deleted_at", 3, "Xóa tài khoản mạng xã hội", True),
          _Move(Site, "created_at", 4, "Thêm trang web/blog"), _Move(Site, "deleted_at", 5, "Xóa trang web/blog", True)]


def transfer_moves(org: Organisation, start: dt.datetime, end: dt.datetime) -> Iterator[tuple[list, int, Any]]:
    """Transfers accepted in [start, end) touching ``org``'s subtree: (unit path, column, order);
    column 6 = arrived (path of the receiving cell), 7 = left (path at the sender)."""
    from models.transfer import TransferOrder

    start, end = normalize.day_start(start), normalize.day_start(end)  # a month of Vietnam's calendar
    accepted = TransferOrder.objects(state="accepted", **normalize.on_or_after("decided_at", start), decided_at__lt=end)
    for order in accepted.filter(to_cell_scope=org.pk):
        yield list(order.to_cell_scope), 6, order
    for order in accepted.filter(scope=org.pk):
        yield list(order.scope), 7, order


_DETAIL = ("scope", "org_key", "org_name", "full_name", "sort_key", "member_name", "member_sort_key", "position", "platform",
           "url", "link_type", "admin_role", "domain", "site_name", "left_reason", "status", "quality_issues")


def _detail_fields(model: type, *extra: str) -> list[str]:
    return [f for f in (*_DETAIL, *extra) if f in model._fields]


def _describe(doc: dict) -> str:
    """What the record is, as printed in detail lists."""
    if "url" in doc or "platform" in doc:
        return f"{doc.get('platform') or ''}: {link_text(doc.get('url'), doc.get('link_type'), doc.get('admin_role'))}"
    return doc.get("domain") or doc.get("site_name") or ""


def _person(doc: dict) -> tuple[str, str]:
    return (doc.get("member_name") or doc.get("full_name") or "",
            doc.get("member_sort_key") or doc.get("sort_key") or "")


def monthly_tables(org: Organisation, user: Any, year: int, month: int) -> list[layouts.Table]:
    """People and accounts added and removed in a month, per unit, with names and reasons."""
    principal = acting_as(org, user)
    start = dt.datetime(year, month, 1)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1)
    units, counts, detail = _Units(org, principal), defaultdict(lambda: [0] * 8), []
    for move in _MOVES:
        base = (scope.visible(move.model, principal, deleted=True).filter(scope=org.pk) if move.deleted
                else scope.in_subtree(move.model, org, principal))
        since, until = (normalize.day_start(start), normalize.day_start(end)) if move.moment else (start, end)
        shown = normalize.format_day if move.moment else format_date
        qs = base.filter(**normalize.on_or_after(move.date_field, since), **{f"{move.date_field}__lt": until})
        for doc in qs.only(*_detail_fields(move.model, move.date_field)).as_pymongo():
            unit = units.of(doc["scope"])
            counts[unit][move.column] += 1
            name, key = _person(doc)
            reason = (doc.get("left_reason") or _STATUS_LABELS.get(doc.get("status"), "")) if move.column == 1 else ""
            content = "" if move.model is Member else _describe(doc)
            detail.append(((*units.sort_key(unit), doc.get("org_key") or "", key, move.column, str(doc["_id"])),
                           [units.sort_key(unit)[1], doc.get("org_name") or "", name, doc.get("position") or "", move.label, content,
                            shown(doc.get(move.date_field)), reason]))
    for unit_path, column, order in transfer_moves(org, start, end):
        unit = units.of(unit_path)
        counts[unit][column] += 1
        label = "Chuyển đến" if column == 6 else "Chuyển đi"
        cell = order.to_name if column == 6 else order.from_name
        detail.append(((*units.sort_key(unit), "", order.member_name, column),
                       [units.sort_key(unit)[1], cell, order.member_name, "", label,
                        f"{order.from_name} → {order.to_name}" + (f" ({order.decision_number})" if order.decision_number else ""),
                        normalize.format_day(order.decided_at), order.note or ""]))
    rows, total = units.table(counts, 8)
    subtitle = f"(Tháng {month:02d} năm {year})"
    return layouts.monthly_tables(subtitle, rows, total, [row for _, row in sorted(detail, key=lambda d: d[0])])


_QUALITY = [(Member, "Cán bộ, đảng viên"), (Site, "Trang web/blog"), (SocialAccount, "Tài khoản mạng xã hội")]


def issue_label(model: type, code: str) -> str:
    """``missing:purpose`` -> ``Thiếu (12) Mục đích sử dụng``, with the model's own rule labels."""
    kind, _, field = code.partition(":")
    return f"{'Thiếu' if kind == 'missing' else 'Sai định dạng'} {label_of(model, field)}"


def quality_tables(org: Organisation, user: Any, today: dt.date | None = None) -> list[layouts.Table]:
    """Per unit, the records missing a mandatory field or holding a value in a wrong format."""
    principal = acting_as(org, user)
    units, counts, detail = _Units(org, principal), defaultdict(lambda: [0] * 4), []
    for column, (model, label) in enumerate(_QUALITY):
        qs = scope.in_subtree(model, org, principal).filter(quality_issues__0__exists=True)
        for doc in qs.only(*_detail_fields(model)).as_pymongo():
            unit = units.of(doc["scope"])
            row = counts[unit]
            row[column] += 1
            row[3] += 1
            name, key = _person(doc)
            issues = "; ".join(issue_label(model, code) for code in doc.get("quality_issues", []))
            record = "Hồ sơ cá nhân" if model is Member else _describe(doc)
            detail.append(((*units.sort_key(unit), doc.get("org_key") or "", key, column, str(doc["_id"])),
                           [units.sort_key(unit)[1], doc.get("org_name") or "", name, label, record, issues]))
    rows, total = units.table(counts, 4)
    subtitle = as_of_line(today or normalize.today())
    return layouts.quality_tables(subtitle, rows, total, [row for _, row in sorted(detail, key=lambda d: d[0])])


def export_report(kind: str, out: str | IO[bytes], org: Organisation, user: Any = None, *,
                  as_of: dt.date | None = None, year: int | None = None, month: int | None = None,
                  today: dt.date | None = None, include_departed: bool = False) -> None:
    """Write the ``annual``, ``monthly`` or ``quality`` report of ``org`` to ``out``."""
    today = today or normalize.today()
    if kind == "annual":
        tables = annual_tables(org, user, as_of or today, include_departed)
    elif kind == "monthly":
        tables = monthly_tables(org, user, year or today.year, month or today.month)
    elif kind == "quality":
        tables = quality_tables(org, user, today)
    else:
        raise ReportError(f"Không có loại báo cáo “{kind}”.")
    write_report(out, title_block(org, as_of or today, today), tables)
    _audit(user, "reports", f"Báo cáo {REPORT_KINDS[kind].lower()}", org)
