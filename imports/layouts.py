"""Official forms 1 and 2 as data for reading: header texts, their synonyms, the field of
each column.

The header texts are the exact ones of directive 1150-CV/HU (see DOMAIN.md); the
synonyms are the wordings officers type (``TT``, ``Họ tên``, ``SĐT``, ``CSDL``, the
legend's ``Thời gian hết hạn`` on form 2). Matching folds both (accents, case, spaces,
line breaks, punctuation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from exports.layouts import FORMS as PRINTED
from models import Site, SocialAccount, normalize, vn_legacy


@dataclass(frozen=True)
class Column:
    number: int
    header: str
    field: str | None  # None: read but not stored (STT)
    kind: str = "text"  # text | date | link | cell | person | position
    synonyms: tuple[str, ...] = ()
    required: bool = True  # the header must have it (optional columns may be left out)


@dataclass(frozen=True)
class Form:
    kind: str  # "sites" | "social"
    title: str
    model: type
    columns: tuple[Column, ...]
    key_column: int  # the column that identifies the record (domain / URL)

    def label(self, number: int) -> str:
        return f"({number})"


_PHONE = ("SĐT", "SĐT đăng ký", "Số ĐT", "Số ĐT đăng ký", "Số điện thoại", "Điện thoại", "Điện thoại đăng ký")
_EMAIL = ("Email", "E-mail", "Thư điện tử", "Địa chỉ email")
_START = ("Ngày thiết lập", "Ngày tạo", "Thời gian tạo", "Ngày lập", "Thời gian lập")
_UPDATED = ("Thời gian cập nhật", "Ngày cập nhật", "Cập nhật CSDL", "CSDL", "Thời gian cập nhật CSDL",
            "Ngày cập nhật CSDL", "Thời gian cập nhật vào cơ sở dữ liệu")
_PURPOSE = ("Mục đích", "Mục đích sử dụng hiện nay")


def _h(kind: str, number: int) -> str:
    """The exact header text, from the one place that defines the printed layouts."""
    return PRINTED[kind].columns[number - 1].header


_COMMON = (
    Column(1, _h("sites", 1), None, synonyms=("TT", "Số TT", "Số thứ tự"), required=False),
    Column(2, _h("sites", 2), None, "cell", ("Tên chi bộ", "Chi bộ trực thuộc", "Đơn vị", "Chi bộ/Đơn vị")),
    Column(3, _h("sites", 3), None, "person", ("Họ tên", "Họ và tên cán bộ, đảng viên", "Họ tên đảng viên",
                                                "Họ và tên đảng viên")),
    Column(4, _h("sites", 4), "position", "position", ("Chức vụ", "Cấp bậc", "Chức danh",
                                                        "Cấp bậc/chức vụ", "Cấp bậc chức vụ")),
)

SITES = Form("sites", PRINTED["sites"].title, Site, _COMMON + (
    Column(5, _h("sites", 5), "site_name", synonyms=("Tên trang", "Tên website", "Tên web/blog", "Tên blog")),
    Column(6, _h("sites", 6), "domain", synonyms=("Tên miền/địa chỉ", "Địa chỉ trang", "Địa chỉ", "Domain")),
    Column(7, _h("sites", 7), "server_location",
           synonyms=("IP máy chủ", "IP", "Địa chỉ IP", "IP/vị trí địa lý"), required=False),
    Column(8, _h("sites", 8), "registration_phone", synonyms=_PHONE, required=False),
    Column(9, _h("sites", 9), "registration_email", synonyms=_EMAIL, required=False),
    Column(10, _h("sites", 10), "established_on", "date", _START, required=False),
    Column(11, _h("sites", 11), "expires_on", "date", ("Thời gian hết hạn", "Ngày hết hạn", "Hết hạn"),
           required=False),
    Column(12, _h("sites", 12), "updated_on", "date", _UPDATED, required=False),
    Column(13, _h("sites", 13), "purpose", synonyms=_PURPOSE),
), key_column=6)

SOCIAL = Form("social", PRINTED["social"].title, SocialAccount, _COMMON + (
    Column(5, _h("social", 5), "platform", synonyms=("Mạng xã hội", "Loại MXH", "MXH", "Nền tảng")),
    Column(6, _h("social", 6), "account_name", synonyms=("Tài khoản", "Tên hiển thị", "Tên TK")),
    Column(7, _h("social", 7), "url", "link",
           ("Đường dẫn", "Link", "URL", "Địa chỉ", "Đường link", "Địa chỉ tài khoản")),
    Column(8, _h("social", 8), "registration_phone", synonyms=_PHONE, required=False),
    Column(9, _h("social", 9), "registration_email", synonyms=_EMAIL, required=False),
    Column(10, _h("social", 10), "established_on", "date", _START, required=False),
    Column(11, _h("social", 11), "updated_on", "date", _UPDATED, required=False),
    Column(12, _h("social", 12), "purpose", synonyms=_PURPOSE),
), key_column=7)

#: Form 2's legend (copied from form 1) adds "(11) Thời gian hết hạn": recognised, not stored.
IGNORED = {"social": ("Thời gian hết hạn", "Thời hạn hết hạn", "Ngày hết hạn")}

FORMS = {"sites": SITES, "social": SOCIAL}
FORM_NAMES = {"sites": "Biểu mẫu 1 (trang web, blog)", "social": "Biểu mẫu 2 (tài khoản mạng xã hội)"}

_NON_ALNUM = re.compile(r"[^a-z0-9]")


def header_key(value: object) -> str:
    """Accent-, case-, space- and punctuation-insensitive form of a header or name."""
    return _NON_ALNUM.sub("", normalize.fold(value))


def _index(form: Form) -> dict[str, int]:
    out: dict[str, int] = {}
    for column in form.columns:
        for text in (column.header, column.header.split("(")[0], *column.synonyms):
            out.setdefault(header_key(text), column.number)
    for text in IGNORED.get(form.kind, ()):
        out.setdefault(header_key(text), 0)
    return out


_INDEX = {kind: _index(form) for kind, form in FORMS.items()}
_SHORT = {kind: [(k, c.number) for c in form.columns if len(k := header_key(c.header.split("(")[0])) >= 8]
          for kind, form in FORMS.items()}


def match_header(cell: object, form: Form) -> int | None:
    """The official column number a header cell names (0: a known column not stored)."""
    key = header_key(cell)
    if not key:
        return None
    found = _INDEX[form.kind].get(key)
    if found is None and isinstance(cell, str) and not cell.isascii():
        for encoding in ("tcvn3", "vni"):  # a header typed in .VnTime/VNI-Times: the texts are known
            decoded = vn_legacy.decode(cell, encoding)
            if decoded != cell and vn_legacy.could_be(cell, encoding):
                return _INDEX[form.kind].get(header_key(decoded))
    if found is not None:
        return found
    for short, number in _SHORT[form.kind]:  # the official text with something added: "Họ và tên (*)"
        if key.startswith(short):
            return number
    return None


def register(form: Form) -> None:
    """Make :func:`match_header` know the columns of a form read outside ``FORMS`` (the
    member roster, :mod:`imports.roster`), without making it a candidate for detection."""
    _INDEX[form.kind] = _index(form)
    _SHORT[form.kind] = [(k, c.number) for c in form.columns if len(k := header_key(c.header.split("(")[0])) >= 8]
