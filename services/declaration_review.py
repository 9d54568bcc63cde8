"""What a person declares, checked by the register's own rules, and the officer's review.

The declaration form is read into ``DeclItem`` lines (:func:`parse`) with the models' own
``RULES``, ``check_before`` and ``check_after`` (the import's path for plain values): no rule
is written twice. Nothing is written to forms 1 and 2 until :func:`decide`, which makes each
approved line an ordinary audited write (the record's update date (11)/(12) moves with it).
"""

from __future__ import annotations

import secrets
from typing import Any

import mongoengine as me

from models import Member, Site, SocialAccount, normalize, platforms
from models.accounts import ADMIN_ROLES, LINK_TYPES, PURPOSES
from models.base import utcnow
from models.declaration import Declaration, DeclarationLink, DeclItem

from . import audit, records, scope

#: the fields a person declares, in the order of the phone form: (name, plain label)
SITE_FIELDS = [("site_name", "Tên trang web/blog"), ("domain", "Tên miền hoặc địa chỉ"),
               ("registration_phone", "Số điện thoại dùng để đăng ký"), ("registration_email", "Email dùng để đăng ký"),
               ("established_on", "Ngày lập (dd/mm/yyyy)"), ("expires_on", "Ngày hết hạn tên miền (nếu có)"),
               ("purpose", "Mục đích sử dụng")]
ACCOUNT_FIELDS = [("platform", "Mạng xã hội"), ("account_name", "Tên tài khoản"),
                  ("url", "Đường dẫn hoặc @tên"), ("link_type", "Loại"), ("admin_role", "Vai trò của bạn (với Trang/Nhóm)"),
                  ("registration_phone", "Số điện thoại dùng để đăng ký"), ("registration_email", "Email dùng để đăng ký"),
                  ("established_on", "Ngày lập (dd/mm/yyyy)"), ("purpose", "Mục đích sử dụng")]
FIELDS = {"site": SITE_FIELDS, "account": ACCOUNT_FIELDS}
MODELS = {"site": Site, "account": SocialAccount}
CHOICES = {"platform": [(p, p) for p in platforms.PLATFORMS], "link_type": LINK_TYPES,
           "admin_role": [(r, r) for r in ADMIN_ROLES], "purpose": [(p, p) for p in PURPOSES]}
DATES = ("established_on", "expires_on")
LABELS = {name: label for fields in FIELDS.values() for name, label in fields}
MAX_NEW = 10  # new lines of each kind in one submission


def kind_of(record: Any) -> str:
    return "site" if isinstance(record, Site) else "account"


def label_of(kind: str, values: dict) -> str:
    if kind == "site":
        return f"{values.get('site_name') or ''} ({values.get('domain') or ''})"
    return f"{values.get('platform') or ''}: {values.get('account_name') or values.get('url') or ''}"


def values_of(record: Any) -> dict:
    return {name: getattr(record, name) for name, _ in FIELDS[kind_of(record)]}


def registered(member: Member) -> list[Any]:
    """The person's live rows of forms 1 and 2 (two queries on the ``member, deleted_at`` index)."""
    return [*Site.objects(member=member, deleted_at=None).order_by("id"),
            *SocialAccount.objects(member=member, deleted_at=None).order_by("id")]


def _message(text: str) -> str:
    """A rule's message without its column label: the form shows it under the field."""
    text = text.split(": ", 1)[1] if text.startswith("(") and ": " in text else text
    return text[:1].upper() + text[1:]


def shown(name: str, value: Any) -> Any:
    """A declared value as people read it (a choice's label, not its key)."""
    return dict(CHOICES.get(name, [])).get(value, value) if name == "link_type" else value


def check(kind: str, raw: dict, member: Member) -> tuple[dict, dict[str, str]]:
    """(normalised values, {field: message}) of one declared line, by the model's rules."""
    model, errors = MODELS[kind], {}
    data: dict[str, Any] = {name: normalize.text(raw.get(name)) for name, _ in FIELDS[kind]}
    for name in DATES:
        if name in data:
            try:
                data[name] = normalize.to_datetime(normalize.date(data[name]))
            except normalize.NormalizeError as exc:
                errors[name] = str(exc)
    if kind == "account":
        data["url"] = platforms.profile_url(data.get("url"), data.get("platform")) or data.get("url")
        if data.get("link_type") not in dict(LINK_TYPES):
            data["link_type"] = "personal"
        if data["link_type"] == "personal":
            data["admin_role"] = None
    data["position"] = member.position or "-"  # column (4) is the officer's, not the person's
    values, rule_errors, _ = model.rules_on(data)
    data.update(values)
    rule_errors.pop("position", None)
    errors.update({k: _message(v) for k, v in rule_errors.items() if k not in errors})
    if not errors:
        errors.update({k: _message(v) for k, v in ((model.check_before(data) or {}) | (model.check_after(data) or {})).items()})
    return {name: data.get(name) for name, _ in FIELDS[kind]}, errors


