"""The downloadable list of rejected rows (xlsx): every cell written as a string."""

from __future__ import annotations

import io

import xlsxwriter


def error_report(errors: list[dict], filename: str = "") -> bytes:
    """Rows ``{"row", "column", "message"}`` -> xlsx bytes.

    ``write_string`` only: a reason quoting the rejected value (``=HYPERLINK(…)``)
    must stay text, never become a formula or a link."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_urls": False,
                                     "strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Dòng bị từ chối")
    bold = book.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    sheet.write_string(0, 0, f"Các dòng không nhập được từ tệp {filename}".strip(), book.add_format({"bold": True}))
    for col, (title, width) in enumerate((("Dòng trong tệp", 12), ("Cột", 8), ("Lý do", 90))):
        sheet.write_string(2, col, title, bold)
        sheet.set_column(col, col, width)
    for i, error in enumerate(errors, start=3):
        sheet.write_string(i, 0, str(error["row"]), wrap)
        sheet.write_string(i, 1, str(error["column"]), wrap)
        sheet.write_string(i, 2, str(error["message"])[:32000], wrap)
    book.close()
    return out.getvalue()
