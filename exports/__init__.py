"""Pure xlsx writers for the official layouts and the reports: rows in, a workbook out.

No Flask and no database here: :mod:`services.reports` runs the scoped queries and
hands the rows over; :mod:`exports.layouts` holds the official texts as data.
"""

from .forms import form_cells, write_form
from .layouts import FORM1, FORM2, FORMS, FormLayout, TitleBlock
from .reports import Table, write_report
from .xlsx import XLSX_MIMETYPE, ExportError

__all__ = ["FORM1", "FORM2", "FORMS", "XLSX_MIMETYPE", "ExportError", "FormLayout", "Table", "TitleBlock",
           "form_cells", "write_form", "write_report"]
