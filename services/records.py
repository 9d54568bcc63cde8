"""The one write path: validate, write, stamp and audit a record, alike for screens, CLI and demo.

``save`` writes one document (its ``clean`` validates and stamps ``modified_at``) and
leaves exactly one audit entry saying who changed what; the families with follow-up work
(people: :mod:`services.members`) call it and add their steps explicitly. ``bin`` puts a
record in the bin with one entry. Views call these and audit only refusals.
"""

from __future__ import annotations

from typing import Any

from mongoengine import Document

from services import audit, soft_delete

CLI = "cli"  # the actor named in the trail for a command run on the server


def save(doc: Document, *, by: Any = None, detail: str | None = None, before: dict | None = None,
         changes: list[dict] | None = None, expected_version: Any = None, strict: bool = True,
         username: str | None = None) -> Document:
    """Write ``doc`` and one audit entry (``create`` or ``update`` with the changed fields).

    ``before`` is the record's :func:`audit.snapshot` as stored (taken by the caller before
    changing it; for an update without it, the changes are not listed). ``expected_version``
    makes the write conditional on the stored ``modified_at`` (or the model's ``VERSION_FIELD``: an edit conflict raises
    ``SaveConditionError``); ``strict=False`` keeps legacy values (demo, old rows);
    ``changes`` words the change instead (a roll call: ``3/4`` present before and after)."""
    created = doc.pk is None or bool(getattr(doc, "_created", False))
    write(doc, expected_version=expected_version, strict=strict)
    if changes is None:
        after = audit.snapshot(doc)
        changes = audit.diff({} if created else (before or after), after)
    audit.record("create" if created else "update", user=by, username=username, records=[doc], changes=changes,
                 detail=detail)
    return doc


def write(doc: Document, *, expected_version: Any = None, strict: bool = True) -> Document:
    """The write alone (no audit): for the bulk writers that audit their run once."""
    kwargs: dict[str, Any] = {}
    if expected_version is not None and doc.pk is not None:
        kwargs["save_condition"] = {getattr(doc, "VERSION_FIELD", "modified_at"): expected_version}
    if hasattr(doc, "save_legacy") and not strict:
        return doc.save_legacy(**kwargs)
    return doc.save(**kwargs)


def delete(doc: Document, *, by: Any = None) -> None:
    """Delete ``doc`` for good (a record with no bin: an empty unit) with one ``delete`` entry."""
    doc.delete()
    audit.record("delete", user=by, records=[doc])


def restore(doc: Document, *, by: Any = None) -> list[Document]:
    """Bring ``doc`` back from the bin (with what went with it), one ``restore`` entry."""
    back = soft_delete.restore(doc)
    audit.record("restore", user=by, records=[doc, *back])
    return back


def purge(doc: Document, *, by: Any = None) -> list[Document]:
    """Delete a binned ``doc`` (and what went with it) for good, one ``purge`` entry."""
    gone = soft_delete.purge(doc)
    audit.record("purge", user=by, records=[doc, *gone])
    return gone


def bin(doc: Document, *, by: Any = None) -> list[Document]:
    """Soft-delete ``doc`` (and what goes to the bin with it) with one ``delete`` entry."""
    binned = soft_delete.soft_delete(doc)
    audit.record("delete", user=by, records=[doc, *binned])
    return binned