def _key(kind: str, values: dict) -> str | None:
    try:
        return normalize.address_key(values.get("domain" if kind == "site" else "url"))
    except normalize.NormalizeError:
        return None


def parse(member: Member, form: Any, records: list[Any]) -> tuple[list[DeclItem], dict[str, str], bool]:
    """The form as declaration lines, the errors by form field, and "I have none"."""
    items, errors = [], {}
    for rec in records:
        kind, before = kind_of(rec), values_of(rec)
        action = form.get(f"r-{rec.pk}", "keep")
        item = DeclItem(kind=kind, action=action if action in ("keep", "correct", "gone") else "keep",
                        target=rec.pk, label=label_of(kind, before), before=before)
        if item.action == "correct":
            values, errs = check(kind, {n: form.get(f"r-{rec.pk}-{n}") for n, _ in FIELDS[kind]}, member)
            errors.update({f"r-{rec.pk}-{n}": m for n, m in errs.items()})
            item.values = values
            if not errs and values == before:
                item.action, item.values = "keep", {}
        items.append(item)
    for kind in FIELDS:
        for n in range(count_of(form, kind)):
            prefix = f"new-{kind}-{n}-"
            raw = {name: form.get(prefix + name) for name, _ in FIELDS[kind]}
            if not any((v or "").strip() for k, v in raw.items() if k not in ("link_type", "platform", "purpose")):
                continue
            values, errs = check(kind, raw, member)
            errors.update({prefix + k: m for k, m in errs.items()})
            items.append(DeclItem(kind=kind, action="add", values=values, label=label_of(kind, values)))
    _check_twins(items, records, errors)
    none = form.get("none") == "1"
    used = [i for i in items if i.action != "gone"]
    if none and used:
        errors["none"] = "Bạn đã chọn “Tôi không có”, nhưng vẫn còn trang web/tài khoản đang dùng ở trên."
    elif not none and not used and not any(i.action == "gone" for i in items):
        errors["none"] = "Hãy thêm trang web, tài khoản của bạn, hoặc chọn “Tôi không có trang web, tài khoản nào”."
    return items, errors, none


def count_of(form: Any, kind: str) -> int:
    try:
        return max(0, min(int(form.get(f"n_{kind}", 0)), MAX_NEW))
    except (TypeError, ValueError):
        return 0


def _check_twins(items: list[DeclItem], records: list[Any], errors: dict[str, str]) -> None:
    """A new line that repeats a registered record, or another new line, is refused on its field."""
    seen = {(kind_of(r), _key(kind_of(r), values_of(r))) for r in records}
    counters = {"site": 0, "account": 0}
    for item in items:
        if item.action != "add":
            continue
        key = (item.kind, _key(item.kind, item.values))
        field = f"new-{item.kind}-{counters[item.kind]}-{'domain' if item.kind == 'site' else 'url'}"
        counters[item.kind] += 1
        if key[1] and key in seen:
            errors.setdefault(field, "Địa chỉ này đã có trong danh sách của bạn (ở trên) hoặc đã nhập hai lần.")
        seen.add(key)


def submit(link: DeclarationLink, items: list[DeclItem], none: bool) -> Declaration:
    """Keep a new submission (earlier ones stay, marked superseded if still waiting)."""
    Declaration.objects(link=link, state="waiting").update(set__state="superseded")
    decl = Declaration(round=link.round, link=link, member=link.member, organisation=link.organisation,
                       number=link.submissions + 1, items=items, none_to_declare=none,
                       member_name=link.member_name, member_sort_key=link.member_sort_key)
    decl.save()
    link.update(set__state="waiting", inc__submissions=1, set__return_reason=None)
    audit.record("declare_submit", records=[decl], username=f"khai-bao: {link.member_name}",
                 detail=f"Bản khai lần {decl.number}: {len(decl.changes)} thay đổi" + (", không có gì để khai" if none else ""))
    return decl


def rotate_nonce(link: DeclarationLink, expected: str | None) -> str | None:
    """Consume the form's one-time value; the new value, or None when it was already used
    (a replayed or doubled submission)."""
    new = secrets.token_urlsafe(16)
    if expected is None:
        link.update(set__form_nonce=new)
        return new
    done = DeclarationLink.objects(pk=link.pk, form_nonce=expected).update_one(set__form_nonce=new)
    return new if done else None


def duplicates(decls: list[Declaration], user: Any) -> dict[tuple[str, int], list[str]]:
    """Records of other people with the address of a new or corrected line (two queries)."""
    wanted: dict[str, dict[str, list]] = {"site": {}, "account": {}}
    for d in decls:
        for i, item in enumerate(d.items):
            key = _key(item.kind, item.values) if item.action in ("add", "correct") else None
            if key:
                wanted[item.kind].setdefault(key, []).append((d, i))
    out: dict[tuple[str, int], list[str]] = {}
    for kind, keys in wanted.items():
        if not keys:
            continue
        key_field = MODELS[kind].ADDRESS[1]
        found = MODELS[kind].objects(**{f"{key_field}__in": list(keys)}, deleted_at=None).only(
            "member", "member_name", "scope", key_field).as_pymongo()
        for rec in found:
            for d, i in keys.get(rec[key_field], []):
                if rec["member"] != d.member.pk:
                    seen = scope.sees_everything(user) or scope.scope_root(user) in rec.get("scope", [])
                    out.setdefault((str(d.pk), i), []).append(rec.get("member_name") if seen else "một người ngoài đơn vị")
    return out


