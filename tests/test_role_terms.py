"""Ensure that role grants have terms, that a unit has at most one Bí thư at any date,
and that the list filter answers "who was secretary on that date"."""

import datetime as dt

import pytest
from mongoengine import ValidationError

from models import Member
from models.member import RoleGrant
from services import members
from tests import factories
from tests.conftest import csrf_token

D = dt.datetime
START = D(2025, 1, 1)


def _grant(member, role="bi_thu", start=START, end=None):
    member.role_grants.append(RoleGrant(role=role, start=start, end=end))
    member.save()
    return member


def test_second_bi_thu_on_overlapping_term_is_refused(world):
    _grant(world.member_a, start=D(2025, 1, 1), end=D(2026, 3, 31))
    other = factories.member(world.cell_a, "Lê Văn Cường")
    with pytest.raises(ValidationError, match="một Bí thư"):
        _grant(other, start=D(2026, 3, 1))
    other.reload()
    assert other.role_grants == []
    _grant(other, start=D(2026, 4, 1))  # after the first term ended
    _grant(factories.member(world.cell_a, "Phạm Thị Dung"), role="pho_bi_thu")  # several deputies are fine
    _grant(factories.member(world.cell_a, "Hoàng Văn Em"), role="pho_bi_thu")
    _grant(factories.member(world.cell_b, "Vũ Thị Giang"))  # another unit has its own secretary


def test_term_end_before_start_refused(world):
    with pytest.raises(ValidationError, match="Nhiệm kỳ"):
        _grant(world.member_a, start=D(2026, 1, 1), end=D(2025, 1, 1))


def test_current_roles_follow_the_terms(world):
    _grant(world.member_a, start=D(2020, 1, 1), end=D(2021, 1, 1))
    _grant(world.member_a, role="cap_uy_vien", start=D(2022, 1, 1))
    m = Member.objects.get(pk=world.member_a.pk)
    assert m.roles == ["cap_uy_vien"]
    assert m.roles_on(D(2020, 6, 1)) == ["bi_thu"]


def test_role_screen_refuses_second_secretary_and_shows_history(admin_client, world):
    _grant(world.member_a, start=D(2025, 1, 1))
    other = factories.member(world.cell_a, "Lê Văn Cường")
    path = f"/admin/member/roles/?id={other.pk}"
    r = admin_client.post(path, data={"role": "bi_thu", "start": "01/06/2026", "csrf_token": csrf_token(admin_client, path)})
    assert r.status_code == 200 and "mỗi đơn vị chỉ có một Bí thư" in r.get_data(as_text=True)
    assert Member.objects.get(pk=other.pk).role_grants == []
    # end the first term, then the grant goes through
    path_a = f"/admin/member/roles/?id={world.member_a.pk}"
    admin_client.post(path_a, data={"index": "0", "end": "31/05/2026", "csrf_token": csrf_token(admin_client, path_a)})
    r = admin_client.post(path, data={"role": "bi_thu", "start": "01/06/2026", "csrf_token": csrf_token(admin_client, path)})
    assert r.status_code == 302
    detail = admin_client.get(f"/admin/member/details/?id={world.member_a.pk}").get_data(as_text=True)
    assert "Bí thư, Chi bộ thôn 1: 01/01/2025 – 31/05/2026" in detail


def test_list_filter_bi_thu_on_a_date(admin_client, world):
    _grant(world.member_a, start=D(2025, 1, 1), end=D(2026, 3, 31))
    _grant(factories.member(world.cell_a, "Lê Văn Cường"), start=D(2026, 4, 1))
    def names(date):
        views = admin_client.application.extensions["panel_admin"]._views
        view = next(v for v in views if getattr(v, "endpoint", "") == "member")
        i = next(n for n, f in enumerate(view._filters) if getattr(f, "role", None) == "bi_thu")
        body = admin_client.get(f"/admin/member/?flt0_{i}={date}").get_data(as_text=True)
        return [n for n in ("Nguyễn Văn An", "Lê Văn Cường") if n in body]

    assert names("15/03/2026") == ["Nguyễn Văn An"]
    assert names("15/04/2026") == ["Lê Văn Cường"]
    assert names("15/03/2024") == []


def test_unit_page_shows_role_history(admin_client, world):
    _grant(world.member_a, start=D(2020, 1, 1), end=D(2024, 12, 31))
    _grant(factories.member(world.cell_a, "Lê Văn Cường"), start=D(2025, 1, 1))
    _grant(factories.member(world.cell_a, "Phạm Thị Dung"), role="thu_ky", start=D(2025, 2, 1))
    page = admin_client.get(f"/admin/organisation/details/?id={world.cell_a.pk}").get_data(as_text=True)
    lines = ["Thư ký: Phạm Thị Dung (01/02/2025 – nay)", "Bí thư: Lê Văn Cường (01/01/2025 – nay)",
             "Bí thư: Nguyễn Văn An (01/01/2020 – 31/12/2024)"]
    positions = [page.index(line) for line in lines]
    assert positions == sorted(positions)


def test_leaving_ends_the_roles(world):
    _grant(world.member_a, start=D(2020, 1, 1))
    m = Member.objects.get(pk=world.member_a.pk)
    m.status, m.left_on, m.left_reason = "deceased", D(2026, 6, 1), "Từ trần"
    members.save(m, audited=False)
    m = Member.objects.get(pk=m.pk)
    assert m.role_grants[0].end == D(2026, 6, 1) and m.roles == []
    _grant(factories.member(world.cell_a, "Lê Văn Cường"), start=D(2026, 6, 2))  # the successor is accepted
