"""The reports committees send upward, as printable xlsx: one sheet per table, each with
the official title block, a header row, numbered rows, an optional total row and the
signature block. Layouts (titles, headers, widths) are data here too."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from .layouts import TitleBlock
from .xlsx import Sheet, open_workbook

TOTAL_LABEL = "Tổng cộng"


@dataclass
class Table:
    sheet_name: str
    title: str
    subtitle: str
    headers: Sequence[str]  # without the STT column, which is added
    widths: Sequence[float]
    rows: Iterable[Sequence[Any]] = ()
    total: Sequence[Any] | None = None  # same shape as a row; its first cell is replaced by TOTAL_LABEL
    centered: set[int] = field(default_factory=set)  # columns (1-based, after STT) centred


ANNUAL_TITLE = "BÁO CÁO TỔNG SỐ TRANG WEB, BLOG VÀ TÀI KHOẢN MẠNG XÃ HỘI CỦA CÁN BỘ, ĐẢNG VIÊN"
ANNUAL_HEADERS = ("Đơn vị", "Số cán bộ, đảng viên", "Số trang web/blog", "Tổng số tài khoản mạng xã hội")
#: the directive counts non-party civil servants too; the totals keep them apart
ANNUAL_SPLIT_HEADERS = ("Số đảng viên", "Số người không phải đảng viên", "Số trang, tài khoản của đảng viên",
                        "Số trang, tài khoản của người không phải đảng viên")

MONTHLY_TITLE = "BÁO CÁO BIẾN ĐỘNG DANH SÁCH CÁN BỘ, ĐẢNG VIÊN VÀ TÀI KHOẢN"
MONTHLY_HEADERS = ("Đơn vị", "Số người thêm mới", "Số người ra khỏi danh sách", "Số tài khoản mạng xã hội thêm mới",
                   "Số tài khoản mạng xã hội xóa", "Số trang web/blog thêm mới", "Số trang web/blog xóa",
                   "Số người chuyển đến", "Số người chuyển đi")
MONTHLY_DETAIL_TITLE = "DANH SÁCH NGƯỜI VÀ TÀI KHOẢN THÊM MỚI, XÓA TRONG THÁNG"
MONTHLY_DETAIL_HEADERS = ("Đơn vị", "Chi bộ", "Họ và tên", "Cấp bậc, chức vụ", "Biến động", "Nội dung", "Ngày", "Lý do")

QUALITY_TITLE = "BÁO CÁO CHẤT LƯỢNG DỮ LIỆU: HỒ SƠ THIẾU TRƯỜNG BẮT BUỘC HOẶC SAI ĐỊNH DẠNG"
QUALITY_HEADERS = ("Đơn vị", "Số hồ sơ cán bộ, đảng viên có lỗi", "Số trang web/blog có lỗi",
                   "Số tài khoản mạng xã hội có lỗi", "Tổng số hồ sơ có lỗi")
QUALITY_DETAIL_TITLE = "DANH SÁCH HỒ SƠ CẦN BỔ SUNG, SỬA"
QUALITY_DETAIL_HEADERS = ("Đơn vị", "Chi bộ", "Họ và tên", "Loại hồ sơ", "Hồ sơ", "Lỗi cần sửa")

WIDTHS = {"unit": 34, "count": 14, "cell": 18, "name": 22, "text": 36, "date": 12}


def annual_table(subtitle: str, platforms: Sequence[str], rows: Iterable[Sequence[Any]],
                 total: Sequence[Any]) -> Table:
    headers = (*ANNUAL_HEADERS, *(f"Trong đó: {p}" for p in platforms), *ANNUAL_SPLIT_HEADERS)
    widths = (WIDTHS["unit"], *[WIDTHS["count"]] * (len(headers) - 1))
    return Table("Tổng hợp", ANNUAL_TITLE, subtitle, headers, widths, rows, total, set(range(2, len(headers) + 1)))


def monthly_tables(subtitle: str, summary: Iterable[Sequence[Any]], total: Sequence[Any],
                   detail: Iterable[Sequence[Any]]) -> list[Table]:
    counts = set(range(2, len(MONTHLY_HEADERS) + 1))
    widths = (WIDTHS["unit"], *[WIDTHS["count"]] * (len(MONTHLY_HEADERS) - 1))
    detail_widths = (WIDTHS["cell"], WIDTHS["cell"], WIDTHS["name"], WIDTHS["cell"], 18, WIDTHS["text"], WIDTHS["date"], 26)
    return [Table("Tổng hợp", MONTHLY_TITLE, subtitle, MONTHLY_HEADERS, widths, summary, total, counts),
            Table("Chi tiết", MONTHLY_DETAIL_TITLE, subtitle, MONTHLY_DETAIL_HEADERS, detail_widths, detail,
                  None, {6})]


def quality_tables(subtitle: str, summary: Iterable[Sequence[Any]], total: Sequence[Any],
                   detail: Iterable[Sequence[Any]]) -> list[Table]:
    counts = set(range(2, len(QUALITY_HEADERS) + 1))
    widths = (WIDTHS["unit"], *[WIDTHS["count"]] * (len(QUALITY_HEADERS) - 1))
    detail_widths = (WIDTHS["cell"], WIDTHS["cell"], WIDTHS["name"], 16, WIDTHS["text"], 44)
    return [Table("Tổng hợp", QUALITY_TITLE, subtitle, QUALITY_HEADERS, widths, summary, total, counts),
            Table("Chi tiết", QUALITY_DETAIL_TITLE, subtitle, QUALITY_DETAIL_HEADERS, detail_widths, detail)]


def write_report(out: str | IO[bytes], block: TitleBlock, tables: Sequence[Table]) -> None:
    """One sheet per table, each printable on its own."""
    book, formats = open_workbook(out)
    try:
        for table in tables:
            _write_table(Sheet(book, formats, table.sheet_name, [5, *table.widths]), block, table)
    finally:
        book.close()


def _write_table(sheet: Sheet, block: TitleBlock, table: Table) -> None:
    sheet.print_setup()
    row = sheet.title_block(block, table.title, table.subtitle)
    row = sheet.header(row, ["STT", *table.headers], numbering=False)
    for n, values in enumerate(table.rows, start=1):
        sheet.value(row, 0, n, "cell_center")
        for col, value in enumerate(values, start=1):
            sheet.value(row, col, value, "cell_center" if col in table.centered else "cell")
        sheet.fit_row(row, ["", *("" if v is None else str(v) for v in values)])
        row += 1
    if table.total is not None:
        sheet.text(row, 0, "", "total")
        for col, value in enumerate([TOTAL_LABEL, *table.total[1:]], start=1):
            sheet.value(row, col, value, "total_center" if col in table.centered else "total")
        row += 1
    sheet.signature(row, block)
