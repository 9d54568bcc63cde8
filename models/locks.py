"""Named locks held across threads and processes (gunicorn workers), on the database.

A lock is a document whose ``_id`` is its name: inserting it succeeds for one holder only
(atomic on real MongoDB, standalone or replica set, with no transaction). A lock older
than its ``stale`` age (a crashed worker) is taken over. Used where a check and the write
it allows must not interleave with another's: the import (one writer at a time) and a
single-holder role (two officers naming two Bí thư of one cell at the same moment).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from mongoengine.errors import NotUniqueError

from .base import utcnow
from .import_log import ImportLock


class Busy(Exception):
    """The lock stayed held by someone else for the whole wait."""


def holder() -> str:
    return f"{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"


@contextmanager
def held(keys: Iterable[str], *, timeout: float = 10.0, stale: dt.timedelta = dt.timedelta(minutes=2),
         busy: Callable[[], Exception] = Busy) -> Iterator[None]:
    """Hold every named lock (taken in sorted order: two holders never wait on each other).
    A lock still held by another after ``timeout`` raises ``busy()`` (the caller's own
    message), before the body runs."""
    me, taken = holder(), []
    try:
        for key in sorted(set(keys)):
            try:
                acquire(key, me, timeout, stale)
            except Busy:
                raise busy() from None
            taken.append(key)
        yield
    finally:
        for key in taken:
            ImportLock.objects(key=key, holder=me).delete()


def acquire(key: str, me: str, timeout: float, stale: dt.timedelta) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            ImportLock(key=key, holder=me).save(force_insert=True)
            return
        except NotUniqueError:
            ImportLock.objects(key=key, acquired_at__lt=utcnow() - stale).delete()
        if time.monotonic() > deadline:
            raise Busy(key)
        time.sleep(0.05)
