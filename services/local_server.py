"""A local SecantusDB server, started and stopped by the project itself.

SecantusDB (PyPI ``secantusdb``, a MongoDB-compatible server on WiredTiger) runs as its
own process from its own virtualenv, ``.venv-db`` (``make db``: it pins its own pymongo and
numpy, so it is kept out of the panel's ``.venv``). Two users:

* ``make run`` (``run_local.py``): the demo keeps its data under ``./data/db``;
* the test suite's wire store (``pytest --store=wire``, ``tests/stores.py``): one server per
  session, data in a temporary folder.

Production uses MongoDB >= 6 through ``MONGODB_URI``; nothing here runs then.

Where SecantusDB 0.7.0b3 differs from MongoDB (what the panel relies on): a *compiled* regex
given as a value (``{"f": re.compile("^x")}``, BSON regex type; what MongoEngine's
``__startswith``/``__icontains``/``__iexact`` send) matches nothing when ``f`` is indexed,
anchored or not, also inside ``$in``; ``{"f": {"$regex": "^x"}}`` matches as on MongoDB. The
panel never sends one (search is on precomputed keys; the strict test store refuses it, rule 7
of ``tests/strict_store.py``). It runs here as a standalone server (``--standalone``): writes
with ``w="majority"`` are acknowledged by the one node.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: where ``make db`` installs the server; ``SECANTUSD`` overrides it (a path to ``secantusd-py``)
DEFAULT_BINARY = ROOT / ".venv-db" / "bin" / "secantusd-py"


class ServerError(RuntimeError):
    """The local server is missing or did not start; the message says what to run."""


def binary() -> Path:
    path = Path(os.environ.get("SECANTUSD") or DEFAULT_BINARY)
    if not path.exists():
        found = shutil.which("secantusd-py")
        if found:
            return Path(found)
        raise ServerError(f"SecantusDB is not installed at {path}: run `make db` "
                          "(python3 -m venv .venv-db && .venv-db/bin/pip install secantusdb==0.7.0b3).")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    storage: Path
    port: int
    process: subprocess.Popen
    log: Path
    extra: list[str] = field(default_factory=list)

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 15) -> None:
        """Stop the server cleanly (WiredTiger checkpoints on SIGTERM), killing it if it hangs."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def start(storage: Path | str, port: int | None = None, test_commands: bool = False,
          wait: float = 60, own_session: bool = True) -> Server:
    """Start ``secantusd-py`` on 127.0.0.1 with its data in ``storage`` (created if missing,
    reopened intact otherwise) and wait until it answers ``ping``. ``test_commands`` turns on
    its fail points (``configureFailPoint``), for the suite's fault tests only. With
    ``own_session`` (``make run``) a Ctrl-C in the terminal reaches only the panel, which then
    stops the server cleanly; without it (the test suite) the server is in the caller's process
    group, so killing the group takes it down too."""
    storage = Path(storage)
    storage.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = storage.parent / f"{storage.name}-server.log"
    args = [str(binary()), "--host", "127.0.0.1", "--port", str(port), "--storage-path", str(storage),
            "--standalone", "--log-level", "WARNING"]
    if test_commands:
        args.append("--enable-test-commands")
    with open(log, "ab") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=own_session)
    server = Server(storage, port, process, log)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"SecantusDB stopped at start (exit {process.returncode}); see {log}:\n"
                              + log.read_text(errors="replace")[-2000:])
        if _answers(port):
            return server
        time.sleep(0.2)
    server.stop()
    raise ServerError(f"SecantusDB did not answer on port {port} within {wait:.0f} s; see {log}")


def _answers(port: int) -> bool:
    import pymongo

    client = pymongo.MongoClient(f"mongodb://127.0.0.1:{port}", serverSelectionTimeoutMS=300, connectTimeoutMS=300)
    try:
        client.admin.command("ping")
        return True
    except Exception:
        return False
    finally:
        client.close()
