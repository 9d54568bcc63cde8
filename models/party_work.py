"""Party documents and meetings (regulation, Điều 3–10)."""

from __future__ import annotations

import mongoengine as me

from . import normalize
from .base import Rule, ScopedDocument, owned
from .member import Member
from .organisation import Organisation

DOC_TYPES = ["Nghị quyết", "Chỉ thị", "Kết luận", "Quy định", "Quyết định", "Hướng dẫn",
             "Thông báo", "Công văn", "Báo cáo", "Kế hoạch", "Khác"]
DIRECTIONS = [("issued", "Văn bản đi"), ("received", "Văn bản đến"), ("published", "Văn bản công bố")]
MEETING_KINDS = [("regular", "Sinh hoạt thường kỳ"), ("thematic", "Sinh hoạt chuyên đề"), ("committee", "Họp cấp ủy")]

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
#: accepted attachments: content type -> (leading bytes, file extensions)
ATTACHMENT_TYPES = {
    "application/pdf": (b"%PDF-", {".pdf"}),
    "image/jpeg": (b"\xff\xd8\xff", {".jpg", ".jpeg"}),
    "image/png": (b"\x89PNG\r\n\x1a\n", {".png"}),
    "application/msword": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", {".doc"}),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04", {".docx"}),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04", {".xlsx"}),
}


def attachment_type(head: bytes, filename: str, size: int) -> str:
    """The content type of an uploaded attachment, decided by its leading bytes and
    its extension together; raises ``NormalizeError`` when too large or not accepted."""
    if size > ATTACHMENT_MAX_BYTES:
        limit = ATTACHMENT_MAX_BYTES
        label = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
        raise normalize.NormalizeError(f"Tệp “{filename}” lớn hơn {label}.")
    ext = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    for content_type, (magic, extensions) in ATTACHMENT_TYPES.items():
        if head.startswith(magic) and ext in extensions:
            return content_type
    raise normalize.NormalizeError(
        f"Tệp “{filename}” không được chấp nhận: chỉ nhận PDF, Word (.doc, .docx), Excel (.xlsx), ảnh JPG/PNG.")


class _OrgOwned(ScopedDocument):
    meta = {"abstract": True}
    NAME_IN_SEARCH_KEYS = True

    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)

    def copy_owner(self) -> None:
        self.follow_organisation(self.organisation)

    def compute_keys(self) -> None:
        self.search_keys = normalize.search_tokens(*self._search_text())

    def _search_text(self) -> list[object]:
        return [self.org_name]


@owned
class PartyDocument(_OrgOwned):
    VERBOSE_NAME = "Văn bản"
    meta = {
        "collection": "party_documents",
        "indexes": ["scope", "search_keys", "deleted_at", "doc_type", "direction", "issued_on",
                    ("scope", "deleted_at", "-issued_on", "_id"), ("deleted_at", "-issued_on", "_id"),
                    "number", "quality_issues"],
        "ordering": ["-issued_on"],
    }

    number = me.StringField(required=True, max_length=60)  # số/ký hiệu, e.g. 1150-CV/HU
    title = me.StringField(required=True, max_length=1000)
    doc_type = me.StringField(max_length=60)
    issuer = me.StringField(max_length=200)
    issued_on = me.DateTimeField(required=True)
    direction = me.StringField(choices=DIRECTIONS, default="issued")
    attachments = me.ListField(me.FileField(collection_name="attachments"))
    studied_by = me.ListField(me.ReferenceField(Member, reverse_delete_rule=me.PULL))

    RULES = {
        "number": Rule("Số/ký hiệu", normalize.text, required=True),
        "title": Rule("Trích yếu", normalize.multiline, required=True),
        "doc_type": Rule("Loại văn bản", normalize.text),
        "issuer": Rule("Cơ quan ban hành", normalize.text),
    }

    def __str__(self) -> str:
        return f"{self.number} — {self.title[:60]}" if self.title else (self.number or "")

    def clean(self) -> None:
        self.issued_on = normalize.to_datetime(self.issued_on)
        if self.number:
            self.number = (normalize.text(self.number) or "").upper()
        super().clean()

    def _search_text(self) -> list[object]:
        return [self.org_name, self.number, self.title, self.issuer, self.doc_type]


class Attendance(me.EmbeddedDocument):
    member = me.ReferenceField(Member)
    member_name = me.StringField()
    present = me.BooleanField(default=True)
    absence_reason = me.StringField(max_length=300)


@owned
class Meeting(_OrgOwned):
    VERBOSE_NAME = "Cuộc họp"
    meta = {
        "collection": "meetings",
        "indexes": ["scope", "search_keys", "deleted_at", "kind", "held_on", "quality_issues",
                    ("scope", "deleted_at", "-held_on", "_id"), ("deleted_at", "-held_on", "_id")],
        "ordering": ["-held_on"],
    }

    held_on = me.DateTimeField(required=True)
    kind = me.StringField(choices=MEETING_KINDS, default="regular")
    topic = me.StringField(required=True, max_length=500)
    agenda = me.StringField(max_length=5000)
    attendance = me.EmbeddedDocumentListField(Attendance)
    conclusions = me.StringField(max_length=20000)

    RULES = {
        "topic": Rule("Chủ đề", normalize.text, required=True),
        "agenda": Rule("Nội dung", normalize.multiline),
        "conclusions": Rule("Kết luận", normalize.multiline),
    }

    def __str__(self) -> str:
        return f"{normalize.format_date(self.held_on)} — {self.topic}"

    @property
    def present_count(self) -> int:
        return sum(1 for a in self.attendance if a.present)

    def clean(self) -> None:
        self.held_on = normalize.to_datetime(self.held_on)
        for a in self.attendance:
            if a.member is not None:
                a.member_name = a.member.full_name
            if not a.present and not normalize.text(a.absence_reason):
                raise me.ValidationError(errors={"attendance": f"Vắng mặt phải có lý do: {a.member_name}."})
        super().clean()

    def _search_text(self) -> list[object]:
        return [self.org_name, self.topic]
