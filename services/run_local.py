"""``make run``: the panel on this machine, its data kept (``python -m services.run_local``).

* Without ``MONGODB_URI``: starts a local SecantusDB (``services/local_server.py``) with its
  data under ``./data/db`` (``PANEL_DATA`` moves it), seeds the demo register the first time
  only (the logins are kept in ``data/demo-login.txt``), prints where the data lives and how
  to reset it, and serves the panel. Stopping the panel (Ctrl-C, SIGTERM) stops the server.
* With ``MONGODB_URI``: the panel on that server (``SECRET_KEY`` required, as in production);
  no local server is started.
* ``PANEL_STORE=memory``: the throw-away in-process demo (nothing kept).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services import local_server

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "dang"


@dataclass
class Local:
    """What :func:`prepare` made: the app, the server it started (None: it started none)."""

    app: Any
    server: local_server.Server | None
    data: Path | None
    login: str | None

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def _secret(data: Path) -> str:
    """A secret key kept beside the data, so that sessions outlive a restart (mode 600)."""
    path = data / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def prepare(data: Path | None = None, db_port: int | None = None, people: int = 600) -> Local:
    """The app on the store the environment asks for (see the module), seeded if new."""
    from app import create_app
    from services import demo

    if os.environ.get("PANEL_STORE") == "memory" or os.environ.get("MONGODB_URI"):
        return Local(create_app(), None, None, None)  # the in-process demo, or the given server
    data = (data or Path(os.environ.get("PANEL_DATA") or ROOT / "data")).resolve()
    data.mkdir(parents=True, exist_ok=True)
    server = local_server.start(data / "db", db_port)
    try:
        app = create_app({"MONGODB_URI": f"{server.uri}/{DATABASE}", "SECRET_KEY": _secret(data),
                          "DEMO_MODE": True, "DEMO_KEEPS_DATA": True, "SEED_DEMO": False})
        password = demo.seed_at_start(app, people=people)
        login = data / "demo-login.txt"
        if password:
            login.write_text(f"{demo.DEMO_ADMIN} / {password}   (cán bộ xã: xa01 / {password})\n")
            login.chmod(0o600)
    except BaseException:
        server.stop()
        raise
    return Local(app, server, data, login.read_text().strip() if login.exists() else None)


def banner(local: Local) -> str:
    if local.server is None:
        return ""
    return (f"\n  Dữ liệu trình diễn được lưu tại: {local.data}  (SecantusDB, cổng {local.server.port})\n"
            f"  Đăng nhập: {local.login or '(xem ' + str(local.data / 'demo-login.txt') + ')'}\n"
            f"  Bắt đầu lại từ đầu: dừng chương trình (Ctrl-C) rồi xóa thư mục đó: rm -rf {local.data}\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--db-port", type=int, default=None, help="the local SecantusDB's port (default: a free one)")
    parser.add_argument("--people", type=int, default=int(os.environ.get("PANEL_DEMO_PEOPLE", "600")),
                        help="people in the demo register seeded the first time")
    args = parser.parse_args(argv)
    # SIGTERM (a service manager, `kill`) ends the panel as Ctrl-C does: the server goes with it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        local = prepare(db_port=args.db_port, people=args.people)
    except (local_server.ServerError, RuntimeError) as exc:
        sys.exit(f"Không khởi động được: {exc}")
    try:
        print(banner(local), flush=True)
        local.app.run(host=args.host, port=args.port, use_reloader=False, threaded=True)
    except KeyboardInterrupt:
        pass
    finally:
        local.stop()


if __name__ == "__main__":
    main()
