"""Import of the member roster (the layout :data:`models.layouts.ROSTER`, as exported), through
the same pipeline stages as forms 1 and 2 (:mod:`imports.service`): package checks
(:mod:`imports.package`), the reader in a child process under a memory ceiling
(:mod:`imports.workbook`), every visible sheet with a roster header, the data rows of
:mod:`imports.rows`, formula cells refused and legacy-font text converted as in
:mod:`imports.values`, cells matched by :class:`imports.people.Matcher`. Every message
names its sheet, row and column; nothing is written on a dry run or before the whole file
has been read and planned.

Natural key: the party card number when present (unique in the register), otherwise
full name (:func:`models.normalize.name_key`: every diacritic counts, the tone mark's
placement does not, and a placement-only difference is not an update) + date of birth +
cell; a newcomer whose name differs from a member's of that cell and birth date only by
diacritics is a row error (possibly the same person), never a silent merge or creation.
An empty cell leaves the stored value as it is, so a roster exported and imported back
changes nothing. The roster's own value vocabularies
(gender, status, party membership as the export prints them) are read here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bson import ObjectId
from mongoengine import ValidationError

from models import Member, Organisation, normalize, vn_legacy
from models.layouts import ROSTER
from models.member import GENDERS, LEFT_STATUSES, STATUSES
from services import members

from . import layouts, people, workbook
from .errors import ImportFileError, Limits, PlanChanged
from .header import SEARCH_ROWS, Header, numbering
from .layouts import header_key
from .plan import Action, choose_cells, fingerprint, same_text, stored_problem
from .rows import RawRow
from .service import Importer, Summary, learn_aliases, owned_rows, unknown_cells
from .values import FORMULA_MESSAGE, plain

FORM = ROSTER
NAME = ROSTER.name
_BY_FIELD = {c.field: c.number for c in FORM.columns if c.field}
_FIELDS = ("full_name", "date_of_birth", "gender", "position", "admission_date", "official_date",
           "party_card_number", "status", "is_party_member", "phone", "email")
_GENDERS = {header_key(label): key for key, label in GENDERS} | {"nu": "nu", "nam": "nam"}
_STATUSES = {header_key(label): key for key, label in STATUSES}
_PARTY = {"dangvien": True, "khongphaidangvien": False, "co": True, "khong": False,
          "chuaro": False}  # "chưa rõ": not counted as a party member (status "chưa rõ" says the rest)
_CELL = _BY_FIELD["org_name"]
_COUNTERS = {"create": "created", "update": "updated", "unchanged": "unchanged"}


class RowError(ValueError):
    def __init__(self, number: int, message: str) -> None:
        super().__init__(f"({number}) {FORM.columns[number - 1].header}: {message}")
        self.number = number


def find_header(sheet: workbook.Sheet) -> Header | None:
    """The roster header of one sheet (its texts, or a numbering row under unknown texts);
    None when the sheet has none. Raises ImportFileError when a column is missing."""
    for r in range(min(len(sheet.rows), SEARCH_ROWS)):
        columns: dict[int, int] = {}
        for i, value in enumerate(sheet.rows[r]):
            number = layouts.match_header(value, FORM) if isinstance(value, str) and value.strip() else None
            if number and number not in columns:
                columns[number] = i
        if len(columns) < 4 or 2 not in columns:
            continue
        missing = [c for c in FORM.columns if c.required and c.number not in columns]
        if missing:
            raise ImportFileError(f"{NAME}, trang “{sheet.name}”: dòng tiêu đề (dòng {r + 1}) thiếu cột "
                                  + ", ".join(f"({c.number}) {c.header}" for c in missing) + ".")
        last = r + 2 if r + 1 < len(sheet.rows) and numbering(sheet.rows[r + 1]) else r + 1
        title = [v.strip() for row in sheet.rows[:r] for v in row if isinstance(v, str) and v.strip()]
        return Header(FORM, sheet.name, last, columns, title)
    return None


def _text(value: Any) -> str | None:
    return normalize.text(plain(value))  # a card number typed as a number has no ".0"


def _value(name: str, raw: Any) -> Any:
    if name in ("date_of_birth", "admission_date", "official_date"):
        return normalize.to_datetime(normalize.date(raw))
    if name == "phone":
        return normalize.phone(plain(raw))
    if name == "email":
        return normalize.email(raw)
    if name in ("gender", "status", "is_party_member"):
        table = {"gender": _GENDERS, "status": _STATUSES, "is_party_member": _PARTY}[name]
        key = header_key(raw)
        if key not in table:
            raise normalize.NormalizeError(f"giá trị “{normalize.text(raw)}” không có trong danh mục.")
        return table[key]
    return _text(raw)


class _Parser:
    """One raw row -> field values and the cell's name; formula cells and legacy-font
    text handled as :class:`imports.values.ValueParser` does for forms 1 and 2."""

    def __init__(self, tables: list[tuple[workbook.Sheet, Header]], encoding: vn_legacy.FileEncoding) -> None:
        self.formulas = {s.name: s.formulas for s, _ in tables}
        self.columns = {s.name: h.columns for s, h in tables}
        self.encoding = encoding
        self.conversions: dict[str, int] = {}

    def cells(self, raw: RawRow) -> dict[int, Any]:
        formulas, where = self.formulas.get(raw.sheet) or (), self.columns.get(raw.sheet, {})
        out = {}
        for number, value in raw.cells.items():
            if (raw.excel_row, where.get(number)) in formulas or (
                    isinstance(value, str) and value.lstrip().startswith("=")):
                raise RowError(number, FORMULA_MESSAGE)
            if isinstance(value, str) and not value.isascii():
                value, found = self.encoding.convert(value)
                if found:
                    name = vn_legacy.NAMES[found]
                    self.conversions[name] = self.conversions.get(name, 0) + 1
            out[number] = value
        return out

    def parse(self, raw: RawRow) -> tuple[dict[str, Any], str | None, dict[str, tuple[int, str, Any]]]:
        """Values by field name (only the cells that hold something), the cell's name, and the
        cells the member's rules refuse (field -> (column, message, the cell as read)): they
        may print the stored member's own invalid data, which the plan decides on its record."""
        cells = self.cells(raw)
        out: dict[str, Any] = {}
        invalid: dict[str, tuple[int, str, Any]] = {}
        for name in _FIELDS:
            number = _BY_FIELD.get(name) or _BY_FIELD["party"]
            value = cells.get(number)
            if value in (None, ""):
                continue
            try:
                out[name] = _value(name, value)
            except normalize.NormalizeError as exc:
                if name not in Member.RULES:
                    raise RowError(number, str(exc)) from None
                invalid[name] = (number, str(exc), plain(value))
        if not out.get("full_name"):
            raise RowError(2, "bắt buộc phải nhập.")
        problems = Member.date_problems(out)  # the member form's rule
        if problems:
            name = next(n for n, _ in Member.DATES if n in problems)
            raise RowError(_BY_FIELD[name], " ".join(m.split(": ", 1)[-1] if n == name else m
                                                     for n, m in problems.items()))
        return out, _text(cells.get(_CELL)), invalid


