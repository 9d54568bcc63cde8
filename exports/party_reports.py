"""Party-work reports as printable xlsx (title block, header, rows, signature block):
the monthly meeting report, resolution study progress and the monthly task report.
Cells that held no regular meeting are highlighted; figures are numbers, rates text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from models import normalize

from .layouts import TitleBlock
from .xlsx import Sheet, open_workbook

MEETING_TITLE = "BÁO CÁO KẾT QUẢ SINH HOẠT CHI BỘ"
MEETING_HEADERS = ("Chi bộ", "Đơn vị", "Sinh hoạt thường kỳ", "Ngày sinh hoạt", "Số đảng viên phải dự",
                   "Số có mặt", "Tỷ lệ dự", "Vắng có lý do", "Vắng không lý do", "Sinh hoạt chuyên đề",
                   "Sinh hoạt cấp ủy")
MEETING_UNIT_TITLE = "TỔNG HỢP THEO ĐẢNG BỘ TRỰC THUỘC"
MEETING_UNIT_HEADERS = ("Đảng bộ", "Số chi bộ", "Số chi bộ đã sinh hoạt thường kỳ", "Số chi bộ chưa sinh hoạt", "Tình trạng")
STUDY_TITLE = "BÁO CÁO KẾT QUẢ HỌC TẬP, QUÁN TRIỆT NGHỊ QUYẾT"
MONTH_STUDY_TITLE = "KẾT QUẢ HỌC TẬP, QUÁN TRIỆT NGHỊ QUYẾT TRONG THÁNG"
MONTH_STUDY_HEADERS = ("Đợt học tập", "Thời gian", "Số đảng viên phải học", "Số đã học tập", "Số chưa học tập", "Tỷ lệ")
STUDY_HEADERS = ("Chi bộ", "Số đảng viên phải học", "Số đã học tập", "Số chưa học tập", "Tỷ lệ")
STUDY_MISSING_TITLE = "DANH SÁCH ĐẢNG VIÊN CHƯA HỌC TẬP"
STUDY_MISSING_HEADERS = ("Chi bộ", "Họ và tên", "Cấp bậc, chức vụ")
TASK_TITLE = "BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO"
TASK_HEADERS = ("Chi bộ", "Số nhiệm vụ đến hạn trong tháng", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
                "Quá hạn chưa hoàn thành", "Đang thực hiện, chưa đến hạn")


def rate_text(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}%".replace(".", ",")


def _sheet(book: Any, formats: dict, name: str, widths: Sequence[float], block: TitleBlock, title: str,
           subtitle: str, headers: Sequence[str]) -> tuple[Sheet, int]:
    sheet = Sheet(book, formats, name, [5, *widths])
    sheet.print_setup()
    row = sheet.title_block(block, title, subtitle)
    row = sheet.header(row, ["STT", *headers], numbering=False)
    return sheet, row


def _rows(sheet: Sheet, row: int, rows: Sequence[tuple[Sequence[Any], bool]], total: Sequence[Any] | None) -> int:
    for n, (values, alert) in enumerate(rows, start=1):
        style = "alert" if alert else "cell"
        sheet.value(row, 0, n, style)
        for col, value in enumerate(values, start=1):
            sheet.value(row, col, value, style)
        sheet.fit_row(row, ["", *("" if v is None else str(v) for v in values)])
        row += 1
    if total is not None:
        sheet.text(row, 0, "", "total")
        for col, value in enumerate(total, start=1):
            sheet.value(row, col, value, "total")
        row += 1
    return row


def _book(out: str | IO[bytes]) -> tuple[Any, dict]:
    book, formats = open_workbook(out)
    formats["alert"] = book.add_format({"font_name": "Times New Roman", "font_size": 11, "valign": "top",
                                        "text_wrap": True, "border": 1, "bg_color": "#FCE4D6", "bold": True})
    return book, formats


def write_meeting_report(out: str | IO[bytes], block: TitleBlock, report: Any, study: Sequence[Any] | None = None) -> None:
    """The meeting report; with ``study`` (progress per campaign of the month), the month-end
    report's sheet of resolution study too."""
    subtitle = f"Tháng {report.month:02d} năm {report.year}"
    book, formats = _book(out)
    try:
        # the "Đơn vị" column only when cells belong to different committees below the unit
        grouped = bool(report.units)
        headers = MEETING_HEADERS if grouped else MEETING_HEADERS[:1] + MEETING_HEADERS[2:]
        widths = (26, 22, 12, 12, 11, 9, 9, 9, 9, 10, 9) if grouped else (30, 12, 12, 11, 9, 9, 9, 9, 10, 9)
        sheet, row = _sheet(book, formats, "Sinh hoạt chi bộ", widths, block, MEETING_TITLE, subtitle, headers)
        units = {u.unit_id: u.name for u in report.units}
        rows = []
        for c in report.cells:
            values = [c.name, units.get(c.unit_id, ""), "Đã sinh hoạt" if c.held else "Chưa sinh hoạt",
                      normalize.format_date(c.regular_on) if c.held else "", c.expected if c.held else "",
                      c.present if c.held else "", rate_text(c.rate) if c.held else "",
                      c.excused if c.held else "", c.unexcused if c.held else "", c.thematic, c.committee]
            rows.append((values if grouped else values[:1] + values[2:], not c.held))
        held = [c for c in report.cells if c.held]
        expected, present = sum(c.expected for c in held), sum(c.present for c in held)
        total = ["Tổng cộng", "", f"{len(held)}/{len(report.cells)}", "", expected, present,
                 rate_text(present / expected if expected else None), sum(c.excused for c in held),
                 sum(c.unexcused for c in held), sum(c.thematic for c in report.cells),
                 sum(c.committee for c in report.cells)]
        total = total if grouped else total[:1] + total[2:]
        row = _rows(sheet, row, rows, total)
        sheet.signature(row, block)
        if report.units:
            sheet, row = _sheet(book, formats, "Theo đảng bộ", (34, 12, 16, 16, 14), block, MEETING_UNIT_TITLE,
                                subtitle, MEETING_UNIT_HEADERS)
            rows = [([u.name, u.cells, u.held, u.missing, report.unit_state(u)], bool(u.missing)) for u in report.units]
            row = _rows(sheet, row, rows, None)
            sheet.signature(row, block)
        if study is not None:
            _month_study(book, formats, block, subtitle, study)
    finally:
        book.close()


