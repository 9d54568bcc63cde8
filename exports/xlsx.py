"""Safe, printable xlsx sheets: the one place that talks to xlsxwriter.

Every value goes through ``write_string`` (data) or ``write_number`` (counts and
sequence numbers this code computes itself), never ``write()``: xlsxwriter's ``write()``
turns ``=…`` into formulas and ``{=…}`` into array formulas whatever the options say.
A value longer than Excel's cell limit raises :class:`ExportError` instead of being cut.
"""

from __future__ import annotations

from typing import IO, Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .layouts import PREPARER, RIGHT_TOP, SIGN_NOTE, STAR, TitleBlock, as_of_line, place_line

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELL = 32767
FONT = "Times New Roman"
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
           "strings_to_numbers": False, "in_memory": False}

_BASE = {"font_name": FONT, "font_size": 11}
_STYLES: dict[str, dict[str, Any]] = {
    "block": {"align": "center", "font_size": 12},
    "block_bold": {"align": "center", "bold": True, "font_size": 12},
    "block_italic": {"align": "center", "italic": True, "font_size": 12},
    "title": {"align": "center", "bold": True, "font_size": 14, "text_wrap": True, "valign": "vcenter"},
    "subtitle": {"align": "center", "italic": True, "font_size": 12},
    "header": {"align": "center", "valign": "vcenter", "bold": True, "text_wrap": True, "border": 1},
    "numbering": {"align": "center", "italic": True, "border": 1},
    "cell": {"valign": "top", "text_wrap": True, "border": 1},
    "cell_center": {"valign": "top", "align": "center", "text_wrap": True, "border": 1},
    "total": {"valign": "top", "bold": True, "text_wrap": True, "border": 1},
    "total_center": {"valign": "top", "align": "center", "bold": True, "border": 1},
    "section": {"bold": True, "font_size": 12},
}


LINE_HEIGHT = 15.0  # points per line of 11 pt text


def line_capacity(width: float, bold: bool = False) -> float:
    """Characters of 11 pt Times New Roman that fit on one line of a column ``width`` wide
    (measured on LibreOffice's rendering, less a margin because words wrap whole). Heights
    are set explicitly because LibreOffice does not grow the rows of a loaded file."""
    return max(1.0, width * (1.15 if bold else 1.25))


