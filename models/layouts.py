"""The official layouts, each declared once: forms 1 and 2 of directive 1150-CV/HU and the
member roster (see DOMAIN.md), in the spirit of django-import-export's ``Resource``.

Per column: the record's field, its official number "(n)" (its position), the exact header
text, the wordings officers type instead (synonyms), the printed width, its kind, the
field's rule (normaliser, mandatory) and the label messages use. Everything else is derived
from these declarations, never retyped:

- the xlsx export (:mod:`exports.forms`: header texts, numbering, widths, dates),
- the import (:mod:`imports.layouts`: header matching and the field of each column),
- the models' ``RULES`` and their "(n)" labels (:mod:`models.accounts`),
- the list screens' column labels (:mod:`admin.accounts`) and the import preview's labels.

Nothing here reads or writes a file. The record's document class is named, not imported
(``document``): this module sits below the models that use it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mongoengine.base import get_document

from . import normalize, platforms
from .base import Rule


@dataclass(frozen=True)
class Part:
    """A value a column carries besides its field: column (7) of form 2 holds the role on a
    page/group and the link type besides the URL. With a ``rule`` it is in the ``RULES``."""

    field: str
    name: str
    rule: Callable[[object], object] | None = None


@dataclass(frozen=True)
class Column:
    header: str  # exact official text
    field: str | None  # the record's field (the key of an export row); None for the STT column
    width: float
    #: text | date (dd/mm/yyyy) | link (form 2's (7): URL and role) | cell | person | position
    #: (the import reads the cell and the person's name to find the owner, not to store them)
    kind: str = "text"
    synonyms: tuple[str, ...] = ()  # what officers type instead of the header (the import reads them)
    required: bool = True  # the import's header row must have the column
    rule: Callable[[object], object] | None = None  # the field's normaliser (the model's RULES)
    mandatory: bool = False  # the value must be given (RULES ``required``)
    name: str = ""  # what messages call the column when not its whole header ("Đường dẫn")
    parts: tuple[Part, ...] = ()
    number: int = 0  # the official "(n)": set from the position by :class:`FormLayout`

    @property
    def label(self) -> str:
        """``(6) Tên miền``: how labels and messages name the column."""
        return f"({self.number}) {self.name or self.header}"

    @property
    def in_rules(self) -> bool:
        return self.field is not None and (self.rule is not None or self.mandatory)


@dataclass(frozen=True)
class FormLayout:
    key: str
    title: str
    sheet_name: str
    columns: tuple[Column, ...]
    things: str = "bản ghi"  # what the total line counts
    name: str = ""  # what screens and messages call the form
    document: str = ""  # the MongoEngine document class of a record, by name
    key_column: int = 0  # the column that identifies the record (domain / URL / name)
    ignored: tuple[str, ...] = ()  # headers recognised on import and not read

    def __post_init__(self) -> None:
        numbered = tuple(c if c.number == n else dataclasses.replace(c, number=n)
                         for n, c in enumerate(self.columns, start=1))
        object.__setattr__(self, "columns", numbered)

    @property
    def kind(self) -> str:
        return self.key

    @property
    def model(self) -> type:
        return get_document(self.document)

    def column(self, field: str) -> Column:
        """The column holding ``field`` (or one of its parts)."""
        for c in self.columns:
            if c.field == field or any(p.field == field for p in c.parts):
                return c
        raise KeyError(field)

    def label(self, field: str) -> str:
        """``(7) Vai trò quản trị``: the label of a field or of a column's part."""
        c = self.column(field)
        part = next((p for p in c.parts if p.field == field), None)
        return f"({c.number}) {part.name}" if part else c.label

    def labels(self) -> dict[str, str]:
        """Field -> "(n) name", parts included (the import preview, messages)."""
        out: dict[str, str] = {}
        for c in self.columns:
            if c.field:
                out[c.field] = c.label
            out.update({p.field: f"({c.number}) {p.name}" for p in c.parts})
        return out

    def headers(self) -> dict[str, str]:
        """Field -> the exact header text (the list screens' column labels)."""
        return {c.field: c.header for c in self.columns if c.field}

    def numbers(self) -> dict[str, int]:
        """Field -> official column number, parts included."""
        out: dict[str, int] = {}
        for c in self.columns:
            if c.field:
                out[c.field] = c.number
            out.update({p.field: c.number for p in c.parts})
        return out

    def rules(self) -> dict[str, Rule]:
        """The model's ``RULES``: each ruled field with its column's label."""
        out: dict[str, Rule] = {}
        for c in self.columns:
            if c.in_rules:
                out[c.field] = Rule(c.label, c.rule, required=c.mandatory)  # type: ignore[index]
            out.update({p.field: Rule(f"({c.number}) {p.name}", p.rule) for p in c.parts if p.rule})
        return out

    def fields(self) -> list[str]:
        """What an export reads of a record: every column's field and part."""
        return [f for c in self.columns for f in ([c.field] if c.field else []) + [p.field for p in c.parts]]


