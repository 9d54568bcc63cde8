"""Import of the member roster (the layout :data:`exports.lists.ROSTER` writes) with the
same safe reader as forms 1 and 2: the package is checked by :mod:`imports.safety` before
any parsing, formula cells are refused, rows are reported with their Excel row and column,
nothing is written on a dry run or before the whole file has been read and planned.

Natural key: the party card number when present (unique in the register), otherwise
full name + date of birth + cell. An empty cell leaves the stored value as it is, so a
roster exported and imported back changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import python_calamine as calamine
from bson import ObjectId
from mongoengine import ValidationError

from exports.lists import ROSTER
from models import Member, Organisation, normalize
from models.member import GENDERS, LEFT_STATUSES, STATUSES

from .layouts import Column, Form, header_key
from .lock import import_lock
from .matching import Matcher
from .reader import HEADER_SEARCH_ROWS, Table, _header_columns, _sheet_paths, data_rows
from .safety import ImportFileError, Limits, check_parts, open_package, scan_sheet
from .service import Summary

_KINDS = {"date_of_birth": "date", "admission_date": "date", "official_date": "date", "org_name": "cell"}
FORM = Form("roster", ROSTER.title, Member, tuple(
    Column(n, c.header, c.field, _KINDS.get(c.field or "", "text")) for n, c in enumerate(ROSTER.columns, start=1)
), key_column=2)
_BY_FIELD = {c.field: c.number for c in FORM.columns if c.field}
_FIELDS = ("full_name", "date_of_birth", "gender", "position", "admission_date", "official_date",
           "party_card_number", "status", "is_party_member", "phone", "email")
_GENDERS = {header_key(label): key for key, label in GENDERS} | {"nu": "nu", "nam": "nam"}
_STATUSES = {header_key(label): key for key, label in STATUSES}
_PARTY = {"dangvien": True, "khongphaidangvien": False, "co": True, "khong": False}


def open_roster(data: bytes, limits: Limits) -> Table:
    package = open_package(data, limits)
    check_parts(package)
    paths = _sheet_paths(package)
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:
        raise ImportFileError("Tệp .xlsx bị hỏng, không đọc được.") from None
    for meta in book.sheets_metadata:
        if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet" or meta.name not in paths:
            continue
        scan = scan_sheet(package, paths[meta.name], limits)
        sheet = book.get_sheet_by_name(meta.name)
        offset = sheet.start[1] if sheet.start else 0
        rows = sheet.iter_rows()
        for index, row in enumerate(rows):
            if index >= HEADER_SEARCH_ROWS:
                break
            columns = _header_columns(row, FORM)
            if len(columns) >= 4:
                missing = [f"({c.number}) {c.header}" for c in FORM.columns if c.number not in columns]
                if missing:
                    raise ImportFileError(f"Danh sách cán bộ, đảng viên: dòng tiêu đề (dòng {index + 1}) thiếu cột "
                                          + ", ".join(missing) + ".")
                formulas = {(r, n) for r, c in scan.formulas for n, i in columns.items() if i + offset == c}
                return Table(FORM, meta.name, index + 1, columns, rows, formulas)
    raise ImportFileError("Tệp không phải danh sách cán bộ, đảng viên: không tìm thấy dòng tiêu đề "
                          "(STT, Họ và tên, Ngày sinh, Giới tính, Chi bộ, …).")


class RowError(ValueError):
    def __init__(self, number: int, message: str) -> None:
        super().__init__(message)
        self.number = number


def _text(value: Any) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a card number typed as a number
    return normalize.text(value)


def _parse(cells: dict[int, Any]) -> tuple[dict[str, Any], str | None]:
    """Values by field name (only the cells that hold something) and the cell's name."""
    out: dict[str, Any] = {}
    for name in _FIELDS:
        number = _BY_FIELD.get(name) or _BY_FIELD["party"]
        raw = cells.get(number)
        if raw in (None, ""):
            continue
        try:
            out[name] = _value(name, raw)
        except normalize.NormalizeError as exc:
            raise RowError(number, f"{FORM.columns[number - 1].header}: {exc}") from None
    if not out.get("full_name"):
        raise RowError(2, "Họ và tên: bắt buộc phải nhập.")
    return out, _text(cells.get(_BY_FIELD["org_name"]))


def _value(name: str, raw: Any) -> Any:
    if name in ("date_of_birth", "admission_date", "official_date"):
        return normalize.to_datetime(normalize.date(raw))
    if name == "phone":
        return normalize.phone(raw)
    if name == "email":
        return normalize.email(raw)
    if name in ("gender", "status", "is_party_member"):
        table = {"gender": _GENDERS, "status": _STATUSES, "is_party_member": _PARTY}[name]
        key = header_key(raw)
        if key not in table:
            raise normalize.NormalizeError(f"giá trị “{normalize.text(raw)}” không có trong danh mục.")
        return table[key]
    return _text(raw)