class _Known:
    """The target subtree's people by natural key, loaded once (one indexed query)."""

    def __init__(self, target: Organisation) -> None:
        self.by_card: dict[str, dict] = {}
        self.by_person: dict[tuple, dict] = {}
        self.by_id: dict[ObjectId, dict] = {}
        self.loose: dict[tuple, list[dict]] = {}
        self.phones: dict[str, list[dict]] = {}
        fields = ("organisation", "org_name", "full_name", "quality_issues", *_FIELDS)
        for doc in Member.objects(scope=target.pk, deleted_at=None).only(*fields).as_pymongo():
            if doc.get("party_card_number"):
                self.by_card[doc["party_card_number"]] = doc
            self.by_person[self.key(doc["organisation"], doc["full_name"], doc.get("date_of_birth"))] = doc
            self.by_id[doc["_id"]] = doc
            loose = (doc["organisation"], normalize.loose_name_key(doc["full_name"]), doc.get("date_of_birth"))
            self.loose.setdefault(loose, []).append(doc)
            if doc.get("phone"):
                self.phones.setdefault(doc["phone"], []).append(doc)

    @staticmethod
    def key(cell: ObjectId, name: str, born: Any) -> tuple:
        return cell, normalize.name_key(name), born  # the one identity of a name (as forms 1 and 2)

    def similar(self, cell: ObjectId, name: str, born: Any, phone: str | None) -> list[dict]:
        """Possible duplicates of someone new, as the preview lists them: members of the cell
        born the same day whose name differs only by diacritics, and members of the subtree
        with the same phone number."""
        out = [_brief(d, "cùng ngày sinh, họ tên chỉ khác dấu")
               for d in self.loose.get((cell, normalize.loose_name_key(name), born), [])]
        seen = {b["id"] for b in out}
        out += [_brief(d, "cùng số điện thoại") for d in self.phones.get(phone or "", []) if str(d["_id"]) not in seen]
        return out


