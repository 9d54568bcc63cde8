"""Ensure that ``make run`` keeps the demo's data: the panel on a local SecantusDB whose data
folder outlives the process, seeded the first time only; stopping the panel stops the server
it started; with ``MONGODB_URI`` it starts none (``services/run_local.py``)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from services import local_server, run_local
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = 30  # a small demo register: the seeding is not what is tested here


def _login(app, password: str):
    client = app.test_client()
    r = client.post("/login/", data={"username": "admin", "password": password, "csrf_token": csrf_token(client)})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return client


def _password(local: run_local.Local) -> str:
    return re.match(r"admin / (\S+)", local.login).group(1)


def test_a_record_added_in_one_run_is_there_in_the_next(tmp_path, monkeypatch):
    monkeypatch.delenv("MONGODB_URI", raising=False)
    monkeypatch.delenv("PANEL_STORE", raising=False)
    first = run_local.prepare(tmp_path / "data", people=PEOPLE)
    try:
        assert first.server is not None and (tmp_path / "data" / "db").is_dir()
        password = _password(first)
        client = _login(first.app, password)
        with first.app.app_context():
            from models import Member, Organisation

            cell = Organisation.objects(code="X01-CB01").get()
            seeded = Member.objects.count()
        r = client.post("/admin/member/new/", data={
            "full_name": "Trần Văn Lưu Giữ", "position": "Đảng viên", "organisation": str(cell.pk),
            "status": "active", "csrf_token": csrf_token(client, "/admin/")})
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        assert "được lưu trên máy này" in client.get("/admin/").get_data(as_text=True)
        printed = run_local.banner(first)
        assert str(tmp_path / "data") in printed and f"rm -rf {tmp_path / 'data'}" in printed
    finally:
        first.stop()
    assert first.server.process.poll() is not None  # stopped

    second = run_local.prepare(tmp_path / "data", people=PEOPLE)
    try:
        assert second.login == first.login  # not seeded again: the same logins, kept beside the data
        with second.app.app_context():
            assert Member.objects(full_name="Trần Văn Lưu Giữ").count() == 1
            assert Member.objects.count() == seeded + 1
        _login(second.app, password)
    finally:
        second.stop()


def test_with_mongodb_uri_no_local_server_is_started(tmp_path, monkeypatch):
    server = local_server.start(tmp_path / "elsewhere")
    try:
        monkeypatch.setenv("MONGODB_URI", f"{server.uri}/dang_prod")
        monkeypatch.setenv("SECRET_KEY", "a-production-secret")
        local = run_local.prepare(tmp_path / "data", people=PEOPLE)
        assert local.server is None and not (tmp_path / "data").exists()
        assert local.app.config["MONGODB_URI"] == f"{server.uri}/dang_prod" and local.app.config["PRODUCTION"]
        assert not local.app.config["DEMO_MODE"] and run_local.banner(local) == ""
        with local.app.app_context():
            from models import Organisation

            assert Organisation.objects.count() == 0  # a production register is never seeded
    finally:
        server.stop()


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_stopping_the_panel_stops_its_server(tmp_path):
    """The launcher as ``make run`` starts it: serves, and on SIGTERM (or Ctrl-C) takes its server down."""
    port, db_port = local_server.free_port(), local_server.free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URI", "PANEL_STORE")}
    env.update(PANEL_DATA=str(tmp_path / "data"), PANEL_DEMO_PEOPLE=str(PEOPLE))
    proc = subprocess.Popen([sys.executable, "-m", "services.run_local", "--port", str(port), "--db-port", str(db_port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.5)
        else:
            pytest.fail("the panel did not start")
        assert not _free(db_port)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Dữ liệu trình diễn được lưu tại" in out and str(tmp_path / "data") in out
    assert _free(db_port), "the SecantusDB server outlived the panel"


def test_make_run_uses_the_launcher_and_installs_the_server():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: setup \$\(if \$\(MONGODB_URI\),,db\)$", makefile, re.M)  # no server to install with a URI
    assert re.search(r"^\$\(VENV_DB\)/bin/secantusd-py: requirements-db.txt\n.*venv.*\n.*pip install -q -r requirements-db.txt",
                     makefile, re.M)
    assert "secantusdb==0.7.0b3" in (ROOT / "requirements-db.txt").read_text()
    plan = subprocess.run(["make", "-n", "--no-print-directory", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert plan.splitlines()[-1].endswith("-m services.run_local --host 127.0.0.1 --port 5000")
    test_plan = subprocess.run(["make", "-n", "--no-print-directory", "test"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    runs = [line for line in test_plan.splitlines() if "-m pytest" in line]
    # the whole suite on the mock store first, then on the wire store (then the clock runs)
    assert runs[0].endswith("-m pytest --store=mock") and runs[1].endswith("-m pytest --store=wire")


def test_panel_store_memory_is_the_throw_away_demo(monkeypatch):
    """``PANEL_STORE=memory``: the in-process store, even with a URI in the environment."""
    from services import config

    monkeypatch.setenv("PANEL_STORE", "memory")
    monkeypatch.setenv("MONGODB_URI", "mongodb://db.invalid:27017/dang")
    cfg = config.finalize(config.from_env())
    assert cfg["MONGODB_URI"].startswith("mongomock://") and cfg["DEMO_MODE"] and cfg["SEED_DEMO"]
    assert not cfg["PRODUCTION"] and not cfg.get("DEMO_KEEPS_DATA")
