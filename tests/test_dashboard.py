"""Home dashboard: figures against a dataset with known counts, links, scope, round trips."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from models import Member, normalize
from services import dashboard
from tests import factories

TODAY = normalize.today()


@pytest.fixture
def known(world: factories.World) -> factories.World:
    """World plus: one person without any record, one transferred person, one record with
    a missing mandatory field in each commune, a Zalo account, and domains with expiry dates."""
    factories.member(world.cell_a, "Phạm Văn Dũng", phone="0901000001")
    factories.member(world.cell_b, "Đỗ Thị Hoa", status="transferred", left_on=dt.date(2026, 1, 5))
    legacy = Member(full_name="Vũ Văn Long", organisation=world.cell_b)
    legacy.save_legacy()  # position missing: a quality issue, and no record either
    factories.account(world.member_a, "https://zalo.me/0912345678", platform="Zalo")
    bad = factories.account(world.member_b, "https://www.tiktok.com/@binh", platform="Tiktok")
    bad.purpose = None
    bad.save_legacy()
    world.site_a.update(set__expires_on=dt.datetime.combine(TODAY - dt.timedelta(days=5), dt.time()))
    world.site_b.update(set__expires_on=dt.datetime.combine(TODAY + dt.timedelta(days=10), dt.time()))
    far = factories.site(world.member_b, "binh-xa.vn", expires_on=TODAY + dt.timedelta(days=75))
    assert far.expires_on
    return world


def test_figures_for_the_district(known, app):
    """Ensure that every figure equals the count of the dataset, per unit and in total."""
    user = factories.user("quantri", known.district, "admin")
    board = dashboard.build(user, TODAY)
    assert board.root.name == "Huyện ủy Vĩnh Bảo"
    assert [u.name for u in board.units] == ["Đảng bộ xã An Hòa", "Đảng bộ xã Bình Minh",
                                             "Trực thuộc trực tiếp Huyện ủy Vĩnh Bảo"]
    a, b, own = board.units
    assert own.kind_of_row == "own" and not any(own.counts.values())
    assert a.counts == {"people": 2, "no_account": 1, "sites": 1, "accounts": 2, "issues_members": 0,
                        "issues_sites": 0, "issues_accounts": 0}
    assert b.counts == {"people": 2, "no_account": 1, "sites": 2, "accounts": 2, "issues_members": 1,
                        "issues_sites": 0, "issues_accounts": 1}
    assert board.root.counts == {k: a.counts[k] + b.counts[k] for k in dashboard.FIGURES}
    assert board.platforms == [("Facebook", 2), ("TikTok", 1), ("Zalo", 1)]
    assert board.expiring == {30: 1, 60: 1, 90: 2} and board.expired == 1


def test_officer_sees_own_commune_and_its_cells_only(known, officer_client):
    """Ensure that a commune officer's dashboard holds their subtree and nothing of a sibling."""
    html = officer_client.get("/admin/").get_data(as_text=True)
    assert "Tổng quan: Đảng bộ xã An Hòa" in html and "Chi bộ thôn 1" in html
    assert "Bình Minh" not in html and "Chi bộ thôn Đông" not in html


def _figure_links(html: str) -> list[tuple[str, str, int]]:
    found = re.findall(r'<a href="([^"]+)" class="fig fig-(\w+)" data-figure="\w+">(\d+)</a>', html)
    return [(unescape(href), fig, int(n)) for href, fig, n in found]


def _list_count(client, href: str) -> int:
    html = client.get(href).get_data(as_text=True)
    if "/chua-khai-bao/" in href:
        return html.count('href="/admin/member/details/')
    m = re.search(r"Danh sách \((\d+)\)|List \((\d+)\)", html)
    return int(next(g for g in m.groups() if g)) if m else 0


def test_every_figure_links_to_the_list_behind_it(known, admin_client):
    """Ensure that following a figure's link shows a list of exactly that many rows."""
    links = _figure_links(admin_client.get("/admin/").get_data(as_text=True))
    figures = {fig for _, fig, _ in links}
    assert figures == set(dashboard.FIGURES)
    # 2 units and the total (the own row is plain numbers: no list shows only it), and the cards
    assert len(links) == 3 * len(dashboard.FIGURES) + len(dashboard.FIGURES)
    for href, fig, n in links:
        assert _list_count(admin_client, href) == n, (fig, href)


