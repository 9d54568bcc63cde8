"""Import one workbook into one organisation: a pipeline that every row travels down once.

    package checks -> workbook and sheets -> header and layout -> rows -> values
    -> people -> plan -> write

one stage per module (:mod:`imports.package`, :mod:`~imports.workbook`, :mod:`~imports.header`,
:mod:`~imports.rows`, :mod:`~imports.values`, :mod:`~imports.people`, :mod:`~imports.plan`,
:mod:`~imports.write`). The preview renders the plan and nothing else; the confirm builds
the same plan again inside the import lock (against the current database) and writes it
only if it is still what the preview showed (``expected``, :func:`imports.plan.fingerprint`).
Nothing is written before the whole file has been read and planned.
"""

from __future__ import annotations

import gc
import hashlib
from dataclasses import dataclass, field

from models import ImportLog, Organisation, normalize, vn_legacy

from . import header, package, people, plan, rows, values, workbook, write
from .errors import ImportFileError, Limits, PlanChanged
from .layouts import FORM_NAMES
from .lock import import_lock


@dataclass
class Summary:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    people_created: int = 0
    errors: list[dict] = field(default_factory=list)  # {"sheet", "row", "column", "message"}
    dry_run: bool = True
    sheets: list[str] = field(default_factory=list)  # read, in order
    hidden: list[str] = field(default_factory=list)  # hidden sheets, not read
    skipped: list[str] = field(default_factory=list)  # visible sheets without a form header
    conversions: dict[str, int] = field(default_factory=dict)  # encoding name -> cells converted
    candidates: list = field(default_factory=list)  # possible duplicates (people.Candidate)
    actions: list = field(default_factory=list)  # plan.Action, for the preview
    fingerprint: str = ""  # what the preview showed (plan.fingerprint); the confirm must match it
    #: cell names the target does not know: {"name", "rows", "options": [{"id", "name"}], "chosen"}
    unknown_cells: list[dict] = field(default_factory=list)
    #: rows whose file is older than the stored record: plan.Action with ``conflict``, and
    #: who changed the record when ({"who", "at"} by record id)
    conflicts: list = field(default_factory=list)
    changed_by: dict = field(default_factory=dict)
    #: the people the file would create, with their nearest existing people
    new_people: list[dict] = field(default_factory=list)  # {"name", "cell", "rows", "nearest"}

    @property
    def writes(self) -> int:
        """What a confirm would write (records, people, choices waiting): 0 = nothing to do."""
        return self.created + self.updated + self.people_created + len(self.candidates) + len(self.unknown_cells) \
            + len(self.conflicts)

    @property
    def rejected(self) -> int:
        return len({(e["sheet"], e["row"]) for e in self.errors})

    def as_json(self) -> dict:
        """The JSON contract (README); the lists of choices only when there are any."""
        out = self._json()
        return {k: v for k, v in out.items() if v or k not in ("unknown_cells", "conflicts", "new_people", "warnings")}

    @property
    def warnings(self) -> list[dict]:
        """Unchanged rows that print a stored record's own invalid data: each invalid cell,
        with the record (or, for the person's own cells, the member) to fix."""
        return [{"sheet": a.sheet, "row": a.excel_row, "column": f"({col})" if col else "", "field": name,
                 "message": message, "name": a.name, "url": str(a.values.get("url") or a.values.get("domain") or ""),
                 "record": str(a.existing), "member": str(a.existing) if self.kind == "roster" else (
                     str(a.person) if name in plan.OWNER_FIELDS else None)}
                for a in self.actions if a.warnings for col, name, message in a.warnings]

    def _json(self) -> dict:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "people_created": self.people_created, "errors": self.errors,
                "candidates": [{"key": c.key, "name": c.person.name,
                                "rows": [{"sheet": sheet, "row": row} for sheet, row in c.rows],
                                "members": [dict(m) for m in c.members]} for c in self.candidates],
                "unknown_cells": [dict(u) for u in self.unknown_cells],
                "conflicts": [{"key": f"conflict:{a.existing}", "sheet": a.sheet, "row": a.excel_row, "name": a.name,
                               "file_date": a.file_date.isoformat(), "stored_date": a.stored_date.isoformat(),
                               "changes": {k: [str(b), str(v)] for k, (b, v) in a.changes.items()}}
                              for a in self.conflicts],
                "new_people": [dict(p) for p in self.new_people], "warnings": self.warnings}


