"""One import writes at a time, across threads and processes (gunicorn workers): the
``imports`` lock of :mod:`models.locks`. A lock older than ``STALE`` (a crashed worker)
is taken over.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from models.locks import held

from .errors import ImportFileError

STALE = dt.timedelta(minutes=30)
_local = threading.Lock()  # threads of one worker wait here, not by polling the database
BUSY = "Đang có một lần nhập khác; hãy thử lại sau ít phút."


@contextmanager
def import_lock(timeout: float = 120.0, key: str = "imports") -> Iterator[None]:
    if not _local.acquire(timeout=timeout):
        raise ImportFileError(BUSY)
    try:
        with held([key], timeout=timeout, stale=STALE, busy=lambda: ImportFileError(BUSY)):
            yield
    finally:
        _local.release()