def decide(decl: Declaration, user: Any, approve: set[int] | None, reason: str | None) -> Declaration:
    """Approve the chosen lines (``None``: all) and return the rest with ``reason``.

    A chosen line the register refuses (the owner's record lacks a mandatory field, the
    address was registered meanwhile) is not the person's fault: the submission stays
    waiting with the reason noted for the officer, the lines already written stay written."""
    if decl.state != "waiting":
        raise ValueError("Bản khai này đã được xử lý hoặc đã có bản gửi sau.")
    reason = normalize.text(reason)
    lines = [i for i, item in enumerate(decl.items) if item.action != "keep" and item.decision != "approved"]
    chosen = set(lines) if approve is None else set(approve) & set(lines)
    if set(lines) - chosen and not reason:
        raise ValueError("Hãy ghi lý do trả lại để người khai biết cần sửa gì.")
    member = decl.member
    for i in sorted(chosen):
        _apply(decl.items[i], member, user, decl)
    failed = [decl.items[i] for i in sorted(chosen) if decl.items[i].decision != "approved"]
    if not failed:
        for i in set(lines) - chosen:
            decl.items[i].decision = "returned"
        returned = bool(set(lines) - chosen)
        decl.return_reason = reason if returned else None
        decl.state = "returned" if returned else "approved"
        decl.reviewed_by, decl.reviewed_at = getattr(user, "username", None), utcnow()
    decl.save()
    done = len(chosen) - len(failed)
    audit.record("declare_review", user=user, records=[decl],
                 detail=f"{decl.member_name}: duyệt {done} thay đổi"
                        + (f", trả lại {len(lines) - len(chosen)} — lý do: {reason}" if decl.state == "returned" else "")
                        + (f", chưa ghi được {len(failed)}" if failed else ""))
    if failed:
        raise ValueError("chưa ghi được " + "; ".join(f"{i.label}: {i.note}" for i in failed))
    state = "returned" if decl.state == "returned" else ("none" if decl.none_to_declare else "approved")
    DeclarationLink.objects(pk=decl.link.pk).update_one(set__state=state, set__return_reason=decl.return_reason)
    return decl


def _leaves(errors: dict) -> list[str]:
    """The messages of a (nested) MongoEngine error dictionary."""
    return [m for v in errors.values() for m in (_leaves(v) if isinstance(v, dict) else [str(v)])]


def _apply(item: DeclItem, member: Member, user: Any, decl: Declaration) -> None:
    """One approved line as an ordinary write of the register, audited."""
    model, detail = MODELS[item.kind], f"Duyệt bản khai của {decl.member_name}"
    try:
        if item.action == "add":
            rec = records.save(model(member=member, **{k: v for k, v in item.values.items() if v is not None}),
                               by=user, detail=detail)
        else:
            rec = model.objects(pk=item.target, member=member, deleted_at=None).first()
            if rec is None:
                raise ValueError("bản ghi không còn trong danh sách")
            if item.action == "gone":
                records.bin(rec, by=user)
            else:
                before = audit.snapshot(rec)
                for name, value in item.values.items():
                    setattr(rec, name, value)
                records.save(rec, by=user, detail=detail, before=before)
        item.decision, item.applied, item.note = "approved", rec.pk, None
    except me.NotUniqueError:
        item.note = "địa chỉ này đã có trong danh sách"
    except me.ValidationError as exc:
        item.note = "; ".join(_leaves(exc.to_dict() or {})) or str(exc.message)
    except ValueError as exc:
        item.note = str(exc)


def waiting(rnd: Any, user: Any) -> Any:
    """Submissions of the round waiting for review, in the user's scope, in tree order."""
    return scope.stable(scope.visible(Declaration, user).filter(round=rnd, state="waiting")
                        .order_by("org_key", "member_sort_key"))


BATCH = 100


def approve_clean(rnd: Any, user: Any) -> tuple[int, int]:
    """Approve every waiting submission with no possible duplicate; (approved, left)."""
    done = left = 0
    skip: list = []
    while True:
        batch = list(waiting(rnd, user).filter(pk__nin=skip).limit(BATCH))
        if not batch:
            return done, left
        twins = {key[0] for key in duplicates(batch, user)}
        for decl in batch:
            if str(decl.pk) in twins:
                skip.append(decl.pk)
                left += 1
                continue
            try:
                decide(decl, user, None, None)
                done += 1
            except ValueError:  # a line the register refuses: left for the officer, with the reason
                skip.append(decl.pk)
                left += 1