def link_text(url: str | None, link_type: str | None, admin_role: str | None) -> str:
    """Column (7) of form 2 as printed: the URL, and for pages/groups the role in brackets."""
    if link_type in ("page", "group") and admin_role:
        return f"{url} ({admin_role})"
    return url or ""


def printed(column: Column) -> Callable[[Mapping[str, Any]], str] | None:
    """What an export prints of a row in ``column`` when it is not the field's value as
    stored (None): form 2's (7), the URL with the role on a page/group."""
    if column.kind == "link":
        field = column.field or ""
        return lambda row: link_text(row.get(field), row.get("link_type"), row.get("admin_role"))
    return None


_PHONE = ("SĐT", "SĐT đăng ký", "Số ĐT", "Số ĐT đăng ký", "Số điện thoại", "Điện thoại", "Điện thoại đăng ký")
_EMAIL = ("Email", "E-mail", "Thư điện tử", "Địa chỉ email")
_START = ("Ngày thiết lập", "Ngày tạo", "Thời gian tạo", "Ngày lập", "Thời gian lập")
_UPDATED = ("Thời gian cập nhật", "Ngày cập nhật", "Cập nhật CSDL", "CSDL", "Thời gian cập nhật CSDL",
            "Ngày cập nhật CSDL", "Thời gian cập nhật vào cơ sở dữ liệu")
_PURPOSE = ("Mục đích", "Mục đích sử dụng hiện nay")

STT = Column("STT", None, 5, synonyms=("TT", "Số TT", "Số thứ tự"), required=False)
OWNER = (
    Column("Chi bộ", "org_name", 16, "cell", ("Tên chi bộ", "Chi bộ trực thuộc", "Đơn vị", "Chi bộ/Đơn vị")),
    Column("Họ và tên", "member_name", 20, "person", ("Họ tên", "Họ và tên cán bộ, đảng viên", "Họ tên đảng viên",
                                                       "Họ và tên đảng viên")),
    Column("Cấp bậc, chức vụ", "position", 16, "position",
           ("Chức vụ", "Cấp bậc", "Chức danh", "Cấp bậc/chức vụ", "Cấp bậc chức vụ"),
           rule=normalize.text, mandatory=True),
)
_REGISTRATION = (
    Column("Số điện thoại đăng ký", "registration_phone", 13, synonyms=_PHONE, required=False, rule=normalize.phone),
    Column("Email đăng ký", "registration_email", 20, synonyms=_EMAIL, required=False, rule=normalize.email),
    Column("Thời gian thiết lập", "established_on", 12, "date", _START, required=False),
)
_UPDATED_ON = Column("Thời gian cập nhật cơ sở dữ liệu", "updated_on", 13, "date", _UPDATED, required=False)
_PURPOSE_COLUMN = Column("Mục đích sử dụng", "purpose", 16, synonyms=_PURPOSE, rule=normalize.text, mandatory=True)