def _brief(doc: dict, why: str) -> dict:
    return {"id": str(doc["_id"]), "name": doc["full_name"], "cell": doc.get("org_name", ""), "why": why}


class RosterImporter(Importer):
    """The roster through the one import run (:class:`imports.service.Importer`): its header,
    and its rows -> members (the natural key, the cell, possible duplicates)."""

    not_found = ("Tệp không phải danh sách cán bộ, đảng viên: không tìm thấy dòng tiêu đề "
                 "(STT, Họ và tên, Ngày sinh, Giới tính, Chi bộ, …) ở trang nào")

    def find_header(self, sheet: workbook.Sheet) -> Header | None:
        return find_header(sheet)

    def import_tables(self, book: workbook.Workbook, tables: list, skipped: list[str], target: Organisation,
                      limits: Limits, resolutions: dict[str, str] | None, *, dry_run: bool,
                      expected: str | None = None) -> Summary:
        raw, encoding = owned_rows(tables, target, limits)
        parser = _Parser(tables, encoding)
        summary = Summary("roster", rows=len(raw), dry_run=dry_run, sheets=[s.name for s, _ in tables],
                          hidden=book.hidden, skipped=skipped)
        errors: list[tuple[str, int, int, str]] = []
        cells = _Cells()
        summary.actions = _plan(raw, parser, target, errors, resolutions, summary.candidates, cells)
        summary.unknown_cells = unknown_cells(cells.options, cells.rows, cells.chosen)
        summary.fingerprint = fingerprint(summary.actions, errors, summary.candidates, cells.rows, cells.options)
        if expected and summary.fingerprint != expected:
            raise PlanChanged()  # before anything is written
        summary.conversions = parser.conversions
        if dry_run:
            for action in summary.actions:
                counter = _COUNTERS[action.kind]
                setattr(summary, counter, getattr(summary, counter) + 1)
        else:
            for action, problem in _write(summary.actions):
                if problem:
                    errors.append((action.sheet, action.excel_row, 0, problem))
                else:
                    counter = _COUNTERS[action.kind]
                    setattr(summary, counter, getattr(summary, counter) + 1)
            learn_aliases(cells.chosen)
        summary.people_created = summary.created  # every roster row created is a new person in the list
        summary.errors = self.errors(errors, summary.sheets)
        return summary


IMPORTER = RosterImporter()


def run(data: bytes, target: Organisation, *, dry_run: bool = True, limits: Limits | None = None,
        resolutions: dict[str, str] | None = None, expected: str | None = None) -> Summary:
    """Read, check and plan the roster; unless ``dry_run``, write it (under the import lock).
    ``resolutions``: possible duplicate key -> member id or "new"; ``expected``: the
    preview's fingerprint (see :meth:`imports.service.Importer.run`)."""
    return IMPORTER.run(data, target, dry_run=dry_run, limits=limits, resolutions=resolutions, expected=expected)


