"""Backup and restore of the whole database as one archive of MongoDB Extended JSON.

The archive is a zip file: ``manifest.json`` (format, time, collections and their
counts) and one ``<collection>.jsonl`` per collection, one document a line in
*canonical* Extended JSON (``bson.json_util``), which keeps every BSON type exactly:
ObjectIds, dates, 64-bit integers, binary GridFS chunks. Every collection is written,
GridFS (``attachments.files``/``.chunks``) and the audit trail included. Documents are
streamed one by one, so memory does not grow with the database.

A restore goes only into an *empty* database (no document in any collection), so it
can never mix two states of the register.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from bson import json_util
from pymongo.database import Database

from models.base import utcnow

FORMAT = "party-register-backup/1"
JSON_OPTIONS = json_util.CANONICAL_JSON_OPTIONS.with_options(tz_aware=False)
BATCH = 1000
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}")


class BackupError(RuntimeError):
    """The archive cannot be written or restored; the message is Vietnamese."""


def _collections(db: Database) -> list[str]:
    return sorted(n for n in db.list_collection_names() if not n.startswith("system."))


def dump(db: Database, target: str | Path | IO[bytes]) -> dict[str, int]:
    """Write every collection of ``db`` to ``target``; return {collection: count}."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name in _collections(db):
            count = 0
            with archive.open(f"{name}.jsonl", "w", force_zip64=True) as out:
                for doc in db[name].find({}):
                    out.write(json_util.dumps(doc, json_options=JSON_OPTIONS).encode() + b"\n")
                    count += 1
            counts[name] = count
        manifest = {"format": FORMAT, "created_at": utcnow().isoformat() + "Z", "collections": counts}
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return counts


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError):
        raise BackupError("Tệp không phải bản sao lưu của hệ thống (thiếu manifest.json).") from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("collections"), dict):
        raise BackupError(f"Định dạng sao lưu không được hỗ trợ: {manifest.get('format')!r}.")
    return manifest


def _lines(archive: zipfile.ZipFile, name: str) -> Iterator[dict]:
    with archive.open(f"{name}.jsonl") as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            if line.strip():
                yield json_util.loads(line, json_options=JSON_OPTIONS)


def non_empty(db: Database) -> list[str]:
    return [n for n in _collections(db) if db[n].find_one() is not None]


def load(db: Database, source: str | Path | IO[bytes]) -> dict[str, int]:
    """Load an archive written by :func:`dump` into the empty ``db``; return the counts."""
    busy = non_empty(db)
    if busy:
        raise BackupError("Cơ sở dữ liệu đích không trống (có dữ liệu trong: " + ", ".join(busy)
                          + "). Chỉ khôi phục vào cơ sở dữ liệu trống.")
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"Không đọc được tệp sao lưu: {exc}") from None
    with archive:
        expected = _manifest(archive)["collections"]
        counts: dict[str, int] = {}
        for name in expected:
            if not _NAME.fullmatch(name) or name.startswith("system."):
                raise BackupError(f"Tên tập dữ liệu không hợp lệ trong bản sao lưu: {name!r}.")
            counts[name] = _insert(db, name, _lines(archive, name))
    if counts != expected:
        raise BackupError(f"Bản sao lưu không toàn vẹn: đọc được {counts}, manifest ghi {expected}.")
    return counts


def _insert(db: Database, name: str, docs: Iterator[dict]) -> int:
    batch: list[dict] = []
    count = 0
    for doc in docs:
        batch.append(doc)
        if len(batch) >= BATCH:
            db[name].insert_many(batch, ordered=True)
            count, batch = count + len(batch), []
    if batch:
        db[name].insert_many(batch, ordered=True)
        count += len(batch)
    return count
