"""Party documents and meetings (regulation, Điều 3–10).

Documents travel up and down the tree: the owning ``organisation`` is the issuing unit,
``recipients`` the units it was sent to, each with its own received/read state, and
``recipient_ids`` the indexed copy of their ids ("Văn bản đến" is the equality match
``recipient_ids == unit``). Classified documents (Luật Bảo vệ bí mật nhà nước 2018) keep
only their registration data here: see :data:`CLASSIFIED_NOTE`.
"""

from __future__ import annotations

import mongoengine as me

from . import normalize, search
from .base import Rule, ScopedDocument, follows_renames, owned
from .member import Member
from .organisation import Organisation

DOC_TYPES = ["Nghị quyết", "Chỉ thị", "Kết luận", "Quy định", "Quyết định", "Hướng dẫn",
             "Thông báo", "Công văn", "Báo cáo", "Kế hoạch", "Khác"]
DIRECTIONS = [("issued", "Văn bản đi"), ("received", "Văn bản đến"), ("published", "Văn bản công bố")]
MEETING_KINDS = [("regular", "Sinh hoạt thường kỳ"), ("thematic", "Sinh hoạt chuyên đề"), ("committee", "Sinh hoạt cấp ủy"),
                 ("standing", "Họp Ban Thường vụ"), ("executive", "Hội nghị Ban Chấp hành")]
#: kinds only a committee (đảng bộ) holds
COMMITTEE_ONLY_KINDS = {"standing", "executive"}
ABSENCE_KINDS = [("excused", "Vắng có lý do"), ("unexcused", "Vắng không lý do")]
CLASSIFICATIONS = [("thuong", "Thường"), ("mat", "Mật"), ("toi_mat", "Tối mật"), ("tuyet_mat", "Tuyệt mật")]
CLASSIFIED_NOTE = ("Văn bản có độ mật (Mật, Tối mật, Tuyệt mật) chỉ được đăng ký số/ký hiệu, ngày, trích yếu, "
                   "nơi gửi; không được lưu nội dung hay tệp đính kèm trên hệ thống nối mạng "
                   "(Luật Bảo vệ bí mật nhà nước năm 2018). Hãy lưu bản giấy theo chế độ mật.")

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
        self.search_keys = search.search_tokens(*self._search_text())

    def _search_text(self) -> list[object]:
        return [self.org_name]


class Recipient(me.EmbeddedDocument):
    """One unit a document was sent to, and what it did with it."""

    organisation = me.ReferenceField(Organisation)
    org_name = me.StringField()
    sent_on = me.DateTimeField()
    received_on = me.DateTimeField()
    read_on = me.DateTimeField()


@owned
class PartyDocument(_OrgOwned):
    VERBOSE_NAME = "Văn bản"
    meta = {
        "collection": "party_documents",
        "indexes": ["scope", "search_keys", "deleted_at", "doc_type", "direction", "issued_on",
                    ("scope", "deleted_at", "-issued_on", "_id"), ("deleted_at", "-issued_on", "_id"),
                    "number", "quality_issues", "classification", ("recipient_ids", "-issued_on")],
        "ordering": ["-issued_on"],
        "strict": False,  # documents saved before 2026-11 still hold the dropped ``studied_by``
    }

    number = me.StringField(required=True, max_length=60)  # số/ký hiệu, e.g. 1150-CV/HU
    title = me.StringField(required=True, max_length=1000)
    doc_type = me.StringField(max_length=60)
    issuer = me.StringField(max_length=200)
    issued_on = me.DateTimeField(required=True)
    direction = me.StringField(choices=DIRECTIONS, default="issued")
    attachments = me.ListField(me.FileField(collection_name="attachments"))
    classification = me.StringField(choices=CLASSIFICATIONS, default="thuong")
    recipients = me.EmbeddedDocumentListField(Recipient)
    recipient_ids = me.ListField(me.ObjectIdField())
    #: stored so that the list shows "3 nơi nhận, 1 đã nhận" without reading the recipients
    recipient_count = me.IntField(default=0)
    received_count = me.IntField(default=0)

    @property
    def classified(self) -> bool:
        return (self.classification or "thuong") != "thuong"

    def recipient(self, org_id: object) -> Recipient | None:
        """The recipient line of ``org_id``, found through ``recipient_ids`` (same order as
        ``recipients``), so that no recipient organisation is loaded."""
        ids = list(self.recipient_ids or [])
        # ``_data``: the stored lines as they are; the field itself would load every recipient unit
        lines = self._data.get("recipients") or []
        return lines[ids.index(org_id)] if org_id in ids and len(ids) == len(lines) else None

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
        if self.classified and self.attachments:
            raise me.ValidationError(errors={"attachments": CLASSIFIED_NOTE})
        for r in self.recipients:
            if r.organisation is not None:
                r.org_name = r.organisation.name
        self.recipient_ids = [r.organisation.pk for r in self.recipients if r.organisation is not None]
        self.recipient_count = len(self.recipient_ids)
        self.received_count = sum(1 for r in self.recipients if r.received_on is not None)
        super().clean()

    def _search_text(self) -> list[object]:
        return [self.org_name, self.number, self.title, self.issuer, self.doc_type]


