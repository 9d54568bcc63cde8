"""The district tracker's declaration column: each unit's subtree progress in the period's
declaration rounds, from one aggregation per page, within the officer's scope."""

from __future__ import annotations

import datetime as dt
import re

from models import User, normalize
from models.declaration import DeclarationLink
from services import declaration as rounds
from services import tracker
from tests import factories, reporting
from tests.budget import Budget

clock, district = reporting.clock, reporting.district  # the shared fixtures

BASE = "/admin/bao-cao-len-cap-tren/"


def _open_round(app, username: str, unit):
    with app.test_request_context():
        closes = normalize.format_date(normalize.today() + dt.timedelta(days=10))
        return rounds.open_round(User.objects.get(username=username), unit, "Khai báo năm 2026", closes)


def _set(rnd, member, state: str) -> None:
    DeclarationLink.objects(round=rnd, member=member).update_one(set__state=state)


def _cell(html: str, unit: str) -> str:
    row = re.search(rf'data-unit="{unit}".*?</tr>', html, re.S)
    assert row, unit
    return re.search(r'data-col="declarations">([^<]*)<', row.group(0)).group(1)


def test_each_commune_shows_its_own_progress(app, district, clock, login) -> None:
    """Ensure that the district's tracker shows each commune's declaration figures for the
    period, and a commune officer never sees a sibling's."""
    a2, a3 = factories.member(district.cell_a, "Lê Văn Cường"), factories.member(district.cell_a, "Phạm Thị Dung")
    b2 = factories.member(district.cell_b, "Hoàng Văn Em")
    rnd = _open_round(app, "huyen", district.district)  # one round for the whole district, 5 people
    _set(rnd, district.member_a, "approved")
    _set(rnd, a2, "waiting")
    _set(rnd, district.member_b, "returned")
    _set(rnd, b2, "none")
    boss = User.objects.get(username="huyen")
    t = tracker.tracker(district.district, boss, "annual", "2026", dt.date(2026, 11, 1))
    shown = {r.unit["name"]: tracker._declared_text(r) for r in t.rows}
    assert shown == {"Đảng bộ xã An Hòa": "đã duyệt 1/3, chờ duyệt 1, chưa mở 1",
                     "Đảng bộ xã Bình Minh": "đã duyệt 1/2 (1 không có gì để khai), trả lại 1"}
    page = login("huyen").get(f"{BASE}theo-doi/?kind=annual&period=2026").get_data(as_text=True)
    assert "Khai báo của cán bộ, đảng viên" in page
    assert _cell(page, "Đảng bộ xã An Hòa") == "đã duyệt 1/3, chờ duyệt 1, chưa mở 1"
    assert _cell(page, "Đảng bộ xã Bình Minh") == "đã duyệt 1/2 (1 không có gì để khai), trả lại 1"
    # the next period has no round yet; a revoked link no longer counts
    nxt = tracker.tracker(district.district, boss, "annual", "2027", dt.date(2026, 11, 1))
    assert [tracker._declared_text(r) for r in nxt.rows] == ["chưa mở đợt khai báo"] * 2
    DeclarationLink.objects(round=rnd, member=a3).update_one(set__revoked_at=dt.datetime(2026, 11, 1))
    t = tracker.tracker(district.district, boss, "annual", "2026", dt.date(2026, 11, 1))
    assert tracker._declared_text(t.rows[0]) == "đã duyệt 1/2, chờ duyệt 1"
    # the commune officer: their own cell's figures, none of the sibling commune's
    officer = User.objects.get(username="canbo_a")
    seen = tracker.tracker(district.district, officer, "annual", "2026", dt.date(2026, 11, 1))
    assert [(r.unit["name"], tracker._declared_text(r)) for r in seen.rows] == [
        ("Đảng bộ xã An Hòa", "đã duyệt 1/2, chờ duyệt 1")]
    own = login("canbo_a").get(f"{BASE}theo-doi/?kind=annual&period=2026").get_data(as_text=True)
    assert _cell(own, "Chi bộ thôn 1") == "đã duyệt 1/2, chờ duyệt 1"
    assert "Bình Minh" not in own and "trả lại" not in own and "không có gì để khai" not in own


def test_round_trips_do_not_grow_with_the_units_shown(app, district, clock, login) -> None:
    """Ensure that the tracker page costs the same round trips with 2 or 8 communes, each with
    people in a declaration round."""
    client = login("huyen")
    url = f"{BASE}theo-doi/?kind=annual&period=2026"
    trips = []
    for n in (0, 6):
        for i in range(n):
            commune = factories.org(f"XN{i}", f"Đảng bộ xã Mới {i}", district.district, "committee")
            factories.member(factories.org(f"XN{i}-1", f"Chi bộ Mới {i}", commune), f"Người Mới {i}")
        rnd = _open_round(app, "huyen", district.district)
        _set(rnd, district.member_a, "approved")
        with Budget() as budget:
            _docs, count, response = budget.measure(client, url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and html.count('data-col="declarations"') == 2 + n
        assert _cell(html, "Đảng bộ xã Bình Minh").startswith("đã duyệt 0/")
        trips.append(count)
    assert trips[0] == trips[1], trips
