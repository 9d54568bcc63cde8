"""The official layouts as data: titles, exact header texts, column widths, the title and
signature blocks (directive 1150-CV/HU, forms 1 and 2; see DOMAIN.md), and the reports.

Nothing here writes a file; :mod:`exports.xlsx` and :mod:`exports.forms` read these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    header: str  # exact official text
    field: str | None  # key of the row mapping; None for the STT column
    width: float
    kind: str = "text"  # "text" | "date" (dd/mm/yyyy)


@dataclass(frozen=True)
class FormLayout:
    key: str
    title: str
    sheet_name: str
    columns: tuple[Column, ...]
    things: str = "bản ghi"  # what the total line counts


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


STT = Column("STT", None, 5)
OWNER = (Column("Chi bộ", "org_name", 16), Column("Họ và tên", "member_name", 20),
         Column("Cấp bậc, chức vụ", "position", 16))

FORM1 = FormLayout("sites", "DANH SÁCH CÁC TRANG WEB, BLOG CÁ NHÂN CỦA CÁN BỘ, ĐẢNG VIÊN", "Biểu mẫu 1", (
    STT, *OWNER,
    Column("Tên trang web/blog", "site_name", 18),
    Column("Tên miền", "domain", 22),
    Column("IP máy chủ/vị trí địa lý", "server_location", 18),
    Column("Số điện thoại đăng ký", "registration_phone", 13),
    Column("Email đăng ký", "registration_email", 20),
    Column("Thời gian thiết lập", "established_on", 12, "date"),
    Column("Thời hạn hết hạn", "expires_on", 12, "date"),
    Column("Thời gian cập nhật cơ sở dữ liệu", "updated_on", 13, "date"),
    Column("Mục đích sử dụng", "purpose", 16),
), "trang web, blog")

FORM2 = FormLayout("social", "DANH SÁCH TÀI KHOẢN MẠNG XÃ HỘI CÁ NHÂN CỦA CÁN BỘ, ĐẢNG VIÊN", "Biểu mẫu 2", (
    STT, *OWNER,
    Column("Loại mạng xã hội", "platform", 12),
    Column("Tên tài khoản", "account_name", 18),
    Column("Đường dẫn (Cá nhân/Trang/Hội nhóm...)", "link_text", 34),
    Column("Số điện thoại đăng ký", "registration_phone", 13),
    Column("Email đăng ký", "registration_email", 20),
    Column("Thời gian thiết lập", "established_on", 12, "date"),
    Column("Thời gian cập nhật cơ sở dữ liệu", "updated_on", 13, "date"),
    Column("Mục đích sử dụng", "purpose", 16),
), "tài khoản")

FORMS = {FORM1.key: FORM1, FORM2.key: FORM2}

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
