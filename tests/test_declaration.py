"""Ensure that declaration rounds keep their promises: personal links that open only for
their person, declarations checked by the register's rules, nothing in the register before
an officer approves, and approval as an ordinary audited write (issue 26)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from models import AuditEntry, Member, Site, SocialAccount, normalize
from models.declaration import Declaration, DeclarationLink, DeclarationRound, token_hash
from services import declaration as rounds
from tests import factories
from tests.budget import Budget
from tests.conftest import csrf_token
from tests.test_vietnamese_pages import english_in


def _open_round(app, user, unit, days=10, **kw):
    with app.test_request_context():
        return rounds.open_round(user, unit, "Khai báo năm nay", normalize.format_date(normalize.today() + dt.timedelta(days=days)), **kw)


def _token(app, member, rnd=None):
    with app.app_context():
        link = DeclarationLink.objects(member=member, **({"round": rnd} if rnd else {})).get()
        return rounds.token_of(link)


def _enter(client, token, answer="5678"):
    page = f"/khai-bao/{token}/"
    return client.post(page, data={"answer": answer, "csrf_token": csrf_token(client, page)})


def _form(client, token):
    html = client.get(f"/khai-bao/{token}/khai/").get_data(as_text=True)
    data = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html)[1],
            "nonce": re.search(r'name="nonce" value="([^"]*)"', html)[1],
            "n_site": re.search(r'name="n_site" value="(\d+)"', html)[1],
            "n_account": re.search(r'name="n_account" value="(\d+)"', html)[1]}
    return html, data


@pytest.fixture
def officer(world):
    return factories.user("canbo_a", world.commune_a, "officer")


@pytest.fixture
def rnd(app, world, officer):
    world.member_a.update(set__date_of_birth=dt.datetime(1980, 9, 2))
    return _open_round(app, officer, world.commune_a)


@pytest.fixture
def person(app, world, rnd):
    """The test client of member A, past the question."""
    client = app.test_client()
    token = _token(app, world.member_a)
    assert _enter(client, token).status_code == 302
    return client, token


def _declare(client, token, world, extra=None):
    """Member A corrects their account, adds a Facebook page they administer, gives up their site."""
    _html, data = _form(client, token)
    acc, site = world.account_a.pk, world.site_a.pk
    data.update({f"r-{acc}": "correct", f"r-{acc}-platform": "Facebook", f"r-{acc}-account_name": "An Nguyễn",
                 f"r-{acc}-url": "https://www.facebook.com/nguyenvanan", f"r-{acc}-link_type": "personal",
                 f"r-{acc}-purpose": "Tuyên truyền", f"r-{acc}-established_on": "01/05/2020",
                 f"r-{site}": "gone", "n_account": "1",
                 "new-account-0-platform": "Facebook", "new-account-0-account_name": "Thôn 1 An Hòa",
                 "new-account-0-url": "facebook.com/thon1anhoa", "new-account-0-link_type": "page",
                 "new-account-0-admin_role": "Quản trị viên", "new-account-0-registration_phone": "912 000 111",
                 "new-account-0-purpose": "Tuyên truyền", "action": "submit"})
    data.update(extra or {})
    return client.post(f"/khai-bao/{token}/khai/", data=data), data


def test_token_is_random_long_and_stored_only_as_its_hash(app, world, rnd):
    """Ensure that a token has at least 128 bits, differs per person, and no document holds it."""
    other = factories.member(world.cell_a, "Lê Văn Cường", phone="0933444555")
    rnd2 = _open_round(app, factories.user("canbo_a2", world.commune_a), world.commune_a)
    tokens = {_token(app, world.member_a, rnd), _token(app, other, rnd2), _token(app, world.member_a, rnd2)}
    assert len(tokens) == 3
    for token in tokens:
        assert re.fullmatch(r"[a-z2-7]{26}", token)  # 26 base32 letters = 130 bits
        link = DeclarationLink.objects(token_hash=token_hash(token)).get()
        stored = str(DeclarationLink._get_collection().find_one({"_id": link.pk}))
        assert token not in stored and token.upper() not in stored
    assert rounds.clean_code(rounds.code_of(next(iter(tokens))).replace("O", "0")) == next(iter(tokens)).replace("o", "o")


def test_round_takes_the_active_people_of_the_subtree(app, world, officer):
    """Ensure that a round offers every active person of the unit and nobody outside it."""
    gone = factories.member(world.cell_a, "Phạm Thị Dung", status="transferred", left_on=dt.date(2024, 1, 1))
    extra = factories.member(world.cell_a, "Lê Văn Cường")
    r = _open_round(app, officer, world.commune_a)
    people = set(DeclarationLink.objects(round=r).scalar("member"))
    assert {m.pk for m in people} == {world.member_a.pk, extra.pk} and gone.pk not in {m.pk for m in people}
    chosen = _open_round(app, officer, world.commune_a, member_ids=[str(extra.pk), str(world.member_b.pk)])
    assert [m.pk for m in DeclarationLink.objects(round=chosen).scalar("member")] == [extra.pk]
    with pytest.raises(ValueError):
        _open_round(app, officer, world.commune_a, days=-1)


def test_officer_opens_a_round_through_the_screen(app, world, login, officer):
    client = login("canbo_a")
    page = f"/admin/dot-khai-bao/moi/?org={world.commune_a.pk}"
    html = client.get(page).get_data(as_text=True)
    assert "Nguyễn Văn An" in html and "Trần Thị Bình" not in html
    day = normalize.format_date(normalize.today() + dt.timedelta(days=7))
    r = client.post(page, data={"csrf_token": csrf_token(client, page), "org": str(world.commune_a.pk),
                                "title": "Đợt tháng này", "closes_on": day, "member": [str(world.member_a.pk)]})
    assert r.status_code == 302
    assert DeclarationRound.objects(title="Đợt tháng này").get().people == 1
    assert client.get(f"/admin/dot-khai-bao/moi/?org={world.commune_b.pk}").status_code == 404


def test_every_failure_gets_the_same_page(app, world, rnd, officer):
    """Ensure that a wrong answer, a forged token, a revoked link and an expired round cannot
    be told apart."""
    token = _token(app, world.member_a)
    pages = {}
    for case, tok, answer in [("answer", token, "0000"), ("birth", token, "01/01/1999"),
                              ("forged", "a" * 26, "5678"), ("junk", "x", "5678")]:
        r = _enter(app.test_client(), tok, answer)
        pages[case] = (r.status_code, r.get_data(as_text=True))
    with app.test_request_context():
        rounds.revoke(DeclarationLink.objects(member=world.member_a).get(), officer)
    r = _enter(app.test_client(), token)
    pages["revoked"] = (r.status_code, r.get_data(as_text=True))
    assert len(set(pages.values())) == 1, pages.keys()
    status, html = pages["answer"]
    assert status == 403 and "Không mở được trang khai báo" in html and not english_in(html)
    assert AuditEntry.objects(action="declare_failed").count() == 5


def test_the_right_answer_opens_the_persons_page_only(app, world, rnd, person):
    """Ensure that birth date and the phone's last four digits open the page, which shows the
    person's own records and no panel session."""
    client, token = person
    html = client.get(f"/khai-bao/{token}/khai/").get_data(as_text=True)
    assert "facebook.com/nguyenvanan" in html and "nguyenvanan.blogspot.com" in html
    assert "tranthibinh" not in html and "Trần Thị Bình" not in html
    assert client.get("/admin/").status_code == 302  # to the login page
    assert client.get("/admin/member/").status_code == 302
    other = app.test_client()
    assert _enter(other, token, "02/09/1980").status_code == 302
    assert DeclarationLink.objects(member=world.member_a).get().state == "opened"
    assert AuditEntry.objects(action="declare_open").count() == 2
    assert app.test_client().get(f"/khai-bao/{token}/khai/").status_code == 403  # the answer is per browser


