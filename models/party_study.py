"""Resolution study campaigns (học tập, quán triệt nghị quyết; regulation Điều 5, Điều 7
khoản 2, Điều 12 khoản 5 điểm f).

A campaign is launched by a unit for a document and a period; every active party member
of that unit's subtree is expected to study it. One :class:`StudyRecord` per member who
has studied (at a meeting or individually), unique per campaign and member; "not yet"
is the absence of a record.
"""

from __future__ import annotations

import mongoengine as me

from . import normalize, search
from .base import Rule, ScopedDocument, owned
from .member import Member
from .organisation import Organisation
from .party_work import Meeting, PartyDocument

STUDY_WAYS = [("meeting", "Tại buổi sinh hoạt"), ("individual", "Tự học, học bù")]


@owned
class StudyCampaign(ScopedDocument):
    VERBOSE_NAME = "Đợt học tập nghị quyết"
    NAME_IN_SEARCH_KEYS = True
    meta = {
        "collection": "study_campaigns",
        "indexes": ["scope", "search_keys", "deleted_at", "organisation", "starts_on", "ends_on", "quality_issues",
                    # the list's count and default sort under a scope (and for the top administrator)
                    ("scope", "deleted_at", "-starts_on", "_id"), ("deleted_at", "-starts_on", "_id")],
        "ordering": ["-starts_on"],
    }

    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)
    document = me.ReferenceField(PartyDocument, reverse_delete_rule=me.NULLIFY)
    document_label = me.StringField()
    title = me.StringField(required=True, max_length=500)
    starts_on = me.DateTimeField(required=True)
    ends_on = me.DateTimeField(required=True)
    notes = me.StringField(max_length=5000)

    RULES = {
        "title": Rule("Tên đợt học tập", normalize.text, required=True),
        "notes": Rule("Ghi chú", normalize.multiline),
    }

    def __str__(self) -> str:
        return self.title or ""

    def clean(self) -> None:
        self.starts_on = normalize.to_datetime(self.starts_on)
        self.ends_on = normalize.to_datetime(self.ends_on)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise me.ValidationError(errors={"ends_on": "Ngày kết thúc không được trước ngày bắt đầu."})
        super().clean()

    def copy_owner(self) -> None:
        self.follow_organisation(self.organisation)
        self.document_label = str(self.document) if self.document is not None else None

    def compute_keys(self) -> None:
        self.search_keys = search.search_tokens(self.title, self.document_label, self.org_name)


@owned
class StudyRecord(ScopedDocument):
    """One member has studied one campaign's document; owned by the member's cell."""

    VERBOSE_NAME = "Kết quả học tập nghị quyết"
    meta = {
        "collection": "study_records",
        "indexes": ["scope", "deleted_at", "meeting", ("campaign", "scope"),
                    {"fields": ["campaign", "member"], "unique": True}],
    }

    campaign = me.ReferenceField(StudyCampaign, required=True, reverse_delete_rule=me.CASCADE)
    member = me.ReferenceField(Member, required=True, reverse_delete_rule=me.CASCADE)
    member_name = me.StringField()
    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)
    studied_on = me.DateTimeField(required=True)
    way = me.StringField(choices=STUDY_WAYS, default="individual")
    meeting = me.ReferenceField(Meeting, reverse_delete_rule=me.NULLIFY)

    def clean(self) -> None:
        self.studied_on = normalize.to_datetime(self.studied_on)
        if self.member is not None:
            self.organisation = self.member.organisation
        super().clean()

    def copy_owner(self) -> None:
        self.follow_organisation(self.organisation)
        self.member_name = self.member.full_name if self.member is not None else None