class Importer:
    """One kind of workbook (a layout of :mod:`models.layouts`) imported into one organisation.

    The same for every kind: the run (the import lock around a write, the memos cleared and
    the cyclic collector paused), the package checks and the reader, the sheets that carry
    the layout's header (the others skipped by name), the rejected rows in file order.
    The hooks are what differs: ``find_header`` (which rows of a sheet are the layout's
    header) and ``import_tables`` (rows -> records: the row's mapping to the record, its key,
    the people it names; then the plan, the fingerprint and, unless a dry run, the write)."""

    not_found = ""  # why a file without any header is refused (Vietnamese)

    def run(self, data: bytes, target: Organisation, *, dry_run: bool = True, limits: Limits | None = None,
            resolutions: dict[str, str] | None = None, expected: str | None = None) -> Summary:
        """Read, check and plan ``data`` (.xlsx, .xls or .ods bytes); unless ``dry_run``, write it.
        ``resolutions``: the officer's choices and corrections; ``expected``: the preview's
        ``Summary.fingerprint`` (the confirm writes nothing and raises :class:`PlanChanged` if the
        plan is no longer what the preview showed).

        Raises :class:`ImportFileError` when the file cannot be used at all."""
        limits = limits or Limits()
        # The pipeline allocates a few objects per cell and frees them by reference counting;
        # the cyclic collector would walk them all again and again (a third of the CPU of a
        # large file). It is paused for the import and resumes (and catches up) afterwards.
        collecting = gc.isenabled()
        gc.disable()
        try:
            if dry_run:
                return self._read(data, target, limits, resolutions, dry_run=True)
            with import_lock():
                return self._read(data, target, limits, resolutions, dry_run=False, expected=expected)
        finally:
            normalize.clear_caches()  # the memos served this file; a worker keeps none of it
            if collecting:
                gc.enable()

    def _read(self, data: bytes, target: Organisation, limits: Limits, resolutions: dict[str, str] | None, *,
              dry_run: bool, expected: str | None = None) -> Summary:
        book = workbook.read(data, package.check(data, limits), limits)
        tables, skipped = self.tables(book)
        return self.import_tables(book, tables, skipped, target, limits, resolutions, dry_run=dry_run,
                                  expected=expected)

    def tables(self, book: workbook.Workbook) -> tuple[list, list[str]]:
        """Every visible sheet with the layout's header (all of one layout); the others by name."""
        tables, skipped = [], []
        for sheet in book.sheets:
            found = self.find_header(sheet)
            if found is None or (tables and found.form is not tables[0][1].form):
                skipped.append(sheet.name)
                continue
            tables.append((sheet, found))
        if not tables:
            hidden = f" (các trang ẩn không được đọc: {', '.join(book.hidden)})" if book.hidden else ""
            raise ImportFileError(f"{self.not_found}{hidden}.")
        return tables, skipped

    def find_header(self, sheet: workbook.Sheet) -> header.Header | None:
        raise NotImplementedError

    def import_tables(self, book: workbook.Workbook, tables: list, skipped: list[str], target: Organisation,
                      limits: Limits, resolutions: dict[str, str] | None, *, dry_run: bool,
                      expected: str | None = None) -> Summary:
        raise NotImplementedError

    @staticmethod
    def errors(found: list[tuple[str, int, int, str]], sheets: list[str],
               who: dict[tuple[str, int], tuple[str, str]] | None = None) -> list[dict]:
        """The rejected rows' reasons, in file order (sheet, row, column); with ``who``, each with
        the row's name and key (URL / domain)."""
        order = {name: i for i, name in enumerate(sheets)}
        out = []
        for sheet, row, col, msg in sorted(found, key=lambda e: (order.get(e[0], 0), e[1], e[2])):
            entry = {"sheet": sheet, "row": row, "column": f"({col})" if col else "", "message": msg}
            if who is not None:
                name, key = who.get((sheet, row), ("", ""))
                entry |= {"name": name, "url": key}
            out.append(entry)
        return out


