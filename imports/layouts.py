"""Official forms 1 and 2 as data for reading: header texts and the field of each column.

The header texts are the exact ones of directive 1150-CV/HU (see DOMAIN.md); matching
folds them (accents, case, spaces, punctuation) so that hand-typed headers still match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models import Site, SocialAccount, normalize


@dataclass(frozen=True)
class Column:
    number: int
    header: str
    field: str | None  # None: read but not stored (STT)
    kind: str = "text"  # text | date | link | cell | person | position


@dataclass(frozen=True)
class Form:
    kind: str  # "sites" | "social"
    title: str
    model: type
    columns: tuple[Column, ...]
    key_column: int  # the column that identifies the record (domain / URL)

    def label(self, number: int) -> str:
        return f"({number})"


_COMMON = (
    Column(1, "STT", None),
    Column(2, "Chi bộ", None, "cell"),
    Column(3, "Họ và tên", None, "person"),
    Column(4, "Cấp bậc, chức vụ", "position", "position"),
)

SITES = Form("sites", "DANH SÁCH CÁC TRANG WEB, BLOG CÁ NHÂN CỦA CÁN BỘ, ĐẢNG VIÊN", Site, _COMMON + (
    Column(5, "Tên trang web/blog", "site_name"),
    Column(6, "Tên miền", "domain"),
    Column(7, "IP máy chủ/vị trí địa lý", "server_location"),
    Column(8, "Số điện thoại đăng ký", "registration_phone"),
    Column(9, "Email đăng ký", "registration_email"),
    Column(10, "Thời gian thiết lập", "established_on", "date"),
    Column(11, "Thời hạn hết hạn", "expires_on", "date"),
    Column(12, "Thời gian cập nhật cơ sở dữ liệu", "updated_on", "date"),
    Column(13, "Mục đích sử dụng", "purpose"),
), key_column=6)

SOCIAL = Form("social", "DANH SÁCH TÀI KHOẢN MẠNG XÃ HỘI CÁ NHÂN CỦA CÁN BỘ, ĐẢNG VIÊN", SocialAccount, _COMMON + (
    Column(5, "Loại mạng xã hội", "platform"),
    Column(6, "Tên tài khoản", "account_name"),
    Column(7, "Đường dẫn (Cá nhân/Trang/Hội nhóm...)", "url", "link"),
    Column(8, "Số điện thoại đăng ký", "registration_phone"),
    Column(9, "Email đăng ký", "registration_email"),
    Column(10, "Thời gian thiết lập", "established_on", "date"),
    Column(11, "Thời gian cập nhật cơ sở dữ liệu", "updated_on", "date"),
    Column(12, "Mục đích sử dụng", "purpose"),
), key_column=7)

FORMS = {"sites": SITES, "social": SOCIAL}
FORM_NAMES = {"sites": "Biểu mẫu 1 (trang web, blog)", "social": "Biểu mẫu 2 (tài khoản mạng xã hội)"}

_NON_ALNUM = re.compile(r"[^a-z0-9]")


def header_key(value: object) -> str:
    """Accent-, case-, space- and punctuation-insensitive form of a header or name."""
    return _NON_ALNUM.sub("", normalize.fold(value))


def _keys(column: Column) -> tuple[str, str]:
    short = column.header.split("(")[0]
    return header_key(column.header), header_key(short)


def match_header(cell: object, form: Form) -> int | None:
    """The official column number a header cell names, if any."""
    key = header_key(cell)
    if not key:
        return None
    for column in form.columns:
        full, short = _keys(column)
        if key == full or (len(short) >= 5 and key.startswith(short)):
            return column.number
    return None
