"""The downloadable list of rejected rows (xlsx): every cell written as a string."""

from __future__ import annotations

import io

import xlsxwriter


def error_report(errors: list[dict], filename: str = "") -> bytes:
    """Errors ``{"sheet", "row", "name", "url", "column", "message"}`` -> xlsx bytes, one line
    per error (a row with two errors has two lines).

    ``write_string`` only: a reason quoting the rejected value (``=HYPERLINK(…)``)
    must stay text, never become a formula or a link."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_urls": False,
                                     "strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Dòng bị từ chối")
    bold = book.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    sheet.write_string(0, 0, f"Các dòng không nhập được từ tệp {filename}".strip(), book.add_format({"bold": True}))
    titles = (("Trang tính", 16), ("Dòng trong tệp", 10), ("Họ và tên", 24), ("Đường dẫn / tên miền", 36),
              ("Cột", 6), ("Lý do", 80))
    for col, (title, width) in enumerate(titles):
        sheet.write_string(2, col, title, bold)
        sheet.set_column(col, col, width)
    for i, error in enumerate(errors, start=3):
        for col, key in enumerate(("sheet", "row", "name", "url", "column", "message")):
            sheet.write_string(i, col, str(error.get(key) or "")[:32000], wrap)
    book.close()
    return out.getvalue()