class FormImporter(Importer):
    """Forms 1 and 2 (``kind`` "sites", "social", or None: whichever the header is)."""

    not_found = ("Tệp không phải Biểu mẫu 1 hoặc Biểu mẫu 2: không tìm thấy dòng tiêu đề "
                 "(STT, Chi bộ, Họ và tên, …) theo mẫu của Hướng dẫn 1150-CV/HU ở trang nào")

    def __init__(self, kind: str | None = None) -> None:
        self.kind = kind

    def find_header(self, sheet: workbook.Sheet) -> header.Header | None:
        return header.find(sheet, self.kind)

    def import_tables(self, book: workbook.Workbook, tables: list, skipped: list[str], target: Organisation,
                      limits: Limits, resolutions: dict[str, str] | None, *, dry_run: bool,
                      expected: str | None = None) -> Summary:
        return _run(book, tables, skipped, target, limits, resolutions, dry_run=dry_run, expected=expected)


def run(data: bytes, kind: str | None, target: Organisation, *, dry_run: bool = True,
        limits: Limits | None = None, resolutions: dict[str, str] | None = None,
        expected: str | None = None) -> Summary:
    """Import ``data`` as form ``kind`` ("sites", "social", None = detect): see :meth:`Importer.run`."""
    return FormImporter(kind).run(data, target, dry_run=dry_run, limits=limits, resolutions=resolutions,
                                  expected=expected)


def owned_rows(tables: list, target: Organisation, limits: Limits) -> tuple[list, vn_legacy.FileEncoding]:
    """The data rows of the sheets read, once each sheet's title block is known to be the
    target's, and the file's legacy-font evidence gathered over all of them."""
    encoding = owned_encoding(tables, target, limits)
    return list(data_rows(tables, limits)), encoding


def owned_encoding(tables: list, target: Organisation, limits: Limits) -> vn_legacy.FileEncoding:
    """Whose file (each sheet's title block), then the file's legacy-font evidence from every
    data row: a first pass that keeps nothing, so that the rows can then be read one at a
    time (a cell too short to decide alone follows the whole file)."""
    for _sheet, found in tables:
        people.check_owner(found.title, target)
    encoding = vn_legacy.FileEncoding()
    for r in data_rows(tables, limits):
        for value in r.cells.values():
            encoding.observe(value)
    return encoding


def data_rows(tables: list, limits: Limits, release: bool = False):
    return (r for sheet, found in tables for r in rows.data_rows(sheet, found, limits, release))


def _run(book: workbook.Workbook, tables: list, skipped: list[str], target: Organisation, limits: Limits,
         resolutions: dict[str, str] | None, *, dry_run: bool, expected: str | None = None) -> Summary:
    form = tables[0][1].form
    encoding = owned_encoding(tables, target, limits)
    parser = values.ValueParser(form, {s.name: s.formulas for s, _ in tables},
                                {s.name: h.columns for s, h in tables}, encoding)
    # the file's own "Cập nhật đến ngày …", from the rows above each header (before the grids go)
    as_of = {found.sheet: plan.file_date(header.title_of(sheet.rows[:found.row])) for sheet, found in tables}
    fixes = corrections(resolutions)
    if fixes:
        parsed = [parser.parse(_corrected(r, fixes, parser)) for r in data_rows(tables, limits, release=True)]
    else:
        parsed = [parser.parse(r) for r in data_rows(tables, limits, release=True)]  # raw rows never all held
    for sheet in book.sheets:  # every cell is in ``parsed`` now: the sheets' grids can go
        sheet.rows = []
    cells = {r.cell for r in parsed if r.cell}
    chosen = {k[5:]: v for k, v in (resolutions or {}).items() if k.startswith("cell:")}
    matcher = people.Matcher(target, cells, {r.person for r in parsed if r.person}, chosen)
    people.check_cells(matcher, cells, target)
    built = plan.build(form, target, parsed, matcher, resolutions, keep=not dry_run, as_of=as_of)
    shown = plan.fingerprint(built.actions, built.errors, built.candidates, built.cell_rows, built.unknown_cells)
    if expected and shown != expected:
        raise PlanChanged()  # before anything is written
    summary = Summary(form.kind, rows=built.rows, dry_run=dry_run, sheets=[s.name for s, _ in tables],
                      hidden=book.hidden, skipped=skipped, candidates=built.candidates, actions=built.actions,
                      fingerprint=shown)
    describe(summary, built)
    for r in parsed:
        for found in r.converted.values():
            name = vn_legacy.NAMES[found]
            summary.conversions[name] = summary.conversions.get(name, 0) + 1
    if dry_run:
        summary.created, summary.updated = built.count("create"), built.count("update")
        summary.unchanged, summary.people_created = built.count("unchanged"), len(built.new_people)
    else:
        for name, value in write.execute(built).items():
            setattr(summary, name, value)
        learn_aliases(built.chosen_cells)
    summary.errors = errors_of(built, summary.sheets)
    return summary


