"""Declaration rounds: cadres and members declare their own sites and accounts.

A round (``DeclarationRound``) is opened by an officer for a unit; each chosen person gets
one ``DeclarationLink`` carrying only the SHA-256 of a random token. What the person sends
is a ``Declaration`` (one per submission, all kept); nothing reaches forms 1 and 2 before an
officer approves it (``services.declaration``).
"""

from __future__ import annotations

import hashlib

import mongoengine as me

from . import normalize
from .base import ScopedDocument, owned, utcnow
from .member import Member
from .organisation import Organisation

#: where a person's link stands in the round (the progress figures)
LINK_STATES = [
    ("not_opened", "Chưa mở"), ("opened", "Đã mở, chưa gửi"), ("waiting", "Chờ duyệt"),
    ("returned", "Bị trả lại"), ("approved", "Đã khai và được duyệt"), ("none", "Không có gì để khai"),
]
SUBMISSION_STATES = [("waiting", "Chờ duyệt"), ("approved", "Đã duyệt"), ("returned", "Trả lại"),
                     ("superseded", "Đã có bản gửi sau")]
ITEM_ACTIONS = [("keep", "Vẫn đúng"), ("correct", "Sửa lại"), ("gone", "Không còn sử dụng"), ("add", "Thêm mới")]
ITEM_KINDS = [("site", "Trang web/blog"), ("account", "Tài khoản mạng xã hội")]


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256 (the token has 130 random bits, no salt needed)."""
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


@owned
class DeclarationRound(ScopedDocument):
    """An officer's call to declare, for a unit (its scope is the unit's)."""

    VERBOSE_NAME = "Đợt khai báo"
    meta = {"collection": "declaration_rounds",
            "indexes": ["scope", "deleted_at", ("scope", "deleted_at", "-created_at", "_id"),
                        ("deleted_at", "-created_at", "_id")],
            "ordering": ["-created_at"]}

    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)
    title = me.StringField(required=True, max_length=200)
    closes_on = me.DateTimeField(required=True)  # last calendar day (Vietnam) to declare
    closed_at = me.DateTimeField(null=True)  # closed early by an officer
    opened_by = me.StringField(max_length=200)
    people = me.IntField(default=0)

    def clean(self) -> None:
        self.title = normalize.text(self.title)
        self.closes_on = normalize.to_datetime(self.closes_on)
        super().clean()

    def copy_owner(self) -> None:
        self.follow_organisation(self.organisation)

    @property
    def is_open(self) -> bool:
        return (self.closed_at is None and self.deleted_at is None and self.closes_on is not None
                and normalize.today() <= self.closes_on.date())

    def __str__(self) -> str:
        return self.title or ""


@owned
class DeclarationLink(ScopedDocument):
    """One person's link in one round; its scope is the person's cell's."""

    VERBOSE_NAME = "Liên kết khai báo"
    meta = {"collection": "declaration_links",
            "indexes": ["scope", "deleted_at", "state", "member",
                        {"fields": ["token_hash"], "unique": True},
                        {"fields": ["round", "member"], "unique": True},
                        ("round", "org_key", "member_sort_key", "_id"), ("round", "state", "org_key", "member_sort_key", "_id"),
                        ("round", "scope", "state")],
            "ordering": ["org_key", "member_sort_key"]}

    round = me.ReferenceField(DeclarationRound, required=True, reverse_delete_rule=me.CASCADE)
    member = me.ReferenceField(Member, required=True, reverse_delete_rule=me.CASCADE)
    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)
    member_name = me.StringField()
    member_sort_key = me.StringField()
    #: 128 random bits; the token is HMAC(SECRET_KEY, seed) (``services.declaration``): the
    #: database holds no token, only this seed and the token's SHA-256 (looked up by equality)
    seed = me.StringField(required=True)
    token_hash = me.StringField(required=True)
    state = me.StringField(choices=LINK_STATES, default="not_opened")
    revoked_at = me.DateTimeField(null=True)
    opened_at = me.DateTimeField(null=True)
    return_reason = me.StringField(max_length=1000)
    #: one-time value of the form last shown: a submission sent twice (replayed) is refused
    form_nonce = me.StringField()
    submissions = me.IntField(default=0)

    def copy_owner(self) -> None:
        self.follow_organisation(self.organisation)
        if self.member is not None:
            self.member_name, self.member_sort_key = self.member.full_name, self.member.sort_key


class DeclItem(me.EmbeddedDocument):
    """One line of a declaration: a registered record kept/corrected/given up, or a new one."""

    kind = me.StringField(choices=ITEM_KINDS, required=True)
    action = me.StringField(choices=ITEM_ACTIONS, required=True)
    target = me.ObjectIdField()  # the registered record (not for "add")
    label = me.StringField()  # how the record is named to people (platform: name, or site)
    values = me.DictField()  # the normalised values declared (correct/add)
    before = me.DictField()  # the record's values when the person declared
    decision = me.StringField(choices=[("", ""), ("approved", "Đã duyệt"), ("returned", "Trả lại")], default="")
    applied = me.ObjectIdField()  # the record written on approval
    note = me.StringField()  # why the write could not be made, or the duplicate found


@owned
class Declaration(ScopedDocument):
    """One submission of a person in a round (every one is kept; the last one counts)."""

    VERBOSE_NAME = "Bản khai"
    meta = {"collection": "declarations",
            "indexes": ["scope", "deleted_at", "member", ("link", "number"),
                        ("round", "state", "org_key", "member_sort_key", "_id"),
                        ("round", "scope", "state", "org_key", "member_sort_key", "_id")],
            "ordering": ["org_key", "member_sort_key"]}

    round = me.ReferenceField(DeclarationRound, required=True, reverse_delete_rule=me.CASCADE)
    link = me.ReferenceField(DeclarationLink, required=True, reverse_delete_rule=me.CASCADE)
    member = me.ReferenceField(Member, required=True, reverse_delete_rule=me.CASCADE)
    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)
    member_name = me.StringField()
    member_sort_key = me.StringField()
    number = me.IntField(default=1)
    submitted_at = me.DateTimeField(default=utcnow)
    none_to_declare = me.BooleanField(default=False)
    items = me.EmbeddedDocumentListField(DeclItem)
    state = me.StringField(choices=SUBMISSION_STATES, default="waiting")
    return_reason = me.StringField(max_length=1000)
    reviewed_by = me.StringField(max_length=200)
    reviewed_at = me.DateTimeField(null=True)

    def copy_owner(self) -> None:
        self.follow_organisation(self.organisation)
        if self.member is not None:
            self.member_name, self.member_sort_key = self.member.full_name, self.member.sort_key

    @property
    def changes(self) -> list[DeclItem]:
        """The lines an officer has to decide on (a record still correct needs no decision)."""
        return [i for i in self.items if i.action != "keep"]
