"""The monthly list of proposals to create and delete handbook accounts, as printed and
signed: the title block, the table, the signature blocks (same sheet machinery as the forms)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from models.layouts import Column

from .layouts import TitleBlock
from .xlsx import Sheet, open_workbook

TITLE = "DANH SÁCH ĐỀ NGHỊ TẠO, XÓA TÀI KHOẢN NỀN TẢNG SỐ “SỔ TAY ĐẢNG VIÊN ĐIỆN TỬ”"
COLUMNS = (Column("STT", None, 5), Column("Chi bộ", "org_name", 18), Column("Họ và tên", "member_name", 22),
           Column("Số thẻ đảng viên", "party_card_number", 13), Column("Đề nghị", "kind", 16),
           Column("Lý do", "reason", 26), Column("Sự kiện", "event", 20), Column("Ngày", "event_on", 11, "date"),
           Column("Kết quả", "state", 16))


def write_proposals(out: str | IO[bytes], block: TitleBlock, month: str, rows: list[Mapping[str, Any]]) -> None:
    book, formats = open_workbook(out)
    try:
        sheet = Sheet(book, formats, "Đề nghị tài khoản", [c.width for c in COLUMNS])
        sheet.print_setup()
        row = sheet.title_block(block, TITLE, f"(Tháng {month[5:7]} năm {month[:4]})")
        row = sheet.header(row, [c.header for c in COLUMNS])
        for n, data in enumerate(rows, start=1):
            sheet.value(row, 0, n, "cell_center")
            texts = [str(data.get(c.field) or "") for c in COLUMNS[1:]]
            for col, text in enumerate(texts, start=1):
                sheet.text(row, col, text, "cell_center" if COLUMNS[col].kind == "date" else "cell")
            sheet.fit_row(row, texts, 1)
            row += 1
        if not rows:
            sheet.merged(row, 0, len(COLUMNS) - 1, "Không có đề nghị nào trong tháng.", "cell")
            row += 1
        sheet.signature(row, block)
    finally:
        book.close()