#: a rejected row's cell corrected on the preview: ``fix:<sheet>|<Excel row>|<column number>``
FIX = "fix:"


def corrections(resolutions: dict[str, str] | None) -> dict[tuple[str, int], dict[int, str]]:
    """The officer's corrections of rejected cells: (sheet, Excel row) -> {official column: value}."""
    out: dict[tuple[str, int], dict[int, str]] = {}
    for key, value in (resolutions or {}).items():
        if not key.startswith(FIX):
            continue
        parts = key[len(FIX):].rsplit("|", 2)
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            out.setdefault((parts[0], int(parts[1])), {})[int(parts[2])] = str(value)[:2000]
    return out


def _corrected(raw: rows.RawRow, fixes: dict, parser: values.ValueParser) -> rows.RawRow:
    """The row with the officer's corrections in place of the file's cells (a corrected
    formula cell is a value now)."""
    for number, value in fixes.get((raw.sheet, raw.excel_row), {}).items():
        raw.cells[number] = value
        column = parser.columns.get(raw.sheet, {}).get(number)
        parser.formulas.get(raw.sheet, set()).discard((raw.excel_row, column))
    return raw


def errors_of(built: plan.Plan, sheets: list[str]) -> list[dict]:
    """The rejected rows' reasons, in file order, each with the row's name and URL."""
    return Importer.errors(built.errors, sheets, built.who)


def describe(summary: Summary, built: plan.Plan) -> None:
    """What the preview shows beside the counts: unknown cells with the target's units
    (nearest first), conflicts with who changed the record when, new people with their
    nearest existing people (one audit query for the conflicts, none otherwise)."""
    summary.unknown_cells = unknown_cells(built.unknown_cells, built.cell_rows, built.chosen_cells)
    summary.conflicts = built.conflicts
    if summary.conflicts:
        from models import AuditEntry

        ids = [str(a.existing) for a in summary.conflicts]
        entries = AuditEntry.objects(record_ids__in=ids).order_by("-at").only("at", "username", "record_ids")
        for entry in entries.limit(10 * len(ids)).as_pymongo():
            for rid in entry.get("record_ids") or []:
                if rid in ids and rid not in summary.changed_by:
                    summary.changed_by[rid] = {"who": entry.get("username") or "", "at": entry["at"]}
    for person, at in list(built.new_people.items())[:people.NEAREST_FOR]:
        summary.new_people.append({"name": person.name, "cell": built.cell_name(person.cell_id), "rows": len(at),
                                   "nearest": built.nearest.get(person, [])})


def unknown_cells(options: dict[str, list[dict]], rows: dict[str, list], chosen: dict) -> list[dict]:
    """The preview's unknown cell names: rows waiting, the target's units nearest first, the
    officer's pick (forms 1/2 and the roster)."""
    return [{"name": name, "rows": len(rows.get(name, [])), "options": found,
             "chosen": str(chosen[name]) if chosen.get(name) else None} for name, found in options.items()]


def learn_aliases(chosen: dict) -> None:
    """The officer's answers for unknown cell names become those units' aliases (later
    imports of the whole unit read them; editable on the unit's page)."""
    for name, cell_id in chosen.items():
        alias = normalize.text(name)
        if alias:
            Organisation.objects(pk=cell_id).update_one(add_to_set__aliases=alias)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record(summary: Summary, target: Organisation, data: bytes, filename: str, *,
           user: object = None, source: str = "web") -> ImportLog:
    """Keep a trace of a confirmed import: who, when, which file, what happened."""
    log = ImportLog(user=user, username=getattr(user, "username", None) or source, source=source,
                    organisation=target, kind=summary.kind, filename=(filename or "")[:255],
                    sha256=sha256(data), rows=summary.rows, created=summary.created,
                    updated=summary.updated, unchanged=summary.unchanged, rejected=summary.rejected,
                    people_created=summary.people_created)
    log.save()
    return log


__all__ = ["FORM_NAMES", "FormImporter", "Importer", "Summary", "record", "run", "sha256"]
