"""Personal websites/blogs (form 1) and social-network accounts (form 2)."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable

import mongoengine as me

from . import layouts, normalize, platforms, search
from .base import ScopedDocument, owned, utcnow
from .member import OWNER_STATUSES, Member
from .organisation import Organisation

PLATFORMS = platforms.PLATFORMS  # the canonical list, with its synonyms, lives in models.platforms
LINK_TYPES = [("personal", "Cá nhân"), ("page", "Trang"), ("group", "Hội nhóm")]
ADMIN_ROLES = ["Quản trị viên", "Người kiểm duyệt", "Biên tập viên", "Người kiểm duyệt nội dung", "Thành viên"]
PURPOSES = ["Tuyên truyền", "Đấu tranh phản bác", "Trao đổi công việc", "Cá nhân", "Kinh doanh", "Khác"]


class _Owned(ScopedDocument):
    """Common part of forms 1 and 2: columns (2)–(4) come from the owner."""

    meta = {"abstract": True}
    NAME_IN_SEARCH_KEYS = True
    #: the official layout of the form (columns, their "(n)" labels, the ``RULES``)
    LAYOUT: layouts.FormLayout

    member = me.ReferenceField(Member, required=True, reverse_delete_rule=me.DENY)
    organisation = me.ReferenceField(Organisation, reverse_delete_rule=me.DENY)
    # org_name (inherited) is column (2) Chi bộ
    member_name = me.StringField()  # (3) Họ và tên
    member_sort_key = me.StringField()
    position = me.StringField()  # (4) Cấp bậc, chức vụ
    owner_status = me.StringField(choices=OWNER_STATUSES, default="current")  # departed owners leave the forms
    owner_party = me.BooleanField(default=True)  # party member, or non-party civil servant
    #: digest of what the printed row shows; the update date moves only when it changes
    content_digest = me.StringField()
    registration_phone = me.StringField(max_length=20)
    registration_email = me.StringField(max_length=254)
    established_on = me.DateTimeField()
    updated_on = me.DateTimeField()
    purpose = me.StringField(max_length=300)

    def clean(self) -> None:
        for name in ("established_on", "updated_on", "expires_on"):
            if name in self._fields:
                setattr(self, name, normalize.to_datetime(getattr(self, name)))
        # every problem at once, each on its field: a refused date does not hide the rules'
        # or the cross-field problems (imports.records runs the same steps on plain values)
        before = self.check_before(self._data) or {}
        try:
            super().clean()
        except me.ValidationError as exc:
            if not before:
                raise
            raise me.ValidationError(exc.message, errors={**before, **(exc.errors or {})}) from None
        # the update date ("Thời gian cập nhật cơ sở dữ liệu") follows every real change of
        # the printed row, whoever makes it (screen, import, transfer, owner's edit); a date
        # given explicitly (an imported column) is kept as given
        for name, value in self.stamp(self._data, getattr(self.member, "pk", None),
                                      "updated_on" in (getattr(self, "_changed_fields", None) or ())).items():
            setattr(self, name, value)
        errors = {**before, **(self.check_after(self._data) or {})}
        if errors:
            raise me.ValidationError(errors=errors)

    # The rules below work on plain field values (``Document._data``, or an imported
    # record before it is a document): the model and the import share one implementation.

    @classmethod
    def check_before(cls, data: dict) -> dict[str, str] | None:
        """What is refused before the rules run (dates already ``datetime``); reported with
        the rules' or the cross-field problems, never instead of them."""
        start = data.get("established_on")
        if start and start.date() > normalize.today():
            return {"established_on": f"{cls.LAYOUT.label('established_on')}: không được sau ngày hôm nay."}
        return None

    @classmethod
    def check_after(cls, data: dict) -> dict[str, str] | None:
        """What is refused once the rules have normalised the values."""
        return None

    @classmethod
    def stamp(cls, data: dict, member_id: object, explicit_update: bool) -> dict[str, object]:
        """The new ``content_digest`` and, when the printed row changed (or no date is
        known), ``updated_on`` = today (a record stored before digests existed only gets
        its digest: no change is known)."""
        digest = cls.digest_of(data, member_id)
        changed = data.get("content_digest") is not None and digest != data.get("content_digest")
        out: dict[str, object] = {"content_digest": digest}
        if not data.get("updated_on") or (changed and not explicit_update):
            out["updated_on"] = normalize.today_stored()
        return out

    _NOT_CONTENT = frozenset({"id", "updated_on", "content_digest", "modified_at", "created_at", "search_keys",
                              "quality_issues", "member_sort_key", "org_key", "scope", "deleted_at", "domain_key",
                              "url_key"})

    @classmethod
    def digest_of(cls, data: dict, member_id: object) -> str:
        """Digest of what the printed row shows."""
        parts = [f"{name}={data.get(name)!s}" for name in cls._content_fields()]
        parts.append(f"member={member_id}")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    @classmethod
    def _content_fields(cls) -> list[str]:
        cached = cls.__dict__.get("_CONTENT_FIELDS")
        if cached is None:
            cached = [name for name in sorted(cls._fields) if name not in cls._NOT_CONTENT
                      and name not in ("member", "organisation")]
            cls._CONTENT_FIELDS = cached
        return cached

    @classmethod
    def owner_values(cls, member: Member) -> dict[str, object]:
        """What the record copies of its owner: columns (2)–(4) and their place."""
        return {"organisation": member.organisation, "scope": list(member.scope), "org_name": member.org_name,
                "org_key": member.org_key, "member_name": member.full_name, "member_sort_key": member.sort_key,
                "position": member.position, "owner_status": member.owner_status,
                "owner_party": bool(member.is_party_member)}

    def copy_owner(self) -> None:
        member = self.member
        if member is not None:
            for name, value in self.owner_values(member).items():
                setattr(self, name, value)

    def save(self, *args, **kwargs):  # type: ignore[override]
        before = None
        if self.pk is not None and "member" in getattr(self, "_changed_fields", []):
            old = type(self).objects(pk=self.pk).only("member").as_pymongo().first()
            before = old.get("member") if old else None
        result = super().save(*args, **kwargs)
        recount_declarations([self.member.pk if self.member else None, before])
        return result

    def delete(self, *args, **kwargs):  # type: ignore[override]
        owner = self.member.pk if self.member else None
        result = super().delete(*args, **kwargs)
        recount_declarations([owner])
        return result

    def compute_keys(self) -> None:
        for name, value in self.keys_of(self._data).items():
            setattr(self, name, value)

    #: (address field, its comparison key field): ``domain``/``domain_key`` (form 1),
    #: ``url``/``url_key`` (form 2); the key is also searched
    ADDRESS: tuple[str, str] | None = None

    @classmethod
    def keys_of(cls, data: dict) -> dict[str, object]:
        """Search keys and the address's comparison key, from plain values."""
        out = {}
        if cls.ADDRESS:
            field, key_field = cls.ADDRESS
            out[key_field] = normalize.address_key(data.get(field))
            data = dict(data, **out)  # the search keys include the address key
        email = data.get("registration_email")
        out["search_keys"] = sorted(set(
            search.search_tokens(data.get("member_name"), data.get("org_name"), data.get("purpose"),
                                    *cls._own_text_of(data))
            + [v for v in (data.get("registration_phone"), email and email.lower()) if v]
        ))
        return out

    @classmethod
    def _own_text_of(cls, data: dict) -> list[object]:
        return []


