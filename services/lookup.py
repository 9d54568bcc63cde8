"""Owner look-up ("Tra cứu"): who declared this phone, e-mail, address or name?

The officer pastes whatever a violation report holds. The query is classified once,
normalised through :mod:`models.normalize`, and answered by equality matches on
indexed keys (``url_key``, ``domain_key``, ``registration_phone``, ``phone``, ``email``,
``search_keys``) inside :func:`services.scope.visible` — never by a regex. The same
address or phone declared by two different people (within the user's scope) is flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId
from mongoengine import Q

from models import Member, Site, SocialAccount, normalize, search
from services import scope

MAX_PEOPLE = 50
MAX_RECORDS = 200
_PHONE_SHAPE = re.compile(r"^[+\d\s.\-()/]{8,}$")
_URL_SHAPE = re.compile(r"^\S*[a-z0-9-]\.[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    """What the officer typed, classified: ``phone``, ``email``, ``url`` or ``text``."""

    raw: str
    kind: str
    key: str = ""
    tokens: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.kind == "url":
            return "Đường dẫn" if "/" in self.key else "Tên miền"
        return {"phone": "Số điện thoại", "email": "Email", "text": "Họ tên hoặc tên tài khoản"}[self.kind]

    @property
    def no_match(self) -> str:
        """What "nothing found" means for this kind of query, in the officer's words."""
        if self.kind == "url" and "/" not in self.key:
            return (f"Không có trang web, blog hay tài khoản nào trong phạm vi của bạn dùng tên miền {self.key}. "
                    "Hãy kiểm tra chính tả hoặc dán cả đường dẫn đầy đủ.")
        return {
            "url": f"Không có tài khoản hay trang web nào trong phạm vi của bạn khai báo đường dẫn {self.key}.",
            "phone": f"Không có ai trong phạm vi của bạn khai báo số điện thoại {self.key} "
                     "(trong hồ sơ cá nhân, trang web hay tài khoản).",
            "email": f"Không có ai trong phạm vi của bạn khai báo email {self.key}.",
        }.get(self.kind, f"Không có họ tên, tên tài khoản hay tên trang nào khớp với “{self.raw}” trong phạm vi của bạn.")


@dataclass
class Record:
    kind: str  # "account" or "site"
    doc: dict
    matched_on: str = ""
    duplicate: bool = False


@dataclass
class Owner:
    member: dict
    committee: str = ""
    matched_on: set[str] = field(default_factory=set)
    records: list[Record] = field(default_factory=list)
    duplicate: bool = False


@dataclass
class Conflict:
    """One phone or address declared by several people."""

    label: str
    value: str
    member_ids: list[ObjectId]
    names: list[str] = field(default_factory=list)


@dataclass
class Result:
    query: Query
    owners: list[Owner] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    truncated: bool = False


def classify(raw: str) -> Query:
    """Decide what kind of value the officer typed and compute its comparable form."""
    q = normalize.text(raw) or ""
    if "@" in q and " " not in q and "/" not in q:
        try:
            return Query(q, "email", normalize.email(q).lower())
        except normalize.NormalizeError:
            pass
    if _PHONE_SHAPE.match(q):
        try:
            return Query(q, "phone", normalize.phone(q))
        except normalize.NormalizeError:
            pass
    if _URL_SHAPE.match(q):
        try:
            key = normalize.url_key(q)
        except normalize.NormalizeError:
            key = None
        if key:
            host, _, path = key.partition("/")
            segments = [t for seg in path.split("/") for t in search.search_tokens(seg, prefixes=False)]
            return Query(q, "url", key, (host, *segments) if segments else ())
    return Query(q, "text", "", tuple(search.query_tokens(q)))


_MEMBER_FIELDS = ("full_name", "position", "org_name", "organisation", "phone", "email", "status",
                  "sort_key", "modified_at", "scope")
_RECORD_FIELDS = ("member", "member_name", "position", "org_name", "organisation", "platform", "account_name",
                  "url", "url_key", "link_type", "admin_role", "site_name", "domain", "domain_key",
                  "registration_phone", "registration_email", "updated_on", "modified_at", "expires_on",
                  "quality_issues")