class _Cells:
    """Cell names the target does not know, as forms 1/2 have them (:mod:`imports.plan`):
    the target's units offered nearest first, the officer's picks learnt as aliases."""

    def __init__(self) -> None:
        self.options: dict[str, list[dict]] = {}
        self.rows: dict[str, list[tuple[str, int]]] = {}  # the rows waiting on each name
        self.chosen: dict[str, ObjectId] = {}


def _plan(raw: list[RawRow], parser: _Parser, target: Organisation, errors: list[tuple[str, int, int, str]],
          resolutions: dict[str, str] | None = None, candidates: list | None = None,
          cells: _Cells | None = None) -> list[Action]:
    """Each row: an :class:`imports.plan.Action` (``person``: the cell's id; ``existing``: the
    member's id) or an error. ``resolutions``: possible duplicate key -> member id or "new",
    unknown cell name (``cell:<name>``) -> unit id (the officer's choices); the possible
    duplicates met are added to ``candidates``, the unknown cell names to ``cells``."""
    resolutions = resolutions or {}
    candidates = [] if candidates is None else candidates
    cells = _Cells() if cells is None else cells
    known, matcher = _Known(target), people.Matcher(target, set(), set())
    cells.chosen = choose_cells(matcher, target, resolutions)
    seen: dict[object, tuple[str, int]] = {}
    targeted: dict[ObjectId, tuple[str, int]] = {}  # member id -> the row that updates it
    actions = []
    read = []
    for r in raw:
        try:
            read.append((r, *parser.parse(r)))
        except RowError as exc:
            errors.append((r.sheet, r.excel_row, exc.number, str(exc)))
    # cards not held in the target's subtree: who else holds them, in one query for the file
    cards = {v["party_card_number"] for _, v, _, _ in read if v.get("party_card_number")} - known.by_card.keys()
    elsewhere = set(Member.objects(party_card_number__in=list(cards)).distinct("party_card_number")) if cards else set()
    for r, values, cell_name, invalid in read:
        try:
            if not cell_name:
                raise RowError(_CELL, "bắt buộc phải nhập.")
            cell_id, problem = matcher.cell(cell_name)
            if cell_name in matcher.unknown_cells:  # waits for the officer's choice among the target's units
                cells.rows.setdefault(cell_name, []).append((r.sheet, r.excel_row))
            if problem:
                raise RowError(_CELL, problem.split(": ", 1)[-1])
            card = values.get("party_card_number")
            key = card or known.key(cell_id, values["full_name"], values.get("date_of_birth"))
            if key in seen:
                sheet, at = seen[key]
                raise RowError(_BY_FIELD["party_card_number"] if card else 2,
                               f"trùng với dòng {at} (trang “{sheet}”) trong tệp (cùng số thẻ, hoặc cùng họ tên, "
                               "ngày sinh và chi bộ).")
            seen[key] = (r.sheet, r.excel_row)
            stored = known.by_card.get(card) if card else known.by_person.get(key)
            if stored is None and card in elsewhere:
                raise RowError(_BY_FIELD["party_card_number"], "đã thuộc một người ở đơn vị khác.")
            if stored is None and not card and (similar := known.similar(
                    cell_id, values["full_name"], values.get("date_of_birth"), values.get("phone"))):
                stored = _resolve(r, values, cell_id, similar, known, resolutions, candidates)
            if stored is not None and stored["_id"] in targeted:  # e.g. chosen as a possible duplicate
                sheet, at = targeted[stored["_id"]]
                raise RowError(2, f"cùng một người với dòng {at} (trang “{sheet}”) trong tệp.")
            if stored is not None:
                targeted[stored["_id"]] = (r.sheet, r.excel_row)
            action = _action(r, stored, values, cell_id, cell_name)
            if invalid or action.kind == "unchanged":
                _as_stored(action, stored, invalid)
            actions.append(action)
        except RowError as exc:
            errors.append((r.sheet, r.excel_row, exc.number, str(exc)))
    cells.options = dict(matcher.unknown_cells)
    return actions