@dataclass
class Step:
    row: int
    action: str  # create | update | unchanged
    member: ObjectId | None
    values: dict[str, Any]
    cell: ObjectId


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    rows: int = 0

    def count(self, action: str) -> int:
        return sum(1 for s in self.steps if s.action == action)


class _Known:
    """The target subtree's people by natural key, loaded once (one indexed query)."""

    def __init__(self, target: Organisation) -> None:
        self.by_card: dict[str, dict] = {}
        self.by_person: dict[tuple, dict] = {}
        fields = ("organisation", "full_name", *_FIELDS)
        for doc in Member.objects(scope=target.pk, deleted_at=None).only(*fields).as_pymongo():
            if doc.get("party_card_number"):
                self.by_card[doc["party_card_number"]] = doc
            self.by_person[self.key(doc["organisation"], doc["full_name"], doc.get("date_of_birth"))] = doc

    @staticmethod
    def key(cell: ObjectId, name: str, born: Any) -> tuple:
        return cell, normalize.fold(name), born


def plan(table: Table, target: Organisation, limits: Limits) -> Plan:
    result, known, matcher, seen = Plan(), _Known(target), Matcher(target), set()
    for excel_row, cells in data_rows(table, limits):
        result.rows += 1
        try:
            hostile = sorted(n for r, n in table.formulas if r == excel_row)
            if hostile:
                raise RowError(hostile[0], "ô chứa công thức Excel; hãy nhập giá trị.")
            values, cell_name = _parse(cells)
            if not cell_name:
                raise RowError(5, "Chi bộ: bắt buộc phải nhập.")
            cell_id, problem = matcher.cell(cell_name)
            if problem:
                raise RowError(5, problem.replace("(2) ", ""))
            card = values.get("party_card_number")
            key = card or known.key(cell_id, values["full_name"], values.get("date_of_birth"))
            if key in seen:
                raise RowError(9 if card else 2, "trùng với một dòng phía trên (cùng số thẻ, hoặc cùng họ tên, "
                                                 "ngày sinh và chi bộ).")
            seen.add(key)
            stored = known.by_card.get(card) if card else known.by_person.get(key)
            if stored is None and card and Member.objects(party_card_number=card).count():
                raise RowError(9, "Số thẻ đảng viên: đã thuộc một người ở đơn vị khác.")
            result.steps.append(_step(excel_row, stored, values, cell_id))
        except RowError as exc:
            result.errors.append((excel_row, exc.number, str(exc)))
    return result


def _step(row: int, stored: dict | None, values: dict[str, Any], cell: ObjectId) -> Step:
    if stored is None:
        return Step(row, "create", None, values, cell)
    changed = {k: v for k, v in values.items() if stored.get(k) != v}
    if stored.get("organisation") != cell:
        changed["organisation"] = cell
    return Step(row, "update" if changed else "unchanged", stored["_id"], changed, cell)


def run(data: bytes, target: Organisation, *, dry_run: bool = True, limits: Limits | None = None) -> Summary:
    """Read, check and plan the roster; unless ``dry_run``, write it (under the import lock)."""
    limits = limits or Limits()
    if dry_run:
        return _run(data, target, limits, True)
    with import_lock():
        return _run(data, target, limits, False)


def _run(data: bytes, target: Organisation, limits: Limits, dry_run: bool) -> Summary:
    the_plan = plan(open_roster(data, limits), target, limits)
    summary = Summary("roster", rows=the_plan.rows, dry_run=dry_run)
    errors = list(the_plan.errors)
    if dry_run:
        summary.created, summary.updated = the_plan.count("create"), the_plan.count("update")
        summary.unchanged = the_plan.count("unchanged")
    else:
        for step, problem in _write(the_plan.steps):
            if problem:
                errors.append((step.row, 0, problem))
            else:
                counter = {"create": "created", "update": "updated"}.get(step.action, step.action)
                setattr(summary, counter, getattr(summary, counter) + 1)
    summary.errors = [{"row": r, "column": f"({c})" if c else "", "message": m} for r, c, m in sorted(errors)]
    return summary


def _write(steps: list[Step]) -> Iterator[tuple[Step, str | None]]:
    cells = {o.pk: o for o in Organisation.objects(pk__in=list({s.cell for s in steps}))}
    for step in steps:
        if step.action == "unchanged":
            yield step, None
            continue
        member = Member(organisation=cells[step.cell]) if step.member is None else Member.objects.get(pk=step.member)
        for name, value in step.values.items():
            setattr(member, name, cells[value] if name == "organisation" else value)
        if member.status in LEFT_STATUSES and not member.left_on:
            member.left_on = normalize.to_datetime(dt.date.today())
        if step.member is None and not member.admission_date:
            member._quiet_handbook = True  # an old roster without dates is not a wave of admissions
        try:
            member.save()
        except ValidationError as exc:
            details = "; ".join(str(v) for v in (exc.to_dict() or {}).values()) if exc.errors else exc.message
            yield step, f"Không lưu được: {details}"
        else:
            yield step, None
