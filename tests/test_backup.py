"""Ensure that ``flask backup`` writes every collection (GridFS and the audit trail
included) and that ``flask restore`` into an empty database gives back identical
counts and content, and refuses a database that already holds data (case 26)."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import mongoengine
import mongomock.gridfs
import pytest
from mongoengine.fields import GridFSProxy

from app import create_app
from models import Member, PartyDocument
from services import audit, backup
from tests import factories, stores

mongomock.gridfs.enable_gridfs_integration()


def _everything(db) -> dict[str, list[dict]]:
    return {name: list(db[name].find({}, sort=[("_id", 1)]))
            for name in sorted(db.list_collection_names()) if not name.startswith("system.")}


def _populate(world):
    doc = PartyDocument(number="1150-CV/HU", title="Về việc lập danh sách\ndòng hai", issued_on=dt.datetime(2023, 10, 2),
                        organisation=world.commune_a)
    proxy = GridFSProxy(collection_name="attachments")
    proxy.put(io.BytesIO(bytes(range(256)) * 5000), filename="cong-van.pdf", content_type="application/pdf")
    doc.attachments = [proxy]
    doc.save()
    factories.user("canbo", world.commune_a)
    audit.record("create", records=[doc], changes=[{"field": "title", "before": None, "after": "x"}])
    Member.objects(pk=world.member_b.pk).update(set__deleted_at=dt.datetime(2026, 1, 1, 8, 30))


def _fresh_app():
    """An empty database of the run's store (on the wire store: a new SecantusDB database)."""
    return create_app({**stores.current().config("restore"), "SECRET_KEY": "k", "TESTING": True})


def test_cli_round_trip_is_identical(app, runner, world, tmp_path):
    _populate(world)
    archive = tmp_path / "sao-luu.zip"
    r = runner.invoke(args=["backup", "-o", str(archive)])
    assert r.exit_code == 0, r.output
    original = _everything(mongoengine.get_db())
    assert {"attachments.files", "attachments.chunks", "audit", "members", "users"} <= set(original)
    assert len(original["attachments.chunks"]) >= 5  # the 1.28 MB file spans several chunks

    target = _fresh_app()
    with target.app_context():
        r = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert r.exit_code == 0, r.output
        restored = _everything(mongoengine.get_db())
    assert {k: len(v) for k, v in restored.items() if v} == {k: len(v) for k, v in original.items() if v}
    assert {k: v for k, v in restored.items() if v} == {k: v for k, v in original.items() if v}


def test_restored_database_works(app, world, tmp_path):
    _populate(world)
    archive = tmp_path / "b.zip"
    backup.dump(mongoengine.get_db(), archive)
    target = _fresh_app()
    with target.app_context():
        backup.load(mongoengine.get_db(), archive)
        doc = PartyDocument.objects.get()
        assert doc.attachments[0].read() == bytes(range(256)) * 5000
        assert Member.objects(deleted_at=None).count() == 1
        c = target.test_client()
        from tests.conftest import csrf_token

        r = c.post("/login/", data={"username": "canbo", "password": factories.PASSWORD, "csrf_token": csrf_token(c)})
        assert r.status_code == 302


def test_restore_refuses_a_database_with_data(app, runner, world, tmp_path):
    archive = tmp_path / "b.zip"
    backup.dump(mongoengine.get_db(), archive)
    before = _everything(mongoengine.get_db())
    r = runner.invoke(args=["restore", str(archive)])
    assert r.exit_code != 0 and "không trống" in r.output
    assert _everything(mongoengine.get_db()) == before


@pytest.mark.parametrize("content", [b"not a zip", None])
def test_restore_refuses_foreign_files(app, runner, tmp_path, content):
    path = tmp_path / "x.zip"
    if content is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("members.jsonl", "{}\n")
    else:
        path.write_bytes(content)
    r = runner.invoke(args=["restore", str(path)])
    assert r.exit_code != 0
    assert "sao lưu" in r.output or "Không đọc được" in r.output
    assert backup.non_empty(mongoengine.get_db()) == []


@pytest.mark.inconsistent  # the refused archive is half-loaded into the fresh database
def test_restore_refuses_truncated_archive(app, world, tmp_path):
    archive = tmp_path / "b.zip"
    backup.dump(mongoengine.get_db(), archive)
    cut = tmp_path / "cut.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(cut, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data.split(b"\n", 1)[1] if item.filename == "members.jsonl" else data)
    target = _fresh_app()
    with target.app_context(), pytest.raises(backup.BackupError, match="không toàn vẹn"):
        backup.load(mongoengine.get_db(), cut)


def test_backup_is_audited_inside_the_archive(app, runner, world, tmp_path):
    archive = tmp_path / "b.zip"
    runner.invoke(args=["backup", "-o", str(archive)])
    with zipfile.ZipFile(archive) as z:
        assert b'"backup"' in z.read("audit.jsonl")