def _resolve(r: RawRow, values: dict[str, Any], cell: ObjectId, similar: list[dict], known: _Known,
             resolutions: dict[str, str], candidates: list[people.Candidate]) -> dict | None:
    """Someone new who may already be a member: listed for the officer (as forms 1 and 2);
    their choice makes the row an update of that member, or someone new; without a choice
    the row waits (rejected with the reason), never decided silently."""
    born = values.get("date_of_birth")
    candidate = people.Candidate(people.NewPerson(cell, values["full_name"], values.get("position")), similar,
                                 [(r.sheet, r.excel_row)], born.date().isoformat() if born else "-")
    candidates.append(candidate)
    choice = resolutions.get(candidate.key)
    if choice == people.NEW:
        return None
    if choice in {b["id"] for b in similar}:
        return known.by_id[ObjectId(choice)]
    names = "; ".join(f"“{b['name']}” – {b['cell']} ({b['why']})" for b in similar)
    raise RowError(2, f"có thể trùng với {names}: {people.CHOOSE} — là người đó, hoặc là người mới.")


def _action(r: RawRow, stored: dict | None, values: dict[str, Any], cell: ObjectId, cell_name: str) -> Action:
    """``values``: the row as read; ``changes``: what an update writes (field -> (before, after)),
    a move to another cell as ``org_name``."""
    name = values["full_name"]
    if stored is None:
        return Action(r.sheet, r.excel_row, "create", cell, values, name=name)
    changes = {k: (stored.get(k), v) for k, v in values.items() if _changed(k, stored.get(k), v)}
    if stored.get("organisation") != cell:
        changes["org_name"] = (stored.get("org_name"), cell_name)
    return Action(r.sheet, r.excel_row, "update" if changes else "unchanged", cell, values, stored["_id"],
                  changes, name=name)


def _as_stored(action: Action, stored: dict | None, invalid: dict[str, tuple[int, str, Any]]) -> None:
    """Cells the rules refuse are accepted only as the stored member's own invalid data
    (legacy records, ``quality_issues``) printed back unchanged: the row is then unchanged,
    with a warning per invalid cell of the member (to be fixed on the person's record).
    Anything else (someone new, a change, another refused cell) raises the cell's error."""
    flagged = {name: kind for kind, _, name in (c.partition(":") for c in (stored or {}).get("quality_issues") or [])}
    for name, (number, message, value) in invalid.items():
        if action.kind != "unchanged" or name not in flagged or not same_text(value, stored.get(name)):
            raise RowError(number, message)
    for name, kind in flagged.items():
        if name in _BY_FIELD and same_text(invalid.get(name, (0, "", None))[2], stored.get(name)):
            number = _BY_FIELD[name]
            label = f"({number}) {FORM.columns[number - 1].header}"
            action.warnings.append((number, name, stored_problem(label, kind, stored.get(name), person=True)))
    action.warnings.sort()


def _changed(field: str, before: Any, after: Any) -> bool:
    """``Hòa`` -> ``Hoà`` is one name in two conventions, not an update: the stored one stays."""
    if field == "full_name" and before and after:
        return normalize.canonical_tones(before) != normalize.canonical_tones(after)
    return before != after


def _write(actions: list[Action]) -> Iterator[tuple[Action, str | None]]:
    cells = {o.pk: o for o in Organisation.objects(pk__in=list({a.person for a in actions}))}
    for action in actions:
        if action.kind == "unchanged":
            yield action, None
            continue
        if action.existing is None:
            member, written = Member(organisation=cells[action.person]), action.values
        else:
            member = Member.objects.get(pk=action.existing)
            written = {k: after for k, (_before, after) in action.changes.items() if k != "org_name"}
            if "org_name" in action.changes:
                member.organisation = cells[action.person]
        for name, value in written.items():
            setattr(member, name, value)
        if member.status in LEFT_STATUSES and not member.left_on:
            member.left_on = normalize.today_stored()
        try:  # an old roster without dates is not a wave of admissions
            members.save(member, audited=False, quiet_handbook=action.existing is None and not member.admission_date)
        except ValidationError as exc:
            details = "; ".join(str(v) for v in (exc.to_dict() or {}).values()) if exc.errors else exc.message
            yield action, f"Không lưu được: {details}"
        else:
            yield action, None