@owned
class Site(_Owned):
    """Form 1, columns (5)–(13)."""

    VERBOSE_NAME = "Trang web/blog"
    ADDRESS = ("domain", "domain_key")
    meta = {
        "collection": "sites",
        "indexes": [
            "scope", "search_keys", "quality_issues", "deleted_at", "established_on", "expires_on",
            "owner_status", "owner_party", "created_at",  # created_at: the lists behind the figures
            "updated_on", "purpose", "domain_key", "registration_phone", "registration_email",
            ("org_key", "member_sort_key"), "member_sort_key",
            ("scope", "deleted_at", "org_key", "member_sort_key", "_id"),
            ("deleted_at", "org_key", "member_sort_key", "_id"),
            ("scope", "deleted_at", "expires_on"), ("member", "deleted_at"),
            {"fields": ["member", "domain_key"], "unique": True},
        ],
        "ordering": ["org_key", "member_sort_key"],
    }

    site_name = me.StringField(max_length=300)  # (5)
    domain = me.StringField(max_length=500)  # (6)
    domain_key = me.StringField()
    server_location = me.StringField(max_length=200)  # (7) IP/place
    expires_on = me.DateTimeField()  # (11)

    LAYOUT = layouts.FORM1
    RULES = LAYOUT.rules()

    def __str__(self) -> str:
        return f"{self.site_name} ({self.domain})"

    @classmethod
    def check_after(cls, data: dict) -> dict[str, str] | None:
        end, start = data.get("expires_on"), data.get("established_on")
        if end and start and end < start:
            return {"expires_on": f"{cls.LAYOUT.label('expires_on')} không được trước thời gian thiết lập."}
        return None

    @classmethod
    def _own_text_of(cls, data: dict) -> list[object]:
        key = data.get("domain_key")
        host = (key or "").split("/")[0]
        return [data.get("site_name"), key, host, host.replace(".", " ")]


