"""Cadres and party members (regulation, Điều 6)."""

from __future__ import annotations

import mongoengine as me

from . import normalize
from .base import Rule, ScopedDocument, owned
from .organisation import Organisation

GENDERS = [("nam", "Nam"), ("nu", "Nữ"), ("khac", "Khác")]
STATUSES = [
    ("active", "Đang sinh hoạt"),
    ("transferred", "Đã chuyển sinh hoạt"),
    ("deceased", "Đã từ trần"),
    ("exempt", "Miễn sinh hoạt"),
    ("removed", "Đã ra khỏi Đảng"),
]
ROLES = [("bi_thu", "Bí thư"), ("pho_bi_thu", "Phó Bí thư"), ("cap_uy_vien", "Cấp ủy viên"), ("thu_ky", "Thư ký")]
LEFT_STATUSES = {"transferred", "deceased", "removed"}


class Transfer(me.EmbeddedDocument):
    """One move between cells; the history is kept on the member."""

    from_org = me.ReferenceField(Organisation)
    from_name = me.StringField()
    to_org = me.ReferenceField(Organisation)
    to_name = me.StringField()
    on = me.DateTimeField()
    note = me.StringField(max_length=500)


@owned
class Member(ScopedDocument):
    VERBOSE_NAME = "Người trong danh sách"
    NAME_IN_SEARCH_KEYS = True  # the cell's name is searchable (pickers)
    meta = {
        "collection": "members",
        "indexes": [
            "scope", "search_keys", "quality_issues", "status", "organisation", ("org_key", "sort_key"),
            "phone", "email", "roles", "deleted_at", "joined_on", "left_on", "sort_key", "is_party_member",
            "admission_date",
            # the list's count and default sort under a scope (and for the top administrator)
            ("scope", "deleted_at", "org_key", "sort_key", "_id"), ("deleted_at", "org_key", "sort_key", "_id"),
            ("scope", "status", "declared", "deleted_at"),  # "no account yet"
            {"fields": ["party_card_number"], "unique": True, "sparse": True},
        ],
        "ordering": ["org_key", "sort_key"],
    }

    full_name = me.StringField(required=True, max_length=120)
    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)
    position = me.StringField(max_length=200)
    is_party_member = me.BooleanField(default=True)
    date_of_birth = me.DateTimeField()
    gender = me.StringField(choices=GENDERS)
    party_card_number = me.StringField(max_length=20)
    admission_date = me.DateTimeField()
    official_date = me.DateTimeField()
    phone = me.StringField(max_length=20)
    email = me.StringField(max_length=254)
    status = me.StringField(choices=STATUSES, default="active")
    roles = me.ListField(me.StringField(choices=ROLES))
    joined_on = me.DateTimeField()  # entered the register (admission or arrival)
    left_on = me.DateTimeField()  # death, transfer out, removal
    left_reason = me.StringField(max_length=500)
    transfers = me.EmbeddedDocumentListField(Transfer)
    notes = me.StringField(max_length=2000)
    sort_key = me.StringField()
    #: live sites + social accounts of the person, kept by ``models.accounts.recount_declarations``
    #: on every write: the dashboard's "no account yet" figure and list are then an indexed
    #: match (``declared == 0``) instead of a join or a list of ids sent back to the store
    declared = me.IntField(default=0)

    RULES = {
        "full_name": Rule("Họ và tên", normalize.text, required=True),
        "position": Rule("Cấp bậc, chức vụ", normalize.text, required=True),
        "phone": Rule("Số điện thoại", normalize.phone),
        "email": Rule("Email", normalize.email),
        "party_card_number": Rule("Số thẻ đảng viên", normalize.text),
        "left_reason": Rule("Lý do", normalize.text),
        "notes": Rule("Ghi chú", normalize.multiline),
    }

    def __str__(self) -> str:
        return f"{self.full_name} ({self.org_name})" if self.org_name else (self.full_name or "")

    def clean(self) -> None:
        if not self.party_card_number:
            self.party_card_number = None  # unique only when present (sparse index)
        for name in ("date_of_birth", "admission_date", "official_date", "joined_on", "left_on"):
            setattr(self, name, normalize.to_datetime(getattr(self, name)))
        if self.status in LEFT_STATUSES and not self.left_on:
            raise me.ValidationError(errors={"left_on": "Ngày rời danh sách: bắt buộc khi đảng viên chuyển đi, từ trần hoặc ra khỏi Đảng."})
        if self.official_date and self.admission_date and self.official_date < self.admission_date:
            raise me.ValidationError(errors={"official_date": "Ngày chính thức không được trước ngày vào Đảng."})
        super().clean()

    def copy_owner(self) -> None:
        self.follow_organisation(self.organisation)

    def compute_keys(self) -> None:
        if not self.joined_on:
            self.joined_on = normalize.to_datetime(self.admission_date) or self.created_at
        self.sort_key = normalize.vn_sort_key(self.full_name)
        self.search_keys = normalize.search_tokens(
            self.full_name, self.position, self.party_card_number, self.email, self.org_name
        ) + ([self.phone] if self.phone else [])

    #: what a member's sites and accounts copy of them (columns (2)–(4) of the forms)
    _SHOWN_BY_ACCOUNTS = frozenset({"full_name", "position", "organisation"})

    def save(self, *args, **kwargs):  # type: ignore[override]
        # a moved organisation is followed by ``refresh_subtree`` (bulk, by organisation);
        # a member's own change is copied to their few sites and accounts here
        follow = bool(self.pk) and bool(set(self._changed_fields or []) & self._SHOWN_BY_ACCOUNTS)
        result = super().save(*args, **kwargs)
        if follow:
            from .accounts import Site, SocialAccount

            for model in (Site, SocialAccount):
                for doc in model.objects(member=self):
                    doc.save_legacy() if doc.quality_issues else doc.save()
        return result