class Attendance(me.EmbeddedDocument):
    """One party member on the roll call: present, or absent with or without a reason."""

    member = me.ReferenceField(Member)
    member_name = me.StringField()
    present = me.BooleanField(default=True)
    absence_kind = me.StringField(choices=ABSENCE_KINDS)
    absence_reason = me.StringField(max_length=300)


@owned
class Meeting(_OrgOwned):
    VERBOSE_NAME = "Cuộc họp"
    meta = {
        "collection": "meetings",
        "indexes": ["scope", "search_keys", "deleted_at", "kind", "held_on", "quality_issues",
                    ("scope", "held_on"),
                    ("scope", "deleted_at", "-held_on", "_id"), ("deleted_at", "-held_on", "_id")],
        "ordering": ["-held_on"],
    }

    held_on = me.DateTimeField(required=True)
    kind = me.StringField(choices=MEETING_KINDS, default="regular")
    topic = me.StringField(required=True, max_length=500)
    agenda = me.StringField(max_length=5000)
    discussion = me.StringField(max_length=20000)
    attendance = me.EmbeddedDocumentListField(Attendance)
    conclusions = me.StringField(max_length=20000)
    attachments = me.ListField(me.FileField(collection_name="attachments"))
    #: roll-call counts, stored so that lists and reports read no attendee
    member_count = me.IntField(default=0)
    present_count = me.IntField(default=0)
    excused_count = me.IntField(default=0)
    unexcused_count = me.IntField(default=0)

    RULES = {
        "topic": Rule("Chủ đề", normalize.text, required=True),
        "agenda": Rule("Chương trình", normalize.multiline),
        "discussion": Rule("Tóm tắt thảo luận", normalize.multiline),
        "conclusions": Rule("Kết luận", normalize.multiline),
    }

    def __str__(self) -> str:
        return f"{normalize.format_date(self.held_on)} — {self.topic}"

    def clean(self) -> None:
        self.held_on = normalize.to_datetime(self.held_on)
        if self.kind in COMMITTEE_ONLY_KINDS and self.organisation is not None and self.organisation.kind != "committee":
            label = dict(MEETING_KINDS)[self.kind]
            raise me.ValidationError(errors={"kind": f"{label} chỉ có ở đảng bộ, không có ở chi bộ."})
        for a in self.attendance:
            if a.member is not None:
                a.member_name = a.member.full_name
                if not a.member.is_party_member:
                    raise me.ValidationError(errors={"attendance": f"Chỉ điểm danh đảng viên: {a.member_name} không phải đảng viên."})
            a.absence_reason = normalize.text(a.absence_reason)
            if a.present:
                a.absence_kind, a.absence_reason = None, None
            elif a.absence_kind is None:
                # legacy roll calls: a written reason means an excused absence
                a.absence_kind = "excused" if a.absence_reason else "unexcused"
            if a.absence_kind == "excused" and not a.absence_reason:
                raise me.ValidationError(errors={"attendance": f"Vắng có lý do phải ghi lý do: {a.member_name}."})
        self.member_count = len(self.attendance)
        self.present_count = sum(1 for a in self.attendance if a.present)
        self.excused_count = sum(1 for a in self.attendance if not a.present and a.absence_kind == "excused")
        self.unexcused_count = self.member_count - self.present_count - self.excused_count
        super().clean()

    def _search_text(self) -> list[object]:
        return [self.org_name, self.topic]


@follows_renames
def _recipients_follow(org: Organisation) -> int:
    """A renamed unit's name on the recipient lines of the documents sent to it (one
    update: the positional ``$`` names the unit's own line of each document)."""
    PartyDocument.objects(recipients__organisation=org.pk).update(set__recipients__S__org_name=org.name)
    return 1