def _filters(q: Query) -> dict[str, Q | None]:
    """Per collection, the indexed equality match answering the query (None: no match)."""
    if q.kind == "phone":
        return {"member": Q(phone=q.key), "account": Q(registration_phone=q.key) | Q(search_keys=q.key),
                "site": Q(registration_phone=q.key)}
    if q.kind == "email":
        return {"member": Q(search_keys=q.key), "account": Q(search_keys=q.key) | Q(registration_email=q.key),
                "site": Q(search_keys=q.key) | Q(registration_email=q.key)}
    if q.kind == "url":
        keys = _enclosing(q.key)
        partial = search.search_condition(q.tokens) if q.tokens else None
        # A bare host ("facebook.com") identifies a site, never a social account.
        account = Q(url_key__in=[k for k in keys if "/" in k] or [q.key])
        site = Q(domain_key__in=keys)
        return {"member": None, "account": account | partial if partial else account,
                "site": site | partial if partial else site}
    if not q.tokens or all(len(t) < 2 for t in q.tokens):  # one letter names nobody in particular
        return {"member": None, "account": None, "site": None}
    everything = search.search_condition(q.tokens)
    return {"member": everything, "account": everything, "site": everything}


def _enclosing(key: str) -> list[str]:
    """The address and the pages that contain it: a post's URL finds the profile, page or
    group it was posted on (``facebook.com/groups/x/posts/1`` -> ``facebook.com/groups/x``)."""
    host, _, path = key.partition("/")
    segments = path.partition("?")[0].split("/")[:6]
    return sorted({key, host} | {"/".join([host, *segments[:i]]) for i in range(1, len(segments))})


def _why(q: Query, kind: str, doc: dict) -> str:
    """Which column matched, in the officer's words; "" when the match was not exact."""
    if q.kind == "phone":
        return "Số điện thoại đăng ký" if doc.get("registration_phone") == q.key else "Đường dẫn"
    if q.kind == "email":
        return "Email đăng ký" if (doc.get("registration_email") or "").lower() == q.key else ""
    if q.kind == "url":
        exact = doc.get("url_key" if kind == "account" else "domain_key")
        if exact == q.key:
            return "Đường dẫn (trùng khớp)" if kind == "account" else "Tên miền (trùng khớp)"
        if exact in _enclosing(q.key):
            return "Tên miền" if kind == "site" else "Đường dẫn (trang chứa địa chỉ tra cứu)"
        return "Đường dẫn (một phần)"
    name = set(search.search_tokens(doc.get("account_name") or doc.get("site_name")))
    return ("Tên tài khoản" if kind == "account" else "Tên trang") if set(q.tokens) <= name else "Họ tên, chi bộ…"


def _member_matches(q: Query, doc: dict) -> bool:
    if q.kind == "email":
        return (doc.get("email") or "").lower() == q.key
    return True


def _find(model: Any, user: Any, flt: Q | None, fields: tuple[str, ...]) -> list[dict]:
    if flt is None:
        return []
    return list(_only(scope.visible(model, user).filter(flt), fields).limit(MAX_RECORDS + 1).as_pymongo())


def _only(qs: Any, fields: tuple[str, ...]) -> Any:
    return qs.only(*[f for f in fields if f in qs._document._fields])


def lookup(raw: str, user: Any) -> Result:
    """Answer the officer's query inside their scope; a bounded number of queries."""
    q = classify(raw)
    members, hits = _match(q, user)
    if q.kind == "url" and not members and not hits:
        # "nguyen.van.an" looks like a host but is usually a user name from an address
        as_text = Query(q.raw, "text", "", tuple(search.query_tokens(q.raw)))
        members, hits = _match(as_text, user)
        if members or hits:  # otherwise the answer speaks of the domain/address that was typed
            q = as_text
    result = Result(q, truncated=len(members) > MAX_RECORDS or len(hits) > MAX_RECORDS)
    owners = _owners(user, members, hits)
    result.owners = sorted(owners.values(), key=lambda o: (o.member.get("sort_key") or "", str(o.member["_id"])))
    if len(result.owners) > MAX_PEOPLE:
        result.owners, result.truncated = result.owners[:MAX_PEOPLE], True
    _attach_committees(user, result.owners)
    result.conflicts = _conflicts(user, result.owners, q)
    return result


def _match(q: Query, user: Any) -> tuple[list[dict], list[Record]]:
    filters = _filters(q)
    members = [m for m in _find(Member, user, filters["member"], _MEMBER_FIELDS) if _member_matches(q, m)]
    hits: list[Record] = []
    for kind, model in (("account", SocialAccount), ("site", Site)):
        for doc in _find(model, user, filters[kind], _RECORD_FIELDS):
            why = _why(q, kind, doc)
            if q.kind != "email" or why:
                hits.append(Record(kind, doc, why))
    return members, hits


