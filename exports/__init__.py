"""Pure xlsx writers for the official layouts and the reports: rows in, a workbook out.

No Flask and no database here: :mod:`services.reports` runs the scoped queries and
hands the rows over; the tables of the official forms are declared in :mod:`models.layouts`.
"""

from models.layouts import FORM1, FORM2, FORMS, FormLayout

from .forms import form_cells, write_form
from .layouts import TitleBlock
from .reports import Table, write_report
from .xlsx import XLSX_MIMETYPE, ExportError

__all__ = ["FORM1", "FORM2", "FORMS", "XLSX_MIMETYPE", "ExportError", "FormLayout", "Table", "TitleBlock",
           "form_cells", "write_form", "write_report"]
