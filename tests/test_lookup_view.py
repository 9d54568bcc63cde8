"""The "Tra cứu" screen: access, scope, escaping and what the answer shows."""

from __future__ import annotations

from tests import factories


def test_anonymous_is_sent_to_login(client, world):
    """Ensure that the look-up is not open to anonymous visitors."""
    r = client.get("/admin/lookup/?q=0912345678")
    assert r.status_code == 302 and "/login/" in r.headers["Location"]


def test_deactivated_or_orgless_user_is_denied(world, login):
    """Ensure that a user whose account is deactivated cannot look up anyone."""
    user = factories.user("tamnghi", world.commune_a, "viewer")
    c = login("tamnghi")
    assert c.get("/admin/lookup/?q=0912345678").status_code == 200
    user.update(set__active=False)
    r = c.get("/admin/lookup/?q=0912345678")
    assert r.status_code in (302, 403) and "Nguyễn Văn An" not in r.get_data(as_text=True)


def test_answer_shows_person_position_cell_committee_and_record(officer_client, world):
    """Ensure that the answer names the person, position, cell, committee and record."""
    html = officer_client.get("/admin/lookup/?q=https://m.facebook.com/nguyenvanan?fbclid=x").get_data(as_text=True)
    for text in ("Nguyễn Văn An", "Đảng viên", "Chi bộ thôn 1", "Đảng bộ xã An Hòa",
                 "https://www.facebook.com/nguyenvanan", "facebook.com/nguyenvanan", "Đường dẫn (trùng khớp)"):
        assert text in html
    assert f"/admin/socialaccount/details/?id={world.account_a.pk}" in html


def test_sibling_owner_is_not_shown(officer_client, world):
    """Ensure that an officer's answer never names a sibling commune's member."""
    html = officer_client.get("/admin/lookup/?q=0987654321").get_data(as_text=True)
    assert "Trần Thị Bình" not in html and "Không có ai trong phạm vi của bạn khai báo số điện thoại 0987654321" in html


def test_duplicate_is_flagged_on_screen(officer_client, world):
    """Ensure that a URL declared by two people shows the conflict banner."""
    other = factories.member(world.cell_a, "Lê Văn Cường")
    factories.account(other, "fb.com/nguyenvanan")
    html = officer_client.get("/admin/lookup/?q=facebook.com/nguyenvanan").get_data(as_text=True)
    assert "Trùng khai báo" in html and "Lê Văn Cường, Nguyễn Văn An" in html


def test_values_are_escaped(officer_client, world):
    """Ensure that markup typed into a record or the query is shown as text."""
    factories.account(world.member_a, "https://www.youtube.com/@xss", platform="Youtube",
                      account_name="<body onload=alert(1)>")
    html = officer_client.get("/admin/lookup/?q=youtube.com/@xss&x=<script>").get_data(as_text=True)
    assert "<body onload=alert(1)>" not in html and "&lt;body onload=alert(1)&gt;" in html
    html = officer_client.get('/admin/lookup/?q="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


def test_over_long_query_is_cut(officer_client, world):
    """Ensure that a pasted page does not turn into a huge query."""
    r = officer_client.get("/admin/lookup/?q=" + "a" * 5000)
    assert r.status_code == 200 and "a" * 501 not in r.get_data(as_text=True)


def test_search_box_in_header(officer_client, world):
    """Ensure that every page carries the look-up box."""
    html = officer_client.get("/admin/member/").get_data(as_text=True)
    assert 'action="/admin/lookup/"' in html


def test_domain_query_without_match_speaks_of_the_domain(officer_client, world):
    """Ensure that a domain-shaped query with no match answers about the domain, not about a name."""
    html = officer_client.get("/admin/lookup/?q=abc.com").get_data(as_text=True)
    summary = html.split('class="lookup-summary"')[1].split("</p>")[0]
    assert "<strong>tên miền</strong>" in summary and "dùng tên miền abc.com" in summary
    assert "họ tên" not in summary
