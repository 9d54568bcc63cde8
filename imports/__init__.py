"""Import of the official forms 1 and 2 as committees keep them (no Flask in here).

``run(data, kind, organisation, dry_run=...)`` reads and checks a workbook (.xlsx, .xls,
.ods), matches its rows to people of the organisation's subtree and upserts the records;
``ImportFileError`` means the file could not be used at all (nothing was written).
The stages, in the order a row travels: see :mod:`imports.service`.
"""

from .errors import ImportFileError, Limits, PlanChanged
from .report import error_report
from .service import Summary, record, run, sha256

__all__ = ["ImportFileError", "Limits", "PlanChanged", "Summary", "error_report", "record", "run", "sha256"]
