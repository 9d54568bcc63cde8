"""Import of the official forms 1 and 2, and of the member roster, as committees keep them
(no Flask in here).

``importer(kind).run(data, organisation, dry_run=...)`` (or ``run(data, kind, …)`` for the
forms) reads and checks a workbook (.xlsx, .xls, .ods), matches its rows to people of the
organisation's subtree and upserts the records; ``ImportFileError`` means the file could not
be used at all (nothing was written). The stages, in the order a row travels: see
:mod:`imports.service`.
"""

from . import roster
from .errors import ImportFileError, Limits, PlanChanged
from .report import error_report
from .service import FormImporter, Importer, Summary, record, run, sha256


def importer(kind: str | None) -> Importer:
    """The importer of ``kind``: "sites", "social", None (either form, from its header), "roster"."""
    return roster.IMPORTER if kind == roster.FORM.key else FormImporter(kind)


__all__ = ["FormImporter", "ImportFileError", "Importer", "Limits", "PlanChanged", "Summary", "error_report",
           "importer", "record", "run", "sha256"]