def test_platform_and_expiry_links(known, admin_client):
    """Ensure that a chart bar and an expiry figure lead to the matching filtered list."""
    html = admin_client.get("/admin/").get_data(as_text=True)
    tiktok = unescape(re.search(r'<a href="([^"]+)"><text[^>]*>TikTok</text>', html).group(1))
    assert _list_count(admin_client, tiktok) == 1
    ninety = unescape(re.search(r'<a href="([^"]+)" data-horizon="90">2</a>', html).group(1))
    assert _list_count(admin_client, ninety) == 2
    expired = unescape(re.search(r'<a class="text-danger" href="([^"]+)">1</a>', html).group(1))
    assert _list_count(admin_client, expired) == 1


def test_filter_arguments_follow_the_view(known, app):
    """Ensure that links are built from the view's own filter list, not hard-coded indices."""
    from admin.dashboard import _view, list_url
    from admin.filters import ChoiceFilter, OrgSubtreeFilter

    with app.test_request_context():
        view = _view("socialaccount")
        url = list_url("socialaccount", [(OrgSubtreeFilter, "scope", "X"), (ChoiceFilter, "platform", "Zalo")])
        arg = next(k for k, (_i, f) in view._filter_args.items() if getattr(f, "column", None) == "platform")
        assert f"flt1_{arg}=Zalo" in url
        view._filter_args = {k: v for k, v in view._filter_args.items() if k != arg}
        assert list_url("socialaccount", [(ChoiceFilter, "platform", "Zalo")]) is None


def test_people_without_accounts_list(known, officer_client):
    """Ensure that the list behind "no declared account" names them, in scope only."""
    html = officer_client.get(f"/admin/chua-khai-bao/?org={known.commune_a.pk}").get_data(as_text=True)
    assert "Phạm Văn Dũng" in html and "Nguyễn Văn An" not in html
    assert officer_client.get(f"/admin/chua-khai-bao/?org={known.commune_b.pk}").status_code == 404
    assert officer_client.get("/admin/chua-khai-bao/?org=nonsense").status_code == 404


def test_no_account_list_counts_whom_the_figure_counts(known, officer_client):
    """Ensure that the list behind "no declared account" holds exactly the people its figure
    counts: someone who enters the register tomorrow (an accepted transfer dated ahead) is in
    neither, as the annual report would not count them either."""
    ahead = factories.member(known.cell_a, "Trần Văn Sắp", phone="0901000009")
    Member.objects(pk=ahead.pk).update(set__joined_on=dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time()))
    user = factories.user("quantri_xa", known.commune_a, "officer")
    (row,) = [u for u in dashboard.build(user, TODAY).units if u.name == "Chi bộ thôn 1"]
    people = [p.full_name for p in dashboard.people_without_accounts(user, known.cell_a.pk, TODAY)]
    assert people == ["Phạm Văn Dũng"] and row.counts["no_account"] == len(people)
    html = officer_client.get(f"/admin/chua-khai-bao/?org={known.cell_a.pk}").get_data(as_text=True)
    assert "Phạm Văn Dũng" in html and "Trần Văn Sắp" not in html


def test_anonymous_is_sent_to_login(client, world):
    r = client.get("/admin/")
    assert r.status_code == 302 and "/login/" in r.headers["Location"]


@pytest.mark.parametrize("today, key, due, left", [
    (dt.date(2026, 11, 23), "annual", dt.date(2026, 11, 30), 7),
    (dt.date(2026, 12, 1), "annual", dt.date(2027, 11, 30), 364),  # the current period (a missed one stays too)
    (dt.date(2026, 11, 30), "proposals", dt.date(2026, 12, 29), 29),
    (dt.date(2027, 2, 10), "proposals", dt.date(2027, 2, 28), 18),
    (dt.date(2027, 2, 10), "meetings", dt.date(2027, 2, 28), 18),
])
def test_deadlines(app, world, today, key, due, left):
    """Ensure that the annual report falls before 1 December and monthly ones at month end."""
    user = factories.user("quantri", world.district, "admin")
    d = next(x for x in dashboard.deadlines(user, world.district, today) if x.kind == key)
    assert (d.due, d.days_left) == (due, left)


