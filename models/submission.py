"""Reports sent upward (directive 1150-CV/HU; regulation Điều 12 khoản 5): a submission is a
fixed statement. Sending freezes a snapshot (the figures and the rows as printed, the title
and signature blocks as printed, who sent it and when, the file itself); reopening keeps it
and the next send is a new version. Nothing here changes once written, except the
``reopened_*`` marks of a version that was reopened.

A submission belongs to its ``organisation`` (owned: it follows moves, and when the unit is
merged its submissions go to the receiving unit, where they count for its part of the
period) and remembers the unit that sent it (``sender``, ``sender_name``), which never changes.
"""

from __future__ import annotations

import mongoengine as me
from bson import ObjectId

from .base import FollowsOrganisation, owned, utcnow
from .organisation import Organisation

#: report kind -> its name as shown and printed
KINDS = [("annual", "Báo cáo tổng số trang web, blog, tài khoản mạng xã hội (HD 1150-CV/HU)"),
         ("meetings", "Báo cáo kết quả sinh hoạt chi bộ, học tập nghị quyết"),
         ("proposals", "Danh sách đề nghị tạo, xóa tài khoản Sổ tay đảng viên")]


def kind_phrase(kind: str) -> str:
    """The kind's name inside a sentence: "gửi báo cáo tổng số … (HD 1150-CV/HU)"."""
    name = dict(KINDS)[kind]
    return name[0].lower() + name[1:]
STATES = [("sent", "Đã gửi"), ("reopened", "Đã mở lại để sửa")]


@owned
class Submission(FollowsOrganisation, me.Document):
    VERBOSE_NAME = "Báo cáo đã gửi"
    ORG_COPIES = {"scope": "scope", "depth": "depth"}

    meta = {
        "collection": "submissions",
        "indexes": [
            "scope", "organisation", "sender",
            {"fields": ["sender", "kind", "period", "version"], "unique": True},
            ("scope", "kind", "period", "-sent_at"),
            ("scope", "kind", "period", "state", "depth"),  # the dashboard: units directly below that sent
            ("organisation", "kind", "period", "-version"),
        ],
        "ordering": ["-sent_at"],
    }

    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)
    scope = me.ListField(me.ObjectIdField())
    depth = me.IntField()  # the holding unit's depth in the tree
    sender = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)
    sender_name = me.StringField(required=True)
    kind = me.StringField(required=True, choices=KINDS)
    period = me.StringField(required=True, regex=r"^\d{4}(-\d{2})?$")  # "2026" or "2026-11"
    version = me.IntField(required=True, min_value=1)
    state = me.StringField(required=True, choices=STATES, default="sent")
    sent_at = me.DateTimeField(required=True, default=utcnow)
    sent_by = me.StringField(required=True)
    sent_on = me.DateTimeField(required=True)  # Vietnam's calendar date of sending (deadline)
    due_on = me.DateTimeField(required=True)
    signer_title = me.StringField()  # as printed
    signer_name = me.StringField()
    #: the snapshot: {"figures": {...}, "units": [...], "tables": [...], "rows": {...}, "block": {...}}
    snapshot = me.DictField()
    invalid_rows = me.IntField(default=0)  # rows carrying invalid or missing mandatory data
    quality_confirmed = me.BooleanField(default=False)  # sent anyway, knowingly
    file = me.BinaryField()  # the workbook exactly as sent
    file_sha256 = me.StringField()
    reopened_at = me.DateTimeField()
    reopened_by = me.StringField()
    reopen_reason = me.StringField(max_length=1000)

    def __str__(self) -> str:
        return f"{dict(KINDS)[self.kind]} {self.period} — {self.sender_name} (lần {self.version})"

    def _ref(self, name: str) -> ObjectId | None:
        """A reference's id without loading the document it names (no query)."""
        value = self._data.get(name)
        return getattr(value, "id", None) or getattr(value, "pk", None) or value

    @property
    def sender_id(self) -> ObjectId | None:
        return self._ref("sender")

    @property
    def organisation_id(self) -> ObjectId | None:
        return self._ref("organisation")

    @property
    def late(self) -> bool:
        return self.sent_on > self.due_on


__all__ = ["KINDS", "STATES", "Submission", "kind_phrase"]
