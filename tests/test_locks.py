"""Database locks (models.locks): one holder at a time across threads and processes, a
crashed holder's lock taken over; the Bí thư check and its write never interleave."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from mongoengine import ValidationError

from imports.errors import ImportFileError
from imports.lock import import_lock
from models import ImportLock, Member
from models.locks import Busy, held
from models.member import RoleGrant
from tests import factories


def test_a_held_lock_excludes_a_second_holder_until_released(app, world):
    with held(["k"]):
        with pytest.raises(Busy):
            with held(["k"], timeout=0.2):
                pass
        with held(["other"], timeout=0.2):  # another name is free
            pass
    with held(["k"], timeout=0.2):  # released
        pass
    assert ImportLock.objects.count() == 0


def test_a_crashed_holders_lock_is_taken_over_when_stale(app, world):
    ImportLock(key="k", holder="dead", acquired_at=dt.datetime(2020, 1, 1)).save(force_insert=True)
    with held(["k"], timeout=0.5):
        assert ImportLock.objects.get(key="k").holder != "dead"
    ImportLock(key="k", holder="alive").save(force_insert=True)  # fresh: not taken over
    with pytest.raises(Busy):
        with held(["k"], timeout=0.2):
            pass
    ImportLock.objects.delete()


def test_the_import_lock_says_busy_in_vietnamese(app, world):
    with held(["imports"]):
        with pytest.raises(ImportFileError, match="Đang có một lần nhập khác"):
            with import_lock(timeout=0.2):
                pass
    with import_lock(timeout=0.2):
        assert ImportLock.objects(key="imports").count() == 1
    assert ImportLock.objects.count() == 0


def test_two_officers_naming_two_secretaries_at_once_cannot_both_succeed(app, world, monkeypatch):
    """Officer 1 names A Bí thư of a cell; while A's save has passed the one-holder check
    and not yet written, officer 2 names B. Without the lock both pass the check."""
    a = factories.member(world.cell_a, "Lê Văn Cường")
    b = factories.member(world.cell_a, "Phạm Thị Dung")
    checked = threading.Event()
    real = Member._check_grants

    def slow_check(self):
        real(self)
        if self.pk == a.pk:
            checked.set()
            time.sleep(0.5)  # between the check and the write

    monkeypatch.setattr(Member, "_check_grants", slow_check)
    refused = []

    def name_secretary(member):
        with app.app_context():
            member.role_grants.append(RoleGrant(role="bi_thu", start=dt.datetime(2026, 1, 1)))
            try:
                member.save()
            except ValidationError as exc:
                refused.append((member.pk, str(exc)))

    first = threading.Thread(target=name_secretary, args=(a,))
    first.start()
    assert checked.wait(5)
    name_secretary(b)
    first.join(10)
    holders = [m.pk for m in Member.objects(role_grants__role="bi_thu")]
    assert holders == [a.pk]
    assert [pk for pk, _ in refused] == [b.pk] and "một Bí thư" in refused[0][1]
    assert ImportLock.objects.count() == 0
