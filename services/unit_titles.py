"""A unit's printed names (title and signature blocks of its reports), edited by the unit's
own officers: signing the unit's own report is the unit's business, whereas its code, name,
place in the tree and kind stay with the level above (:data:`services.policy.EDIT_UNIT`).

A name left empty prints its kind's default (:meth:`Organisation.title_names`). The edit is
one write through :func:`services.records.save` (audited with the names changed), conditional
on the version the form was opened at, so a change made meanwhile is never overwritten unseen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mongoengine.errors import SaveConditionError

from models import Organisation, normalize
from models.organisation import TITLE_FIELDS
from services import audit, policy, records

#: field -> (label, longest text); the limits are the model's
LABELS = {"party_name": "Tên đảng bộ (in trên văn bản của đơn vị trực thuộc)",
          "issuer_name": "Tên cơ quan ban hành (in dưới tên cấp trên)",
          "place": "Địa danh của đơn vị (in trước ngày tháng)", "signer_for": "Thẩm quyền ký (T/M …)",
          "signer_title": "Chức vụ người ký", "signer_name": "Họ tên người ký"}


class TitlesError(ValueError):
    """The names cannot be saved; ``str(err)`` is a Vietnamese message."""


class TitlesConflict(TitlesError):
    """Someone changed the names after the form was opened: nothing was written."""


def version(org: Organisation) -> str:
    """The names' version as a form carries it ("" for a unit whose names never changed)."""
    stamp = org.titles_modified_at
    return stamp.isoformat() if isinstance(stamp, dt.datetime) else ""


def errors(values: dict[str, Any]) -> dict[str, str]:
    """Field -> Vietnamese message for every name longer than the model allows."""
    out = {}
    for name in TITLE_FIELDS:
        limit = Organisation._fields[name].max_length
        text = normalize.text(values.get(name)) or ""
        if limit and len(text) > limit:
            out[name] = f"{LABELS[name]}: tối đa {limit} ký tự (đang có {len(text)})."
    return out


def save(org: Organisation, user: Any, values: dict[str, Any], seen_version: str | None) -> list[dict]:
    """Write the unit's printed names; the list of changes (empty: nothing to write)."""
    if not policy.can(user, policy.EDIT_TITLES, org):
        raise TitlesError("Chỉ cán bộ quản trị của chính đơn vị sửa được tên in trên văn bản của đơn vị.")
    if (seen_version or "") != version(org):
        raise TitlesConflict(f"Tên in trên văn bản đã được sửa lúc {normalize.format_moment(org.titles_modified_at)}, "
                             "sau khi bạn mở trang: thay đổi của bạn chưa được lưu. Hãy xem nội dung hiện tại "
                             "rồi sửa lại.")
    found = errors(values)
    if found:
        raise TitlesError(" ".join(found.values()))
    before, expected = audit.snapshot(org), org.titles_modified_at
    for name in TITLE_FIELDS:
        setattr(org, name, normalize.text(values.get(name)) or None)
    changes = [c for c in audit.diff(before, audit.snapshot(org)) if c["field"] in TITLE_FIELDS]
    if not changes:
        return []
    try:
        records.save(org, by=user, changes=changes, expected_version=expected,
                     detail=f"Sửa tên in trên văn bản của đơn vị {org.code}")
    except SaveConditionError:
        raise TitlesConflict("Tên in trên văn bản vừa được người khác sửa trong lúc lưu: thay đổi của bạn chưa "
                             "được lưu. Hãy xem nội dung hiện tại rồi sửa lại.") from None
    return changes


__all__ = ["LABELS", "TitlesConflict", "TitlesError", "errors", "save", "version"]