def test_another_persons_token_finds_nothing_of_anyone_else(app, world, rnd, person, login):
    """Ensure that the session of one link opens no other link (another person's, forged,
    expired, revoked), and a replayed submission adds nothing."""
    client, token = person
    admin = factories.user("quantri", world.district, "admin")
    rnd_b = _open_round(app, admin, world.commune_b)
    token_b = _token(app, world.member_b, rnd_b)
    for path in (f"/khai-bao/{token_b}/khai/", f"/khai-bao/{token_b}/da-gui/", f"/khai-bao/{'b' * 26}/khai/"):
        r = client.get(path)
        assert r.status_code == 403 and "Trần Thị Bình" not in r.get_data(as_text=True)
    r, data = _declare(client, token, world)
    assert r.status_code == 302
    again = client.post(f"/khai-bao/{token}/khai/", data=data)
    assert again.status_code == 409 and Declaration.objects.count() == 1
    with time_machine.travel(dt.datetime.combine(rnd.closes_on.date() + dt.timedelta(days=1), dt.time(3)), tick=False):
        assert client.get(f"/khai-bao/{token}/khai/").status_code == 403
        assert _enter(app.test_client(), token).status_code == 403


def test_declaration_is_checked_by_the_register_rules(app, world, person):
    """Ensure that a wrong value is refused on its field, the typed values stay, nothing is kept."""
    client, token = person
    r, _ = _declare(client, token, world, {"new-account-0-registration_phone": "12345"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and Declaration.objects.count() == 0
    assert re.search(r'id="new-account-0-registration_phone-err">Số điện thoại', html)
    assert 'value="12345"' in html and not english_in(html)
    r, _ = _declare(client, token, world, {"new-account-0-admin_role": ""})  # a page needs the role
    assert r.status_code == 422 and re.search(r'id="new-account-0-admin_role-err">[^<]*Bắt buộc', r.get_data(as_text=True))
    r, _ = _declare(client, token, world, {"new-account-0-url": "@thon1anhoa"})  # a handle is an address
    assert r.status_code == 302
    item = Declaration.objects.get().items[-1]
    assert item.values["url"] == "https://www.facebook.com/thon1anhoa" and item.values["registration_phone"] == "0912000111"


def test_as_you_type_check_uses_the_same_rules(app, world, person):
    client, token = person
    html, data = _form(client, token)
    r = client.post(f"/khai-bao/{token}/kiem-tra/", data={"csrf_token": data["csrf_token"], "kind": "site",
                                                         "domain": "khong co", "site_name": "Blog"})
    assert r.status_code == 200 and "domain" in r.json and "purpose" in r.json
    assert app.test_client().post(f"/khai-bao/{token}/kiem-tra/", data={"kind": "site"}).status_code in (400, 403)


def test_nothing_enters_the_register_before_review(app, world, person, login):
    """Ensure that a submission changes nothing; approval writes, audits and moves (12)/(11)."""
    client, token = person
    old = normalize.to_datetime(normalize.today() - dt.timedelta(days=40))
    SocialAccount.objects(pk=world.account_a.pk).update_one(set__updated_on=old)
    r, _ = _declare(client, token, world)
    assert r.status_code == 302
    assert SocialAccount.objects(member=world.member_a).count() == 1
    assert SocialAccount.objects(pk=world.account_a.pk).get().account_name == "Nguyễn Văn An"
    assert Site.objects(pk=world.site_a.pk).get().deleted_at is None
    summary = client.get(r.location).get_data(as_text=True)
    assert "chờ duyệt" in summary and "An Nguyễn" in summary and "Không còn sử dụng" in summary
    officer = login("canbo_a")
    decl = Declaration.objects.get()
    queue = officer.get(f"/admin/dot-khai-bao/duyet/?id={decl.round.pk}").get_data(as_text=True)
    assert "Nguyễn Văn An" in queue and "<del>Nguyễn Văn An</del>" in queue and "<ins>An Nguyễn</ins>" in queue
    page = f"/admin/dot-khai-bao/duyet/?id={decl.round.pk}"
    r = officer.post("/admin/dot-khai-bao/duyet/quyet-dinh/", data={"csrf_token": csrf_token(officer, page),
                                                                    "decl": str(decl.pk), "what": "all"})
    assert r.status_code == 302
    account = SocialAccount.objects(pk=world.account_a.pk).get()
    assert account.account_name == "An Nguyễn" and account.updated_on.date() == normalize.today()
    assert SocialAccount.objects(pk=world.account_a.pk).get().updated_on != old
    page_acc = SocialAccount.objects(member=world.member_a, link_type="page").get()
    assert page_acc.admin_role == "Quản trị viên" and page_acc.url == "https://facebook.com/thon1anhoa"
    assert Site.objects(pk=world.site_a.pk).get().deleted_at is not None
    assert {e.action for e in AuditEntry.objects(username="canbo_a")} >= {"create", "update", "delete", "declare_review"}
    assert AuditEntry.objects(action="declare_submit", scope=world.cell_a.pk).count() == 1
    assert DeclarationLink.objects(member=world.member_a).get().state == "approved"
    assert Member.objects(pk=world.member_a.pk).get().declared == 2


def test_partial_approval_returns_the_rest_with_a_reason(app, world, person, login):
    client, token = person
    _declare(client, token, world)
    officer = login("canbo_a")
    decl = Declaration.objects.get()
    page = f"/admin/dot-khai-bao/duyet/?id={decl.round.pk}"
    lines = [i for i, item in enumerate(decl.items) if item.action != "keep"]
    add = next(i for i, item in enumerate(decl.items) if item.action == "add")
    data = {"csrf_token": csrf_token(officer, page), "decl": str(decl.pk), "what": "some", "item": [str(add)]}
    officer.post("/admin/dot-khai-bao/duyet/quyet-dinh/", data=data)
    assert Declaration.objects.get().state == "waiting"  # no reason: nothing done
    officer.post("/admin/dot-khai-bao/duyet/quyet-dinh/", data={**data, "reason": "Trang web vẫn còn hoạt động"})
    decl.reload()
    assert decl.state == "returned" and len(lines) == 3
    assert SocialAccount.objects(member=world.member_a, link_type="page").count() == 1
    assert SocialAccount.objects(pk=world.account_a.pk).get().account_name == "Nguyễn Văn An"
    assert Site.objects(pk=world.site_a.pk).get().deleted_at is None
    html = client.get(f"/khai-bao/{token}/khai/").get_data(as_text=True)
    assert "Trang web vẫn còn hoạt động" in html and "Thôn 1 An Hòa" in html  # approved: now registered
    _html, data = _form(client, token)
    r = client.post(f"/khai-bao/{token}/khai/", data={**data, "action": "submit"})
    assert r.status_code == 302 and Declaration.objects(link=decl.link.pk).count() == 2
    assert DeclarationLink.objects(member=world.member_a).get().state == "waiting"


def test_i_have_none(app, world, officer, login):
    lone = factories.member(world.cell_a, "Lê Văn Cường", phone="0933444555")
    r = _open_round(app, officer, world.commune_a)
    client, token = app.test_client(), _token(app, lone, r)
    _enter(client, token, "4555")
    _html, data = _form(client, token)
    empty = client.post(f"/khai-bao/{token}/khai/", data={**data, "action": "submit"})
    assert empty.status_code == 422 and "Tôi không có" in empty.get_data(as_text=True)
    assert client.post(f"/khai-bao/{token}/khai/", data={**data, "none": "1", "action": "submit"}).status_code == 302
    with app.test_request_context():
        from services import declaration_review as review

        review.decide(Declaration.objects(member=lone).get(), officer, None, None)
    assert DeclarationLink.objects(member=lone).get().state == "none"
    total, cells = rounds.progress(r, officer)
    assert total.counts["none"] == 1 and total.counts["not_opened"] == 1 and cells[0].name == "Chi bộ thôn 1"


def test_throttled_per_token(app, world, rnd):
    token = _token(app, world.member_a)
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        _enter(app.test_client(), token, "0000")
    r = _enter(app.test_client(), token)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert AuditEntry.objects(action="declare_throttled").count() == 1


def test_declaration_pages_headers_and_language(app, world, person):
    """Ensure that the declaration pages carry the strict policy, no-store, and no English."""
    client, token = person
    _declare(client, token, world)
    for path in ("/khai-bao/", f"/khai-bao/{token}/", f"/khai-bao/{token}/khai/", f"/khai-bao/{token}/da-gui/",
                 f"/khai-bao/{'c' * 26}/khai/"):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp, path
        assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer"
        assert not english_in(r.get_data(as_text=True)), path
    assert client.post(f"/khai-bao/{token}/khai/", data={"action": "submit"}).status_code == 400  # no CSRF token


def test_sheet_messages_and_not_declared_list(app, world, rnd, login, officer):
    client = login("canbo_a")
    token = _token(app, world.member_a)
    sheet = client.get(f"/admin/dot-khai-bao/phieu/?id={rnd.pk}&cell={world.cell_a.pk}").get_data(as_text=True)
    assert "Nguyễn Văn An" in sheet and "data:image/svg+xml" in sheet and rounds.code_of(token) in sheet
    msgs = client.get(f"/admin/dot-khai-bao/tin-nhan/?id={rnd.pk}").get_data(as_text=True)
    assert f"/khai-bao/{token}/" in msgs
    todo = client.get(f"/admin/dot-khai-bao/chua-khai/?id={rnd.pk}").get_data(as_text=True)
    assert "Nguyễn Văn An" in todo and "Tổng cộng: 1" in todo
    for path in (f"/admin/dot-khai-bao/dot/?id={rnd.pk}", f"/admin/dot-khai-bao/duyet/?id={rnd.pk}", "/admin/dot-khai-bao/",
                 f"/admin/dot-khai-bao/moi/?org={world.commune_a.pk}", "/admin/"):
        html = client.get(path).get_data(as_text=True)
        assert not english_in(html), path
    assert "Đợt khai báo đang mở" in client.get("/admin/").get_data(as_text=True)


def test_other_units_cannot_reach_the_round(app, world, rnd, person, login):
    """Ensure that the officer of a sibling commune sees none of the round, its links or submissions."""
    client, token = person
    _declare(client, token, world)
    factories.user("canbo_b", world.commune_b, "officer")
    other = login("canbo_b")
    decl = Declaration.objects.get()
    for path in (f"/admin/dot-khai-bao/dot/?id={rnd.pk}", f"/admin/dot-khai-bao/duyet/?id={rnd.pk}",
                 f"/admin/dot-khai-bao/phieu/?id={rnd.pk}", f"/admin/dot-khai-bao/tin-nhan/?id={rnd.pk}"):
        assert other.get(path).status_code == 404, path
    assert "Khai báo năm nay" not in other.get("/admin/dot-khai-bao/").get_data(as_text=True)
    from bson import ObjectId

    pages = []
    for raw in (str(rnd.pk), str(ObjectId())):  # a foreign round looks like a missing one
        r = other.get(f"/admin/dot-khai-bao/dot/?id={raw}")
        pages.append((r.status_code, re.sub(r'name="csrf_token" value="[^"]*"', "", r.get_data(as_text=True)).replace(raw, "ID")))
    assert pages[0] == pages[1]
    assert AuditEntry.objects(action="denied", scope=world.commune_a.pk, username="canbo_b").count() >= 1  # A learns of the probe
    page = "/admin/dot-khai-bao/"
    r = other.post("/admin/dot-khai-bao/duyet/quyet-dinh/", data={"csrf_token": csrf_token(other, page),
                                                                  "decl": str(decl.pk), "what": "all"})
    assert r.status_code == 404 and Declaration.objects.get().state == "waiting"
    link = DeclarationLink.objects(member=world.member_a).get()
    r = other.post("/admin/dot-khai-bao/lien-ket/", data={"csrf_token": csrf_token(other, page),
                                                         "link": str(link.pk), "what": "revoke"})
    assert r.status_code == 404 and DeclarationLink.objects(pk=link.pk).get().revoked_at is None


def test_possible_duplicates_are_flagged_without_naming_outsiders(app, world, person, login):
    client, token = person
    _declare(client, token, world, {"new-account-0-url": "https://www.facebook.com/tranthibinh",
                                    "new-account-0-link_type": "personal", "new-account-0-admin_role": ""})
    officer = login("canbo_a")
    rnd = Declaration.objects.get().round
    html = officer.get(f"/admin/dot-khai-bao/duyet/?id={rnd.pk}").get_data(as_text=True)
    assert "Nghi trùng" in html and "một người ngoài đơn vị" in html and "Trần Thị Bình" not in html
    page = f"/admin/dot-khai-bao/duyet/?id={rnd.pk}"
    officer.post("/admin/dot-khai-bao/duyet/tat-ca/", data={"csrf_token": csrf_token(officer, page), "id": str(rnd.pk)})
    assert Declaration.objects.get().state == "waiting"  # a possible duplicate is left to a person


def test_review_page_costs_the_same_whatever_the_queue(app, world, officer, login):
    """Ensure that the review page's round trips do not grow with the submissions shown."""
    people = [factories.member(world.cell_a, f"Người {i}", phone=f"09120000{i:02d}") for i in range(12)]
    r = _open_round(app, officer, world.commune_a)
    client = login("canbo_a")
    trips = []
    for batch in (people[:3], people[3:]):
        for m in batch:
            c, token = app.test_client(), _token(app, m, r)
            _enter(c, token, m.phone[-4:])
            _html, data = _form(c, token)
            c.post(f"/khai-bao/{token}/khai/", data={**data, "n_site": "1", "new-site-0-site_name": "Blog",
                                                     "new-site-0-domain": f"nguoi{m.phone}.vn",
                                                     "new-site-0-purpose": "Tuyên truyền", "action": "submit"})
        with Budget() as budget:
            _docs, n, response = budget.measure(client, f"/admin/dot-khai-bao/duyet/?id={r.pk}")
            assert response.status_code == 200
        trips.append(n)
    assert trips[0] == trips[1], trips


def test_throttled_per_address_whatever_the_tokens(app, world, rnd):
    """Ensure that guessing many tokens from one address slows that address down."""
    client = app.test_client()
    for n in range(app.config["LOGIN_FREE_FAILURES_ADDRESS"]):
        _enter(client, f"{n:02d}" + "a" * 24)
    r = _enter(client, _token(app, world.member_a))
    assert r.status_code == 429 and "Không mở được trang khai báo" in r.get_data(as_text=True)


def test_a_link_revoked_while_open_stops_at_once(app, world, person, officer):
    client, token = person
    assert client.get(f"/khai-bao/{token}/khai/").status_code == 200
    with app.test_request_context():
        rounds.revoke(DeclarationLink.objects(member=world.member_a).get(), officer)
    r = client.get(f"/khai-bao/{token}/khai/")
    assert r.status_code == 403 and "facebook.com/nguyenvanan" not in r.get_data(as_text=True)
    with app.test_request_context():
        rounds.reissue(DeclarationLink.objects(member=world.member_a).get(), officer)
    assert _enter(app.test_client(), token).status_code == 403  # the old code stays dead
    assert _enter(app.test_client(), _token(app, world.member_a)).status_code == 302
    assert AuditEntry.objects(action="update", collection="declaration_links").count() == 2


def test_a_line_the_register_refuses_stays_with_the_officer(app, world, person, officer):
    """Ensure that a line the register cannot take (the owner's own record lacks column (4))
    keeps the submission waiting with the reason, instead of returning it to the person."""
    client, token = person
    _declare(client, token, world)
    Member.objects(pk=world.member_a.pk).update_one(set__position="")
    SocialAccount.objects(member=world.member_a).update(set__position="")
    decl = Declaration.objects.get()
    with app.test_request_context():
        from services import declaration_review as review

        assert review.approve_clean(decl.round, officer) == (0, 1)
    decl.reload()
    assert decl.state == "waiting" and any("Cấp bậc, chức vụ" in (i.note or "") for i in decl.items)
    assert DeclarationLink.objects(member=world.member_a).get().state == "waiting"
    Member.objects(pk=world.member_a.pk).update_one(set__position="Đảng viên")
    decl = Declaration.objects.get()
    with app.test_request_context():
        review.decide(decl, officer, None, None)
    assert decl.state == "approved" and SocialAccount.objects(member=world.member_a, deleted_at=None).count() == 2