def lines_needed(texts: list[str], capacities: list[float]) -> int:
    return max([1, *(-int(-len(t) // c) for t, c in zip(texts, capacities, strict=False) if t)])


class ExportError(ValueError):
    """The export cannot be written faithfully; ``str(err)`` is a Vietnamese message."""


def open_workbook(out: str | IO[bytes]) -> tuple[xlsxwriter.Workbook, dict[str, Any]]:
    """A constant-memory workbook and its shared formats."""
    book = xlsxwriter.Workbook(out, OPTIONS)
    formats = {name: book.add_format({**_BASE, **style}) for name, style in _STYLES.items()}
    return book, formats


def too_long(row: int, col: int, value: str) -> None:
    raise ExportError(
        f"Ô dòng {row + 1}, cột {col + 1} dài {len(value):,} ký tự, vượt giới hạn {MAX_CELL:,} ký tự "
        "của một ô Excel. Hãy rút gọn dữ liệu này rồi xuất lại.".replace(",", "."))


class Sheet:
    """A worksheet that only accepts text and numbers, written row by row."""

    def __init__(self, book: xlsxwriter.Workbook, formats: dict[str, Any], name: str, widths: list[float]) -> None:
        self.ws: Worksheet = book.add_worksheet(name[:31])
        self.f = formats
        self.ncols, self.widths = len(widths), widths
        for i, width in enumerate(widths):
            self.ws.set_column(i, i, width)

    def text(self, row: int, col: int, value: Any, style: str = "cell") -> None:
        if value is None or value == "":
            self.ws.write_blank(row, col, None, self.f[style])  # keeps the border, holds no value
            return
        value = value if isinstance(value, str) else str(value)
        if self.ws.write_string(row, col, value, self.f[style]) == -2:
            too_long(row, col, value)

    def fit_row(self, row: int, texts: list[str], first_col: int = 0) -> None:
        """Give a row the height its wrapped texts need."""
        lines = lines_needed(texts, [line_capacity(w) for w in self.widths[first_col:]])
        if lines > 1:
            self.ws.set_row(row, LINE_HEIGHT * lines)

    def value(self, row: int, col: int, value: Any, style: str = "cell") -> None:
        """Counts this code computed are numbers; everything else is text."""
        if isinstance(value, int) and not isinstance(value, bool):
            self.ws.write_number(row, col, value, self.f[style])
        else:
            self.text(row, col, value, style)

    def merged(self, row: int, first: int, last: int, value: str, style: str) -> None:
        if last > first:
            # merge_range() writes its data with write(); give it nothing, then write the text safely.
            self.ws.merge_range(row, first, row, last, "", self.f[style])
        self.text(row, first, value, style)

    def title_block(self, block: TitleBlock, title: str, subtitle: str | None = None) -> int:
        """Rows 1–5 as printed; returns the next free row."""
        left, right = self._spans()
        self.merged(0, 0, left, block.superior, "block")
        self.merged(0, self.ncols - 1 - right, self.ncols - 1, RIGHT_TOP, "block_bold")
        self.merged(1, 0, left, block.organisation, "block_bold")
        self.merged(1, self.ncols - 1 - right, self.ncols - 1, place_line(block.place, block.signed_on),
                    "block_italic")
        self.merged(2, 0, left, STAR, "block")
        self.merged(3, 0, self.ncols - 1, title, "title")
        self.merged(4, 0, self.ncols - 1, subtitle or as_of_line(block.as_of), "subtitle")
        return 6

    def header(self, row: int, headers: list[str], numbering: bool = True) -> int:
        """The header row with the exact texts and the ``(1) … (n)`` row; repeated on every page."""
        for col, text in enumerate(headers):
            self.text(row, col, text, "header")
        caps = [line_capacity(w, bold=True) for w in self.widths]
        self.ws.set_row(row, LINE_HEIGHT * lines_needed(headers, caps) + 4)
        last = row
        if numbering:
            last = row + 1
            for col in range(len(headers)):
                self.text(last, col, f"({col + 1})", "numbering")
        self.ws.repeat_rows(row, last)
        self.ws.freeze_panes(last + 1, 0)
        return last + 1

    def total(self, row: int, text: str) -> int:
        """The line closing a list (``Tổng cộng: N …``), across the table; returns the next free row."""
        self.merged(row, 0, self.ncols - 1, text, "total")
        return row + 1

    def signature(self, row: int, block: TitleBlock) -> int:
        """Preparer on the left; on the right the unit's configured signer: on whose behalf
        (T/M BAN THƯỜNG VỤ), the title, and the name under the space for the signature."""
        left, right = self._spans()
        lines = [(PREPARER[0], "block_bold", block.signer, "block_bold"),
                 (PREPARER[1], "block_italic", block.signer_title, "block_bold"),
                 ("", "block", SIGN_NOTE, "block_italic"), ("", "block", "", "block"), ("", "block", "", "block"),
                 ("", "block", block.signer_name, "block_bold")]
        for offset, (left_text, left_style, right_text, right_style) in enumerate(lines, start=1):
            if left_text:
                self.merged(row + offset, 0, left, left_text, left_style)
            if right_text:
                self.merged(row + offset, self.ncols - 1 - right, self.ncols - 1, right_text, right_style)
        return row + len(lines) + 1

    def print_setup(self) -> None:
        """A4 landscape, fitted to the page width, centred, page numbers in the footer."""
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.center_horizontally()
        ws.set_footer("&CTrang &P/&N")

    def _spans(self) -> tuple[int, int]:
        """Last column of the left block and width of the right block (in columns)."""
        left = max(1, self.ncols * 2 // 5 - 1)
        right = max(1, self.ncols * 2 // 5 - 1)
        return left, right
