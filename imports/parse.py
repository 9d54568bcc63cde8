"""One data row -> normalised field values and row-level errors by official column.

Values go through the model's own ``RULES`` (the same normalisers and mandatory fields
as the screens). The rule loop mirrors ``ScopedDocument.apply_rules`` on a plain dict:
building a MongoEngine document per row costs ~4x more, and the write step validates
every created or changed record through the model again, so nothing can drift.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from models import normalize
from models.accounts import ADMIN_ROLES

from .layouts import Column, Form

_LABEL_NUMBER = re.compile(r"^\((\d+)\)")
_LINK_ROLE = re.compile(r"^(?P<url>\S.*?)\s*[(\[](?P<role>[^()\[\]/.]{2,60})[)\]]\s*$", re.S)
_ROLES = {normalize.fold(r): r for r in ADMIN_ROLES}
_CACHED = {"names", "position", "purpose", "platform", "admin_role", "established_on", "updated_on", "expires_on"}
_FORMULA = object()  # marks a text cell that would be a formula once written back
FORMULA_MESSAGE = "Ô chứa công thức; hãy nhập giá trị (dán dạng giá trị) thay vì công thức."


@dataclass
class Row:
    excel_row: int
    cell: str | None = None  # column (2) as typed (normalised text)
    person: str | None = None  # column (3)
    values: dict[str, object] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (column number, message)


class RowParser:
    """Parses rows of one form; memoises normalisers of repetitive columns."""

    def __init__(self, form: Form, formulas: set[tuple[int, int]]) -> None:
        self.form = form
        self.formulas = formulas
        self.rules = form.model.RULES
        self.numbers = {c.field: c.number for c in form.columns if c.field}
        for name, rule in self.rules.items():
            match = _LABEL_NUMBER.match(rule.label)
            if match:
                self.numbers.setdefault(name, int(match[1]))
        self._cache: dict[tuple[str, object], object] = {}
        self.data_columns = [c for c in form.columns if c.number != 1]  # (1) STT is not stored

    def parse(self, excel_row: int, cells: dict[int, object]) -> Row:
        row = Row(excel_row)
        formulas = self.formulas
        for column in self.data_columns:
            raw = cells.get(column.number)
            if raw.__class__ is not str:
                raw = _plain(raw)
            elif raw[:1] in " =\t\n" and raw.lstrip().startswith("="):
                raw = _FORMULA
            if raw is _FORMULA or (formulas and (excel_row, column.number) in formulas):
                row.errors.append((column.number, f"({column.number}) {column.header}: {FORMULA_MESSAGE}"))
                continue
            self._read(row, column, raw)
        self._apply_rules(row)
        self._cross_checks(row)
        return row

    def _read(self, row: Row, column: Column, raw: object) -> None:
        if column.kind in ("cell", "person"):
            value = self._normalise("names", normalize.text, raw)
            if value is None:
                row.errors.append((column.number, f"({column.number}) {column.header}: bắt buộc phải nhập."))
            setattr(row, column.kind, value)
        elif column.kind == "date":
            try:
                row.values[column.field] = normalize.to_datetime(self._normalise(column.field, normalize.date, raw))
            except normalize.NormalizeError as exc:
                row.errors.append((column.number, f"({column.number}) {column.header}: {exc}"))
        elif column.kind == "link":
            row.values.update(split_link(raw))
        else:
            row.values[column.field] = None if raw == "" else raw

    def _apply_rules(self, row: Row) -> None:
        values = row.values
        flagged = {col for col, _ in row.errors}  # one reason per cell: a formula is not also "missing"
        for name, rule in self.rules.items():
            if self.numbers.get(name) in flagged:
                continue
            raw = values.get(name)
            if rule.normalizer is not None and raw not in (None, "", []):
                try:
                    raw = values[name] = self._normalise(name, rule.normalizer, raw)
                except normalize.NormalizeError as exc:
                    row.errors.append((self.numbers.get(name, 0), f"{rule.label}: {exc}"))
                    continue
            if rule.required and raw in (None, "", []):
                row.errors.append((self.numbers.get(name, 0), f"{rule.label}: bắt buộc phải nhập."))

    def _normalise(self, name: str, normalizer, raw: object) -> object:
        if name not in _CACHED:
            return normalizer(raw)
        key = (name, raw)
        if key not in self._cache:
            try:
                self._cache[key] = normalizer(raw)
            except normalize.NormalizeError as exc:
                self._cache[key] = exc
            if len(self._cache) > 50_000:
                self._cache.clear()
        value = self._cache.get(key)
        if isinstance(value, normalize.NormalizeError):
            raise value
        return value

    def _cross_checks(self, row: Row) -> None:
        start, end = row.values.get("established_on"), row.values.get("expires_on")
        if start and end and end < start:
            row.errors.append((11, "(11) Thời hạn hết hạn không được trước thời gian thiết lập."))


def split_link(raw: object) -> dict[str, object]:
    """Column (7) of form 2: ``URL`` or ``URL (Quản trị viên)`` for a page or group."""
    text = normalize.text(raw) if raw not in (None, "") else None
    if not text:
        return {"url": None}
    match = _LINK_ROLE.match(text) if text[-1] in ")]" else None
    if not match:
        return {"url": text}
    role = normalize.text(match["role"])
    url = match["url"]
    kind = "group" if re.search(r"/(groups?|g)/", url, re.I) else "page"
    return {"url": url, "admin_role": _ROLES.get(normalize.fold(role), role), "link_type": kind}


def _plain(value: object) -> object:
    """Reader values as a person typed them: whole numbers without ``.0``, dates as dates."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return value
