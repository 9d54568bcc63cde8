"""Layouts of the lists that are not official forms of the directive but are printed and
signed the same way: party documents and meetings, and the member roster (declared with
the forms in :mod:`models.layouts`: the roster import reads it back). Written by
:func:`exports.forms.write_form`."""

from __future__ import annotations

from models.layouts import ROSTER, STT, Column, FormLayout

PARTY_LABELS = {True: "Đảng viên", False: "Không phải đảng viên"}

DOCUMENTS = FormLayout("documents", "DANH SÁCH VĂN BẢN, VĂN KIỆN", "Văn bản", (
    STT,
    Column("Số, ký hiệu", "number", 14),
    Column("Trích yếu nội dung", "title", 44),
    Column("Loại văn bản", "doc_type", 14),
    Column("Cơ quan ban hành", "issuer", 20),
    Column("Ngày ban hành", "issued_on", 12, "date"),
    Column("Văn bản đi/đến", "direction", 14),
    Column("Đơn vị", "org_name", 20),
))

MEETINGS = FormLayout("meetings", "DANH SÁCH BUỔI SINH HOẠT, HỘI HỌP", "Sinh hoạt", (
    STT,
    Column("Chi bộ", "org_name", 20),
    Column("Ngày", "held_on", 12, "date"),
    Column("Hình thức", "kind", 18),
    Column("Chủ đề", "topic", 36),
    Column("Có mặt/tổng số", "presence", 12),
    Column("Kết luận", "conclusions", 44),
))

LISTS = {ROSTER.key: ROSTER, DOCUMENTS.key: DOCUMENTS, MEETINGS.key: MEETINGS}