def _month_study(book: Any, formats: dict, block: TitleBlock, subtitle: str, study: Sequence[Any]) -> None:
    sheet, row = _sheet(book, formats, "Học tập nghị quyết", (40, 22, 13, 12, 12, 10), block, MONTH_STUDY_TITLE,
                        subtitle, MONTH_STUDY_HEADERS)
    rows = [([p.campaign.title, f"{normalize.format_date(p.campaign.starts_on)} – {normalize.format_date(p.campaign.ends_on)}",
              p.expected, p.studied, p.expected - p.studied, rate_text(p.studied / p.expected if p.expected else None)],
             p.studied < p.expected) for p in study]
    row = _rows(sheet, row, rows, None)
    if not rows:
        sheet.merged(row, 0, len(MONTH_STUDY_HEADERS), "Không có đợt học tập nghị quyết nào trong tháng.", "cell")
        row += 1
    sheet.signature(row, block)


def write_study_report(out: str | IO[bytes], block: TitleBlock, progress: Any) -> None:
    c = progress.campaign
    subtitle = f"{c.title} ({normalize.format_date(c.starts_on)} – {normalize.format_date(c.ends_on)})"
    book, formats = _book(out)
    try:
        sheet, row = _sheet(book, formats, "Tiến độ", (34, 14, 14, 14, 12), block, STUDY_TITLE, subtitle, STUDY_HEADERS)
        rows = [([r.name, r.expected, r.studied, r.expected - r.studied, rate_text(r.rate)], r.studied < r.expected)
                for r in progress.cells]
        total = ["Tổng cộng", progress.expected, progress.studied, progress.expected - progress.studied,
                 rate_text(progress.studied / progress.expected if progress.expected else None)]
        row = _rows(sheet, row, rows, total)
        sheet.signature(row, block)
        sheet, row = _sheet(book, formats, "Chưa học tập", (30, 28, 26), block, STUDY_MISSING_TITLE, subtitle,
                            STUDY_MISSING_HEADERS)
        row = _rows(sheet, row, [([m.org_name, m.full_name, m.position or ""], False) for m in progress.not_yet], None)
        sheet.signature(row, block)
    finally:
        book.close()


def write_task_report(out: str | IO[bytes], block: TitleBlock, rows: Sequence[Any], year: int, month: int) -> None:
    book, formats = _book(out)
    try:
        sheet, row = _sheet(book, formats, "Nhiệm vụ", (34, 14, 13, 13, 14, 15), block, TASK_TITLE,
                            f"Tháng {month:02d} năm {year}", TASK_HEADERS)
        values = [([r.name, r.assigned, r.on_time, r.late, r.overdue, r.pending], bool(r.overdue)) for r in rows]
        total = ["Tổng cộng", *(sum(getattr(r, f) for r in rows) for f in ("assigned", "on_time", "late", "overdue", "pending"))]
        row = _rows(sheet, row, values, total)
        sheet.signature(row, block)
    finally:
        book.close()