FORM1 = FormLayout("sites", "DANH SÁCH CÁC TRANG WEB, BLOG CÁ NHÂN CỦA CÁN BỘ, ĐẢNG VIÊN", "Biểu mẫu 1", (
    STT, *OWNER,
    Column("Tên trang web/blog", "site_name", 18, synonyms=("Tên trang", "Tên website", "Tên web/blog", "Tên blog"),
           rule=normalize.text, mandatory=True),
    Column("Tên miền", "domain", 22, synonyms=("Tên miền/địa chỉ", "Địa chỉ trang", "Địa chỉ", "Domain"),
           rule=normalize.domain, mandatory=True),
    Column("IP máy chủ/vị trí địa lý", "server_location", 18,
           synonyms=("IP máy chủ", "IP", "Địa chỉ IP", "IP/vị trí địa lý"), required=False, rule=normalize.ip_place),
    *_REGISTRATION,
    Column("Thời hạn hết hạn", "expires_on", 12, "date", ("Thời gian hết hạn", "Ngày hết hạn", "Hết hạn"),
           required=False),
    _UPDATED_ON,
    _PURPOSE_COLUMN,
), "trang web, blog", name="Biểu mẫu 1 (trang web, blog)", document="Site", key_column=6)

FORM2 = FormLayout("social", "DANH SÁCH TÀI KHOẢN MẠNG XÃ HỘI CÁ NHÂN CỦA CÁN BỘ, ĐẢNG VIÊN", "Biểu mẫu 2", (
    STT, *OWNER,
    Column("Loại mạng xã hội", "platform", 12, synonyms=("Mạng xã hội", "Loại MXH", "MXH", "Nền tảng"),
           rule=platforms.platform, mandatory=True),
    Column("Tên tài khoản", "account_name", 18, synonyms=("Tài khoản", "Tên hiển thị", "Tên TK"),
           rule=normalize.text, mandatory=True),
    Column("Đường dẫn (Cá nhân/Trang/Hội nhóm...)", "url", 34, "link",
           ("Đường dẫn", "Link", "URL", "Địa chỉ", "Đường link", "Địa chỉ tài khoản"),
           rule=normalize.url, mandatory=True, name="Đường dẫn",
           parts=(Part("admin_role", "Vai trò quản trị", normalize.text), Part("link_type", "Loại liên kết"))),
    *_REGISTRATION,
    _UPDATED_ON,
    _PURPOSE_COLUMN,
), "tài khoản", name="Biểu mẫu 2 (tài khoản mạng xã hội)", document="SocialAccount", key_column=7,
    # the legend (copied from form 1) adds "(11) Thời gian hết hạn": recognised, not read
    ignored=("Thời gian hết hạn", "Thời hạn hết hạn", "Ngày hết hạn"))

#: the member roster: printed like the forms, and read back by the roster import
ROSTER = FormLayout("roster", "DANH SÁCH CÁN BỘ, ĐẢNG VIÊN", "Danh sách", (
    Column("STT", None, 5, required=False),
    Column("Họ và tên", "full_name", 22),
    Column("Ngày sinh", "date_of_birth", 11, "date"),
    Column("Giới tính", "gender", 8),
    Column("Chi bộ", "org_name", 18, "cell"),
    Column("Chức vụ", "position", 18),
    Column("Ngày vào Đảng", "admission_date", 11, "date"),
    Column("Ngày chính thức", "official_date", 11, "date"),
    Column("Số thẻ đảng viên", "party_card_number", 13),
    Column("Trạng thái", "status", 14),
    Column("Đảng viên/không phải đảng viên", "party", 14),
    Column("Số điện thoại", "phone", 13),
    Column("Email", "email", 22),
), name="Danh sách cán bộ, đảng viên", document="Member", key_column=2)

#: the official forms (the roster is a list, not a form of the directive)
FORMS = {FORM1.key: FORM1, FORM2.key: FORM2}
