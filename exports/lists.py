"""Layouts of the lists that are not official forms of the directive but are printed and
signed the same way: the member roster (also read back by the roster import), party
documents and meetings. Written by :func:`exports.forms.write_form`."""

from __future__ import annotations

from .layouts import STT, Column, FormLayout

ROSTER = FormLayout("roster", "DANH SÁCH CÁN BỘ, ĐẢNG VIÊN", "Danh sách", (
    STT,
    Column("Họ và tên", "full_name", 22),
    Column("Ngày sinh", "date_of_birth", 11, "date"),
    Column("Giới tính", "gender", 8),
    Column("Chi bộ", "org_name", 18),
    Column("Chức vụ", "position", 18),
    Column("Ngày vào Đảng", "admission_date", 11, "date"),
    Column("Ngày chính thức", "official_date", 11, "date"),
    Column("Số thẻ đảng viên", "party_card_number", 13),
    Column("Trạng thái", "status", 14),
    Column("Đảng viên/không phải đảng viên", "party", 14),
    Column("Số điện thoại", "phone", 13),
    Column("Email", "email", 22),
))
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
