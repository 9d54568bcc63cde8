"""Cadres and party members (regulation, Điều 6)."""

from __future__ import annotations

import datetime as dt

import mongoengine as me

from . import normalize, search
from .base import Rule, ScopedDocument, owned, utcnow
from .locks import held
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
#: whether the owner of a site/account is still in the register (forms 1 and 2, annual totals)
OWNER_STATUSES = [("current", "Đang trong danh sách"), ("departed", "Đã rời danh sách")]
#: the member's login on the "Sổ tay đảng viên điện tử" platform (Điều 6 khoản 2)
HANDBOOK_STATES = [("none", "Chưa có"), ("proposed_create", "Đề nghị tạo"), ("created", "Đã tạo"),
                   ("proposed_delete", "Đề nghị xóa"), ("deleted", "Đã xóa")]
#: a unit has at most one of these at any date (Điều 6 khoản 1 điểm b)
SINGLE_ROLES = {"bi_thu"}


class RoleGrant(me.EmbeddedDocument):
    """A party role held in a unit for a term; ``end`` empty while it runs."""

    role = me.StringField(choices=ROLES, required=True)
    unit = me.ReferenceField(Organisation)
    unit_name = me.StringField()
    start = me.DateTimeField(required=True)
    end = me.DateTimeField()
    note = me.StringField(max_length=300)

    def covers(self, day: dt.datetime) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)

    def overlaps(self, other: RoleGrant) -> bool:
        far = dt.datetime.max
        return self.start <= (other.end or far) and other.start <= (self.end or far)


class Transfer(me.EmbeddedDocument):
    """One move between cells; the history is kept on the member."""

    from_org = me.ReferenceField(Organisation)
    from_name = me.StringField()
    to_org = me.ReferenceField(Organisation)
    to_name = me.StringField()
    on = me.DateTimeField()
    note = me.StringField(max_length=500)
    decision_number = me.StringField(max_length=60)


@owned
class Member(ScopedDocument):
    VERBOSE_NAME = "Người trong danh sách"
    NAME_IN_SEARCH_KEYS = True  # the cell's name is searchable (pickers)
    meta = {
        "collection": "members",
        "indexes": [
            "scope", "search_keys", "quality_issues", "status", "organisation", ("org_key", "sort_key"),
            "phone", "email", "roles", "deleted_at", "joined_on", "left_on", "sort_key", "is_party_member",
            "admission_date", "handbook_state", "in_transfer",
            ("role_grants.unit", "role_grants.role"), ("role_grants.role", "role_grants.start"),
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
    in_transfer = me.BooleanField(default=False)  # "đang chuyển": a transfer awaits the receiver
    role_grants = me.EmbeddedDocumentListField(RoleGrant)
    handbook_state = me.StringField(choices=HANDBOOK_STATES, default="none")
    handbook_changed_on = me.DateTimeField()
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
        self._check_grants()
        super().clean()

    def copy_owner(self) -> None:
        self.follow_organisation(self.organisation)

    @property
    def owner_status(self) -> str:
        return self.owner_status_of(self.status)

    @staticmethod
    def owner_status_of(status: str | None) -> str:
        """Whether the person's records show them in the register or gone from it."""
        return "departed" if status in LEFT_STATUSES else "current"

    def roles_on(self, day: dt.datetime) -> list[str]:
        return sorted({g.role for g in self.role_grants if g.covers(day)})

    def _check_grants(self) -> None:
        """Terms are well formed, and no other person holds a single-holder role in the
        same unit on an overlapping term (a second Bí thư is refused)."""
        for g in self.role_grants:
            g.start, g.end = normalize.to_datetime(g.start), normalize.to_datetime(g.end)
            if g.unit is None:
                g.unit = self.organisation
            g.unit_name = g.unit.name if g.unit is not None else g.unit_name
            if g.end and g.start and g.end < g.start:
                raise me.ValidationError(errors={"role_grants": "Nhiệm kỳ: ngày kết thúc không được trước ngày bắt đầu."})
            if g.end is None and self.status in LEFT_STATUSES and self.left_on and g.start <= self.left_on:
                g.end = self.left_on  # a person who left holds no role from that day
        for g in self.role_grants:
            if g.role not in SINGLE_ROLES or g.unit is None:
                continue
            others = Member.objects(pk__ne=self.pk, deleted_at=None,
                                    role_grants__match={"unit": g.unit.pk, "role": g.role})
            for other in others.only("full_name", "role_grants"):
                # the same party post (Bí thư…) in the same unit: ``(post, unit)`` pairs compared
                clash = next((o for o in other.role_grants if o.unit is not None
                              and (o.role, o.unit.pk) == (g.role, g.unit.pk) and o.overlaps(g)), None)
                if clash is not None:
                    label = dict(ROLES)[g.role]
                    raise me.ValidationError(errors={"role_grants": (
                        f"{g.unit_name} đã có {label} là {other.full_name} từ {normalize.format_date(clash.start)}"
                        + (f" đến {normalize.format_date(clash.end)}" if clash.end else "")
                        + f": mỗi đơn vị chỉ có một {label} tại một thời điểm.")})

    def compute_keys(self) -> None:
        if self.role_grants:  # the current roles, for the list and its filter
            self.roles = self.roles_on(normalize.today_stored())
        if not self.joined_on:
            # a calendar date, as typed ones are: the day the person was entered, in Vietnam
            self.joined_on = normalize.to_datetime(self.admission_date or normalize.local_date(self.created_at or utcnow()))
        self.sort_key = normalize.vn_sort_key(self.full_name)
        self.search_keys = search.search_tokens(
            self.full_name, self.position, self.party_card_number, self.email, self.org_name
        ) + ([self.phone] if self.phone else [])

    def save(self, *args, **kwargs):  # type: ignore[override]
        """Write this member and nothing else (follow-up work: ``services.members.save``).

        The one-holder check (``_check_grants``, run by validate inside save) and the write
        happen under a lock per unit and role: two officers naming two Bí thư of one cell
        at the same moment cannot both pass the check."""
        keys = {f"single-role:{(g.unit or self.organisation).pk}:{g.role}" for g in self.role_grants
                if g.role in SINGLE_ROLES and (g.unit or self.organisation) is not None}
        with held(keys, busy=lambda: me.ValidationError(errors={"role_grants": (
                "Đang có người khác cập nhật chức vụ của đơn vị này; hãy thử lại sau giây lát.")})):
            return super().save(*args, **kwargs)