def test_deadline_links_to_the_reports_screen(app, world, login):
    """Ensure that a deadline links to the reports screen when it exists."""
    from flask import Blueprint, url_for

    if "reports.index" not in app.view_functions:  # the reports screen is another module's
        bp = Blueprint("reports", __name__)
        bp.add_url_rule("/admin/bao-cao-thu/", "index", lambda: "ok")
        app.register_blueprint(bp)
    with app.test_request_context():
        target = url_for("reports.index")
    assert f'href="{target}">Lập báo cáo' in _dashboard_html(world, login)


def _dashboard_html(world, login) -> str:
    from models import User

    if not User.objects(username="quantri").first():
        factories.user("quantri", world.district, "admin")
    return login("quantri").get("/admin/").get_data(as_text=True)


def test_round_trips_do_not_grow_with_the_register(world, app):
    """Ensure that the dashboard makes the same queries for 1 or 40 more people."""
    from tests.budget import Budget
    from tests.test_round_trips import READS

    user = factories.user("quantri", world.district, "admin")
    with Budget() as budget:
        dashboard.build(user, TODAY)
        small = [c for c in budget.commands if c[1] in READS]
        extra_cell = factories.org("XA-2", "Chi bộ thôn 2", world.commune_a)
        for i in range(40):
            m = factories.member(extra_cell, f"Người Thứ {i}")
            if i % 2:
                factories.account(m, f"https://www.facebook.com/nguoi{i}")
        budget.reset()
        dashboard.build(user, TODAY)
        big = [c for c in budget.commands if c[1] in READS]
    assert big == small and [n for _c, n in big].count("aggregate") <= 10


def test_no_account_follows_every_write(known, app):
    """Ensure that the "no account yet" figure follows adding, binning, restoring, moving and
    deleting a person's only record (the ``declared`` count kept on write)."""
    from services import soft_delete as trash

    user = factories.user("quantri", known.district, "admin")
    silent = lambda: dashboard.build(user, TODAY).root.counts["no_account"]  # noqa: E731
    assert silent() == 2
    dung = Member.objects(full_name="Phạm Văn Dũng").get()
    acc = factories.account(dung, "https://www.facebook.com/dung")
    assert silent() == 1 and Member.objects(pk=dung.pk).get().declared == 1
    trash.soft_delete(acc)
    assert silent() == 2
    trash.restore(acc)
    assert silent() == 1
    acc.member = known.member_a  # the record moves to another person
    acc.save()
    assert silent() == 2 and Member.objects(pk=known.member_a.pk).get().declared == 4
    acc.delete()
    assert Member.objects(pk=known.member_a.pk).get().declared == 3
    people = dashboard.people_without_accounts(user, known.district.pk)
    assert sorted(p.full_name for p in people) == ["Phạm Văn Dũng", "Vũ Văn Long"]


def test_people_without_accounts_list_is_paged(known, admin_client, monkeypatch):
    """Ensure that the "no account yet" list shows a page at a time, numbered on, with the total."""
    from admin import dashboard as view

    monkeypatch.setattr(view, "NO_ACCOUNT_PAGE", 1)
    first = admin_client.get(f"/admin/chua-khai-bao/?org={known.district.pk}").get_data(as_text=True)
    second = admin_client.get(f"/admin/chua-khai-bao/?org={known.district.pk}&page=2").get_data(as_text=True)
    assert "2 người đang sinh hoạt" in first and "Trang 1/2" in first and "Trang sau" in first
    assert ("Phạm Văn Dũng" in first) != ("Phạm Văn Dũng" in second)
    assert ("Vũ Văn Long" in first) != ("Vũ Văn Long" in second)
    assert "<tr><td>2</td>" in second and "Trang trước" in second
