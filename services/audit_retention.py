"""Audit retention: ``AUDIT_KEEP_DAYS`` (0 keeps everything) and ``flask audit prune``.

What is pruned is first written to an archive — xlsx for people (through the safe
``exports.xlsx.Sheet``), JSON Lines of canonical Extended JSON for machines (the same
encoding as backups) — and only then are the same entries deleted. If the archive cannot be written, nothing is deleted. Entries older
than the cut-off are read in ``-at`` order over the ``at`` index; memory stays bounded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from bson import json_util

from exports.xlsx import Sheet, open_workbook
from models.audit import ACTIONS, AuditEntry
from models.base import utcnow

JSON_OPTIONS = json_util.CANONICAL_JSON_OPTIONS.with_options(tz_aware=False)
_HEADERS = ["Thời điểm (UTC)", "Người thực hiện", "Tổ chức", "Hành động", "Danh mục", "Mã bản ghi",
            "Thay đổi (trước → sau)", "Chi tiết", "Địa chỉ IP"]
_WIDTHS = [20, 16, 28, 20, 16, 30, 50, 40, 16]


class RetentionError(ValueError):
    """The prune cannot run; the message is Vietnamese."""


def cutoff(days: int, now: dt.datetime | None = None) -> dt.datetime:
    if days <= 0:
        raise RetentionError("Số ngày giữ nhật ký phải lớn hơn 0 (AUDIT_KEEP_DAYS=0 nghĩa là giữ tất cả).")
    return (now or utcnow()) - dt.timedelta(days=days)


def _raw(before: dt.datetime) -> Iterator[dict]:
    """Entries older than ``before``, oldest first, as stored."""
    yield from AuditEntry._get_collection().find({"at": {"$lt": before}}).sort([("at", 1), ("_id", 1)])


def _row(doc: dict) -> list[str]:
    changes = "; ".join(f"{c.get('field')}: {c.get('before') or '∅'} → {c.get('after') or '∅'}"
                        for c in doc.get("changes") or [])
    return [f"{doc['at']:%d/%m/%Y %H:%M:%S}", doc.get("username") or "", doc.get("org_name") or "",
            dict(ACTIONS).get(doc.get("action"), doc.get("action") or ""), doc.get("collection") or "",
            ", ".join(doc.get("record_ids") or []), changes, doc.get("detail") or "", doc.get("ip") or ""]


def _archive(out: IO[bytes], xlsx: bool, docs: Iterator[dict]) -> int:
    """Write every document to ``out``; return how many."""
    count = 0
    if xlsx:
        book, formats = open_workbook(out)
        sheet = Sheet(book, formats, "Nhật ký", _WIDTHS)
        for col, text in enumerate(_HEADERS):
            sheet.text(0, col, text, "header")
        for count, doc in enumerate(docs, start=1):
            for col, text in enumerate(_row(doc)):
                sheet.text(count, col, text[:32000])
        book.close()
        return count
    for doc in docs:
        out.write(json_util.dumps(doc, json_options=JSON_OPTIONS).encode() + b"\n")
        count += 1
    return count


def prune(days: int, archive: str | Path, now: dt.datetime | None = None) -> tuple[int, int]:
    """Archive then delete the entries older than ``days`` days; return (archived, deleted).

    New entries are written with the current time, so nothing older than the cut-off
    appears between the archive and the delete: the delete removes what was archived."""
    before = cutoff(days, now)
    path = Path(archive)
    if path.suffix.lower() not in (".xlsx", ".json", ".jsonl"):
        raise RetentionError("Tệp lưu trữ phải có đuôi .xlsx, .json hoặc .jsonl.")
    try:
        with path.open("xb") as out:  # never overwrite an earlier archive
            try:
                archived = _archive(out, path.suffix.lower() == ".xlsx", _raw(before))
            except BaseException:
                out.close()
                path.unlink()  # a partial archive is no archive
                raise
    except FileExistsError:
        raise RetentionError(f"Tệp lưu trữ {path} đã có; hãy chọn tên khác (không ghi đè).") from None
    except OSError as exc:
        raise RetentionError(f"Không ghi được tệp lưu trữ {path}: {exc}. Không xóa mục nào.") from None
    deleted = AuditEntry._get_collection().delete_many({"at": {"$lt": before}}).deleted_count
    return archived, deleted