def test_production_writes_use_majority(monkeypatch):
    """Case 25: the real database is reached with ``w="majority"`` (no transactions are used)."""
    from services import db

    calls = []
    monkeypatch.setattr(db.mongoengine, "disconnect_all", lambda: None)
    monkeypatch.setattr(db.mongoengine, "connect", lambda **kw: calls.append(kw))
    db.connect("mongodb://db.invalid:27017/dang")
    assert calls and calls[0]["w"] == "majority"


# --- encrypted backups ---
PASSPHRASE = "cum-mat-khau-sao-luu-2026"


def _encrypted_backup(runner, world, tmp_path, monkeypatch):
    _populate(world)
    noise = GridFSProxy(collection_name="attachments")  # incompressible: the archive spans chunks
    noise.put(io.BytesIO(os.urandom(300_000)), filename="anh.jpg", content_type="image/jpeg")
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    archive = tmp_path / "sao-luu.enc"
    r = runner.invoke(args=["backup", "-o", str(archive), "--encrypt"])
    assert r.exit_code == 0, r.output
    return archive


def _restore(archive, passphrase=None, env=None):
    target = _fresh_app()
    with target.app_context():
        r = target.test_cli_runner().invoke(args=["restore", str(archive)], input=passphrase and passphrase + "\n",
                                            env=env)
        return r, _everything(mongoengine.get_db())


def test_encrypted_backup_round_trips_exactly(app, runner, world, tmp_path, monkeypatch):
    archive = _encrypted_backup(runner, world, tmp_path, monkeypatch)
    raw = archive.read_bytes()
    assert not raw.startswith(b"PK") and "Nguyễn Văn An".encode() not in raw and b"members" not in raw
    original = _everything(mongoengine.get_db())
    monkeypatch.delenv("BACKUP_PASSPHRASE")
    r, restored = _restore(archive, passphrase=PASSPHRASE)  # asked at the prompt
    assert r.exit_code == 0, r.output
    assert {k: v for k, v in restored.items() if v} == {k: v for k, v in original.items() if v}


def test_encrypted_backup_asks_twice_at_the_prompt(app, runner, world, tmp_path, monkeypatch):
    monkeypatch.delenv("BACKUP_PASSPHRASE", raising=False)
    archive = tmp_path / "b.enc"
    r = runner.invoke(args=["backup", "-o", str(archive), "--encrypt"], input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["backup", "-o", str(tmp_path / "c.enc"), "--encrypt"], input="ngan\nngan\n")
    assert r.exit_code != 0 and "ít nhất 12 ký tự" in r.output and not (tmp_path / "c.enc").exists()


@pytest.mark.parametrize("damage", ["wrong passphrase", "flipped byte", "truncated", "appended", "header"])
def test_wrong_passphrase_or_tampered_backup_writes_nothing(app, runner, world, tmp_path, monkeypatch, damage):
    archive = _encrypted_backup(runner, world, tmp_path, monkeypatch)
    data = bytearray(archive.read_bytes())
    passphrase = PASSPHRASE
    if damage == "wrong passphrase":
        passphrase = "mot-cum-mat-khau-khac"
    elif damage == "flipped byte":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncated":  # whole chunks, the last one gone
        first = 42 + 4 + int.from_bytes(data[42:46], "big")
        assert len(data) > first + 1000
        data = data[:first]
    elif damage == "appended":
        data += b"\x00\x00\x00\x10" + b"x" * 16
    elif damage == "header":
        data[20] ^= 0x01  # the salt: another key
    archive.write_bytes(bytes(data))
    r, restored = _restore(archive, env={"BACKUP_PASSPHRASE": passphrase})
    assert r.exit_code != 0
    expected = {"wrong passphrase": "Sai cụm mật khẩu", "flipped byte": "đã bị sửa đổi",
                "truncated": "bị cắt cụt", "appended": "sau khối cuối", "header": "Sai cụm mật khẩu"}[damage]
    assert expected in r.output, r.output
    assert not any(restored.values())  # nothing written


def test_stream_seals_large_archives_in_chunks(tmp_path):
    """Several chunks, and a plaintext that is an exact multiple of the chunk size."""
    from services import backup_crypto

    for size in (0, backup_crypto.CHUNK, 3 * backup_crypto.CHUNK + 5):
        data = bytes(range(256)) * (size // 256) + b"z" * (size % 256)
        out = io.BytesIO()
        with backup_crypto.EncryptingWriter(out, PASSPHRASE) as w:
            w.write(data)
        out.seek(0)
        with backup_crypto.decrypt_to_temp(out, PASSPHRASE) as plain:
            assert plain.read() == data