def _owners(user: Any, members: list[dict], hits: list[Record]) -> dict[ObjectId, Owner]:
    """Group hits by person; people found by their own fields get all their records."""
    owners = {m["_id"]: Owner(m, matched_on={"Thông tin cá nhân"}) for m in members}
    missing = {h.doc["member"] for h in hits} - owners.keys()
    for m in scope.visible(Member, user).filter(pk__in=list(missing)).only(*_MEMBER_FIELDS).as_pymongo():
        owners[m["_id"]] = Owner(m)
    for h in hits:
        owner = owners.setdefault(h.doc["member"], Owner(_member_from_record(h.doc)))
        owner.records.append(h)
        owner.matched_on.add(h.matched_on or "Từ khóa")
    if members:
        ids, seen = [m["_id"] for m in members[:MAX_PEOPLE]], {h.doc["_id"] for h in hits}
        for kind, model in (("account", SocialAccount), ("site", Site)):
            for doc in _only(scope.visible(model, user).filter(member__in=ids), _RECORD_FIELDS).as_pymongo():
                if doc["_id"] not in seen:
                    owners[doc["member"]].records.append(Record(kind, doc))
    return owners


def _member_from_record(doc: dict) -> dict:
    """The record outlived its owner's entry (soft-deleted person): use its copies."""
    return {"_id": doc["member"], "full_name": doc.get("member_name"), "position": doc.get("position"),
            "org_name": doc.get("org_name"), "organisation": doc.get("organisation"), "deleted": True}


def _attach_committees(user: Any, owners: list[Owner]) -> None:
    org_ids = {o.member.get("organisation") for o in owners} - {None}
    visible_orgs = scope.organisations(user).filter(pk__in=list(org_ids)).only("kind", "path_names")
    orgs = {o["_id"]: o for o in visible_orgs.as_pymongo()}
    for owner in owners:
        org = orgs.get(owner.member.get("organisation")) or {}
        names = org.get("path_names") or []
        owner.member["org_path"] = " › ".join(names)
        owner.committee = names[-1] if org.get("kind") == "committee" else (names[-2] if len(names) > 1 else "")


def _conflicts(user: Any, owners: list[Owner], q: Query) -> list[Conflict]:
    """Addresses and phones of the answer that more than one person declared."""
    urls = {r.doc.get("url_key") for o in owners for r in o.records if r.kind == "account"} - {None, ""}
    domains = {r.doc.get("domain_key") for o in owners for r in o.records if r.kind == "site"} - {None, ""}
    phones = {r.doc.get("registration_phone") for o in owners for r in o.records}
    phones |= {o.member.get("phone") for o in owners} | ({q.key} if q.kind == "phone" else set())
    phones -= {None, ""}
    claims: dict[tuple[str, str], dict[ObjectId, str]] = {}

    def claim(label: str, value: str | None, member: ObjectId, name: str) -> None:
        if value:
            claims.setdefault((label, value), {})[member] = name or ""

    for model, key, wanted in ((SocialAccount, "url_key", urls), (Site, "domain_key", domains)):
        if not wanted and not phones:
            continue
        flt = Q(**{f"{key}__in": sorted(wanted)}) | Q(registration_phone__in=sorted(phones))
        qs = scope.visible(model, user).filter(flt).only("member", "member_name", key, "registration_phone")
        for d in qs.as_pymongo():
            if d.get(key) in wanted:
                claim("Đường dẫn" if key == "url_key" else "Tên miền", d[key], d["member"], d.get("member_name"))
            if d.get("registration_phone") in phones:
                claim("Số điện thoại", d["registration_phone"], d["member"], d.get("member_name"))
    for m in scope.visible(Member, user).filter(phone__in=sorted(phones)).only("full_name", "phone").as_pymongo():
        claim("Số điện thoại", m["phone"], m["_id"], m.get("full_name"))
    conflicts = [Conflict(label, value, sorted(who), sorted(set(who.values())))
                 for (label, value), who in sorted(claims.items()) if len(who) > 1]
    _flag(owners, conflicts)
    return conflicts


def _flag(owners: list[Owner], conflicts: list[Conflict]) -> None:
    values = {c.value for c in conflicts}
    for owner in owners:
        for r in owner.records:
            keys = {r.doc.get("url_key"), r.doc.get("domain_key"), r.doc.get("registration_phone")}
            r.duplicate = bool(keys & values)
        owner.duplicate = any(r.duplicate for r in owner.records) or owner.member.get("phone") in values
