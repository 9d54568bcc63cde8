"""Stage 5, values: one raw row -> normalised field values and errors by official column.

Text typed in a legacy 8-bit font is converted first (the file's encoding decides short
cells, see :class:`models.vn_legacy.FileEncoding`), names are canonicalised, then every
value goes through the model's own ``RULES`` (the same normalisers and mandatory fields
as the screens). Rules of the file's shape that the screens never see live here: a year
alone in a date column, formula cells, and column (7)'s role, handles and stray spaces.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from models import normalize, platforms, vn_legacy
from models.accounts import ADMIN_ROLES

from .layouts import Column, Form
from .rows import RawRow

_LABEL_NUMBER = re.compile(r"^\((\d+)\)")
_ROLES = {normalize.fold(r): r for r in ADMIN_ROLES}
_BRACKET_ROLE = re.compile(r"^(?P<url>\S.*?)\s*[(\[](?P<role>[^()\[\]/.]{2,60})[)\]]\s*$", re.S)
_DASH_ROLE = re.compile(r"^(?P<url>\S+?)(?:\s+[-–—:]\s*|\s*[-–—:]\s+|\s*\n\s*)(?P<role>[^/\n]{2,60})$", re.S)
_GLUED_ROLE = re.compile(r"^(?P<url>\S+?)[-–](?P<role>[^/\-–]{2,60})$", re.S)
_URLISH = re.compile(r"(?:https?://|www\.|\b[\w-]+\.(?:com|vn|net|org|me|gov|edu|info)\b)", re.I)
_YEAR = re.compile(r"^(19|20)\d\d$")
_MONTH_YEAR = re.compile(r"^\d{1,2}[/.\-](19|20)\d\d$")
FORMULA_MESSAGE = "Ô chứa công thức; hãy nhập giá trị (dán dạng giá trị) thay vì công thức."


@dataclass(slots=True)
class Row:
    sheet: str
    excel_row: int
    cell: str | None = None  # column (2), canonical
    person: str | None = None  # column (3), canonical
    values: dict[str, object] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (column number, message)
    converted: dict[int, str] = field(default_factory=dict)  # column -> legacy encoding
    record_id: str | None = None  # the export's identity column: used only when names repeat


class ValueParser:
    """Parses rows of one form; memoises normalisers of repetitive columns."""

    def __init__(self, form: Form, formulas: dict[str, set[tuple[int, int]]],
                 columns: dict[str, dict[int, int]], encoding: vn_legacy.FileEncoding) -> None:
        self.form = form
        self.formulas = formulas  # sheet -> {(Excel row, 0-based column)}
        self.columns = columns  # sheet -> {number: 0-based column}
        self.encoding = encoding
        self.rules = form.model.RULES
        self.numbers = {c.field: c.number for c in form.columns if c.field}
        for name, rule in self.rules.items():
            match = _LABEL_NUMBER.match(rule.label)
            if match:
                self.numbers.setdefault(name, int(match[1]))
        self._normalise = normalize.Memo(50_000)  # repetitive columns: each distinct value once
        self.today = normalize.today()  # Vietnam's date, read once per file
        self._converted: dict[str, tuple[str, str | None]] = {}
        self.data_columns = [c for c in form.columns if c.number != 1]  # (1) STT is not stored
        # what the row loop needs of each column and rule, looked up once
        self._plan = [(c.number, c.kind, c.field, c) for c in self.data_columns]
        self._rules = [(name, rule, self.numbers.get(name), self.numbers.get(name, 0))
                       for name, rule in self.rules.items() if name not in ("url", "admin_role")]

    def parse(self, raw: RawRow) -> Row:
        row = Row(raw.sheet, raw.excel_row, record_id=raw.record_id)
        formulas = self.formulas.get(raw.sheet)
        where = self.columns.get(raw.sheet, {}) if formulas else None
        cells, values, converted_memo = raw.cells, row.values, self._converted
        for number, kind, name, column in self._plan:
            value = cells.get(number, "")
            if formulas and (raw.excel_row, where.get(number)) in formulas:
                row.errors.append((number, f"({number}) {column.header}: {FORMULA_MESSAGE}"))
                continue
            if value.__class__ is str:
                if value and (value[0] == "=" or value[0].isspace()) and value.lstrip().startswith("="):
                    row.errors.append((number, f"({number}) {column.header}: {FORMULA_MESSAGE}"))
                    continue
                if not value.isascii():
                    converted = converted_memo.get(value)
                    if converted is None:  # names, cells, positions repeat: each text once
                        converted = self.encoding.convert(value)
                        if len(converted_memo) < 50_000:
                            converted_memo[value] = converted
                    value, found = converted
                    if found:
                        row.converted[number] = found
            elif value.__class__ is float and value.is_integer() and abs(value) < 1e15:
                value = int(value)  # whole numbers as a person typed them, without ``.0``
            if kind == "text" or kind == "position":
                values[name] = None if value == "" else value
            else:
                self._read(row, column, value)
        self._apply_rules(row)
        if self.form.kind == "social":
            self._link(row)
        self._cross_checks(row)
        return row

    def _read(self, row: Row, column: Column, raw: object) -> None:
        if column.kind in ("cell", "person"):
            value = self._normalise(normalize.name, raw)
            if value is None:
                row.errors.append((column.number, f"({column.number}) {column.header}: bắt buộc phải nhập."))
            setattr(row, column.kind, value)
        elif column.kind == "date":
            try:
                row.values[column.field] = normalize.to_datetime(self._normalise(_date, raw))
            except normalize.NormalizeError as exc:
                row.errors.append((column.number, f"({column.number}) {column.header}: {exc}"))
        elif column.kind == "link":
            row.values["_link"] = raw
        else:
            row.values[column.field] = None if raw == "" else raw

    def _apply_rules(self, row: Row) -> None:
        values = row.values
        flagged = {col for col, _ in row.errors} if row.errors else ()  # one reason per cell
        for name, rule, number, column in self._rules:
            if flagged and number in flagged:
                continue
            raw = values.get(name)
            if rule.normalizer is not None and raw is not None and raw != "" and raw != []:
                try:
                    raw = values[name] = self._normalise(rule.normalizer, raw)
                except normalize.NormalizeError as exc:
                    row.errors.append((column, f"{rule.label}: {exc}"))
                    continue
            if rule.required and (raw is None or raw == "" or raw == []):
                row.errors.append((column, f"{rule.label}: bắt buộc phải nhập."))

    def _link(self, row: Row) -> None:
        if 7 in {col for col, _ in row.errors}:
            row.values.pop("_link", None)
            return
        platform = row.values.get("platform") if 5 not in {c for c, _ in row.errors} else None
        try:
            row.values.update(split_link(row.values.pop("_link", None), platform))
        except normalize.NormalizeError as exc:
            row.errors.append((7, f"{self.form.label('url')}: {exc}"))

    def _cross_checks(self, row: Row) -> None:
        start, end = row.values.get("established_on"), row.values.get("expires_on")
        model = self.form.model  # the model's own messages, on their official columns
        if start and end and end < start:
            row.errors.append((self.numbers["expires_on"], model.check_after({"established_on": start, "expires_on": end})["expires_on"]))
        if start and start.date() > self.today:
            row.errors.append((self.numbers["established_on"], model.check_before({"established_on": start})["established_on"]))


def _date(raw: object) -> dt.date | None:
    """A date; a year alone (``2021``, typed as a number or text) or a month/year is never
    read as a date: Excel would take 2021 for the serial of 13/07/1905."""
    if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer() \
            and 1900 <= raw <= 2100:
        raise normalize.NormalizeError(f"chỉ có năm “{int(raw)}”; hãy ghi đủ ngày/tháng/năm (dd/mm/yyyy).")
    text = normalize.text(raw) if isinstance(raw, str) else None
    if text and _YEAR.match(text):
        raise normalize.NormalizeError(f"chỉ có năm “{text}”; hãy ghi đủ ngày/tháng/năm (dd/mm/yyyy).")
    if text and _MONTH_YEAR.match(text):
        raise normalize.NormalizeError(f"chỉ có tháng/năm “{text}”; hãy ghi đủ ngày/tháng/năm (dd/mm/yyyy).")
    return normalize.date(raw)


def split_link(raw: object, platform: str | None = None) -> dict[str, object]:
    """Column (7) of form 2: ``URL``, or ``URL (role)``, ``URL - role``, ``URL`` and the role
    on the next line for a page or group; ``@handle`` / a Zalo number on a known platform.
    Two addresses in one cell, spaces inside an address, a bare platform host: errors."""
    text = normalize.multiline(raw) if raw not in (None, "") else None
    if not text:
        return {"url": None}
    url, role = text, None
    for pattern in (_BRACKET_ROLE, _DASH_ROLE, _GLUED_ROLE):
        match = pattern.match(text)
        if match and not _URLISH.search(match["role"]) and (pattern is not _GLUED_ROLE
                                                             or normalize.fold(match["role"]) in _ROLES):
            url, role = match["url"].strip(), normalize.text(match["role"])
            break
    if url.count("://") > 1 or sum(1 for part in url.split() if _URLISH.search(part)) > 1:
        raise normalize.NormalizeError("có nhiều hơn một đường dẫn trong một ô; hãy ghi mỗi tài khoản một dòng.")
    profile = platforms.profile_url(url, platform)
    if profile:
        url = profile
    elif re.search(r"\s", url):
        raise normalize.NormalizeError(f"có khoảng trắng trong đường dẫn “{url}”; hãy sửa lại cho đúng.")
    elif url.startswith("@"):
        raise normalize.NormalizeError(f"“{url}” không phải đường dẫn; chỉ đổi được thành địa chỉ khi cột (5) "
                                       "ghi rõ mạng xã hội (Facebook, TikTok, …).")
    url = normalize.url(url)
    if platforms.is_bare_host(url):
        raise normalize.NormalizeError(f"“{url}” chỉ là tên miền của mạng xã hội, thiếu địa chỉ tài khoản/trang/nhóm.")
    if role is None:
        return {"url": url, "link_type": "personal", "admin_role": None}
    kind = "group" if re.search(r"/(groups?|g)/", url, re.I) else "page"
    return {"url": url, "admin_role": _ROLES.get(normalize.fold(role), role), "link_type": kind}


def plain(value: object) -> object:
    """Reader values as a person typed them: whole numbers without ``.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value
