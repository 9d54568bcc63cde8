"""Import of the official forms 1 and 2 as committees keep them (no Flask in here).

``run(data, kind, organisation, dry_run=...)`` reads and checks a workbook, matches its
rows to people of the organisation's subtree and upserts the records;
``ImportFileError`` means the file could not be used at all (nothing was written).
"""

from .report import error_report
from .safety import ImportFileError, Limits
from .service import Summary, record, run, sha256

__all__ = ["ImportFileError", "Limits", "Summary", "error_report", "record", "run", "sha256"]
