"""What every printed list carries besides its table: the title and signature blocks
(party document format, see DOMAIN.md) and the hidden identity column. The tables of the
official forms and the roster are declared once, in :mod:`models.layouts`.

Nothing here writes a file; :mod:`exports.xlsx` and :mod:`exports.forms` read these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class TitleBlock:
    """What the title and signature blocks print for one organisation."""

    superior: str  # left line 1: the superior's party name, "ĐẢNG BỘ HUYỆN VĨNH BẢO"
    organisation: str  # left line 2: the issuing committee, "ĐẢNG ỦY XÃ TÂN HƯNG"
    place: str  # the unit's own place: "Tân Hưng, ngày …"
    signed_on: dt.date
    as_of: dt.date
    signer: str  # "T/M BAN THƯỜNG VỤ", "T/M CHI BỘ"
    signer_title: str = "BÍ THƯ"
    signer_name: str = ""

    def as_dict(self) -> dict[str, str]:
        """What a snapshot records of the blocks, as printed."""
        return {"superior": self.superior, "organisation": self.organisation,
                "place_line": place_line(self.place, self.signed_on), "signer": self.signer,
                "signer_title": self.signer_title, "signer_name": self.signer_name}


#: A hidden column right of the table (never printed) carrying each record's id, so that an
#: unchanged export imports back onto the same records even where names repeat (same-named
#: cells of two communes in a district export, two people of one name in a cell).
IDENTITY_HEADER = "Mã bản ghi (không in)"

RIGHT_TOP = "ĐẢNG CỘNG SẢN VIỆT NAM"
PREPARER = ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")
SIGN_NOTE = "(Ký, ghi rõ họ tên, đóng dấu)"
STAR = "*"  # under the issuing committee's name (party document format)


def total_line(count: int, what: str) -> str:
    """The line closing a list: ``Tổng cộng: 12 tài khoản``."""
    return f"Tổng cộng: {count} {what}"

def vn_date(day: dt.date) -> str:
    """``ngày 05 tháng 11 năm 2026`` as printed in the title block."""
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def place_line(place: str | None, day: dt.date) -> str:
    return f"{place}, {vn_date(day)}" if place else vn_date(day).capitalize()


def as_of_line(day: dt.date) -> str:
    return f"(Cập nhật đến ngày {day.day:02d} tháng {day.month:02d} năm {day.year})"
