"""One import writes at a time, across threads and processes (gunicorn workers).

The lock is a document with a fixed ``_id``: inserting it succeeds for one holder only.
A lock older than ``STALE`` (a crashed worker) is taken over.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from mongoengine.errors import NotUniqueError

from models import ImportLock
from models.base import utcnow

from .errors import ImportFileError

STALE = dt.timedelta(minutes=30)
_local = threading.Lock()


@contextmanager
def import_lock(timeout: float = 120.0, key: str = "imports") -> Iterator[None]:
    if not _local.acquire(timeout=timeout):
        raise ImportFileError("Đang có một lần nhập khác; hãy thử lại sau ít phút.")
    try:
        _acquire(key, timeout)
        try:
            yield
        finally:
            ImportLock.objects(key=key).delete()
    finally:
        _local.release()


def _acquire(key: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            ImportLock(key=key, holder=f"{os.getpid()}").save(force_insert=True)
            return
        except NotUniqueError:
            ImportLock.objects(key=key, acquired_at__lt=utcnow() - STALE).delete()
        if time.monotonic() > deadline:
            raise ImportFileError("Đang có một lần nhập khác; hãy thử lại sau ít phút.")
        time.sleep(0.2)