@owned
class SocialAccount(_Owned):
    """Form 2, columns (5)–(12)."""

    VERBOSE_NAME = "Tài khoản mạng xã hội"
    ADDRESS = ("url", "url_key")
    meta = {
        "collection": "social_accounts",
        "indexes": [
            "scope", "search_keys", "quality_issues", "deleted_at", "platform", "link_type", "admin_role",
            "owner_status", "owner_party", "created_at",  # created_at: the lists behind the figures
            "established_on", "updated_on", "purpose", "url_key", "registration_phone",
            "registration_email", ("org_key", "member_sort_key"), "member_sort_key",
            ("scope", "deleted_at", "org_key", "member_sort_key", "_id"),
            ("deleted_at", "org_key", "member_sort_key", "_id"),
            ("member", "deleted_at"),
            {"fields": ["member", "platform", "url_key"], "unique": True},
        ],
        "ordering": ["org_key", "member_sort_key"],
    }

    platform = me.StringField(max_length=40)  # (5)
    account_name = me.StringField(max_length=300)  # (6)
    url = me.StringField(max_length=1000)  # (7)
    url_key = me.StringField()
    link_type = me.StringField(choices=LINK_TYPES, default="personal")
    admin_role = me.StringField(max_length=100)  # (7) role on a page/group

    LAYOUT = layouts.FORM2
    RULES = LAYOUT.rules()

    def __str__(self) -> str:
        return f"{self.platform}: {self.account_name}"

    @property
    def link_text(self) -> str:
        """Column (7) as printed: the URL, and for pages/groups the role in brackets."""
        return layouts.link_text(self.url, self.link_type, self.admin_role)

    #: what each link type is called on the form
    _LINK_NAMES = dict(LINK_TYPES)

    @classmethod
    def check_after(cls, data: dict) -> dict[str, str] | None:
        """Every cross-field problem at once, each on its field (the form shows them there)."""
        platform, url, link_type = data.get("platform"), data.get("url"), data.get("link_type")
        label = cls.LAYOUT.label
        out: dict[str, str] = {}
        if link_type in ("page", "group") and not data.get("admin_role"):
            out["admin_role"] = f"{label('admin_role')}: bắt buộc với Trang/Hội nhóm (Quản trị viên, Người kiểm duyệt…)."
        if platforms.is_bare_host(url):
            out["url"] = f"{label('url')}: chỉ có tên miền của mạng xã hội, thiếu địa chỉ trang cá nhân/trang/nhóm."
        host_platform = platforms.platform_of_host(url)
        if platform and host_platform and platform not in (host_platform, "Khác"):
            out["platform"] = f"{label('platform')}: “{platform}” không khớp với đường dẫn (của {host_platform})."
        elif platform and platform != "Khác" and url and host_platform is None:
            out["platform"] = f"{label('platform')}: đường dẫn không phải của {platform}."
        shape = platforms.link_shape(url)
        if shape and link_type and shape != link_type and "url" not in out:
            out["link_type"] = (f"Loại đường dẫn: “{cls._LINK_NAMES.get(link_type, link_type)}” không khớp với đường dẫn, "
                                f"là địa chỉ của một {cls._LINK_NAMES[shape].lower()}.")
        elif link_type == "group" and host_platform in ("Facebook", "Zalo", "LinkedIn") and shape != "group" \
                and "url" not in out:
            out["link_type"] = ("Loại đường dẫn: “Hội nhóm” nhưng đường dẫn không phải địa chỉ nhóm "
                                f"của {host_platform} (ví dụ facebook.com/groups/…).")
        return out or None

    @classmethod
    def _own_text_of(cls, data: dict) -> list[object]:
        key = data.get("url_key") or ""
        return [data.get("platform"), data.get("account_name"), key, *key.split("/")[1:]]


def migrate_platforms() -> dict[str, int]:
    """Rewrite stored platform names in their canonical spelling (``Tiktok`` -> ``TikTok``,
    ``Face`` -> ``Facebook``). A record whose canonical twin already exists (same person,
    same address) is left as it is and counted as a conflict, never merged silently.
    Returns {"updated", "conflicts", "unknown"}."""
    counts = {"updated": 0, "conflicts": 0, "unknown": 0}
    collection = SocialAccount._get_collection()
    for stored in collection.distinct("platform"):
        try:
            canonical = platforms.platform(stored)
        except normalize.NormalizeError:
            counts["unknown"] += collection.count_documents({"platform": stored})
            continue
        if canonical == stored:
            continue
        for doc in collection.find({"platform": stored}, {"member": 1, "url_key": 1}):
            twin = {"member": doc["member"], "platform": canonical, "url_key": doc.get("url_key")}
            if collection.count_documents(twin, limit=1):
                counts["conflicts"] += 1
                continue
            collection.update_one({"_id": doc["_id"]}, {"$set": {"platform": canonical, "modified_at": utcnow()}})
            counts["updated"] += 1
    return counts


def recount_declarations(member_ids: Iterable[object]) -> None:
    """Set ``Member.declared`` (live sites + accounts) for these people: one aggregation per
    form and one update per distinct count, whatever the number of people. Called after
    every write that adds, removes, bins or restores a site or an account."""
    ids = list({i for i in member_ids if i is not None})
    if not ids:
        return
    counts: Counter = Counter()
    for model in (Site, SocialAccount):
        pipeline = [{"$match": {"member": {"$in": ids}, "deleted_at": None}},
                    {"$group": {"_id": "$member", "n": {"$sum": 1}}}]
        for row in model._get_collection().aggregate(pipeline):
            counts[row["_id"]] += row["n"]
    by_count: dict[int, list] = defaultdict(list)
    for i in ids:
        by_count[counts[i]].append(i)
    for n, group in by_count.items():
        Member.objects(pk__in=group).update(set__declared=n)
