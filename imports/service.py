"""Import one workbook into one organisation: read, plan, and (unless a dry run) write.

Nothing is written before the whole file has been read and planned, so a file that
fails as a whole (not a form, hostile, too large) leaves the database untouched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from models import ImportLog, Organisation

from . import write
from .layouts import FORMS
from .lock import import_lock
from .parse import RowParser
from .plan import Planner
from .reader import data_rows, open_table
from .safety import Limits


@dataclass
class Summary:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    people_created: int = 0
    errors: list[dict] = field(default_factory=list)  # {"row", "column", "message"}
    dry_run: bool = True

    @property
    def rejected(self) -> int:
        return len({e["row"] for e in self.errors})

    def as_json(self) -> dict:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "people_created": self.people_created, "errors": self.errors}


def run(data: bytes, kind: str | None, target: Organisation, *, dry_run: bool = True,
        limits: Limits | None = None) -> Summary:
    """Import ``data`` (xlsx bytes) as form ``kind`` ("sites", "social", None = detect).

    Raises :class:`ImportFileError` when the file cannot be used at all."""
    limits = limits or Limits()
    if dry_run:
        return _run(data, kind, target, limits, dry_run=True)
    with import_lock():
        return _run(data, kind, target, limits, dry_run=False)


def _run(data: bytes, kind: str | None, target: Organisation, limits: Limits, *, dry_run: bool) -> Summary:
    table = open_table(data, kind, limits)
    parser = RowParser(table.form, table.formulas)
    planner = Planner(table.form, target)
    for excel_row, cells in data_rows(table, limits):
        planner.add(parser.parse(excel_row, cells))
    plan = planner.plan
    summary = Summary(table.form.kind, rows=plan.rows, dry_run=dry_run)
    if dry_run:
        summary.created, summary.updated = plan.count("create"), plan.count("update")
        summary.unchanged, summary.people_created = plan.count("unchanged"), len(plan.new_people)
    else:
        counts = write.execute(plan, parser.numbers)
        for name, value in counts.items():
            setattr(summary, name, value)
    summary.errors = [{"row": row, "column": f"({col})" if col else "", "message": msg}
                      for row, col, msg in sorted(plan.errors, key=lambda e: (e[0], e[1]))]
    return summary


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


__all__ = ["FORMS", "Summary", "record", "run", "sha256"]
