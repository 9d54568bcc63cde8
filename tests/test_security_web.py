"""Ensure that sessions, CSRF, redirects, escaping and login throttling hold against
the attacks of SECURITY.md cases 7 and 9–15, each through the test client."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from email.utils import parsedate_to_datetime

import pytest

from app import create_app
from models import AuditEntry, Member, User
from tests import factories, stores
from tests.conftest import csrf_token, seen_version

SECRET = factories.PASSWORD
NAMES = ("Nguyễn Văn An", "Trần Thị Bình")


def _urls(app, world):
    """Every panel URL, with any path argument filled in (the list grows with the panel)."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin/") or rule.endpoint.endswith("static"):
            continue
        url = re.sub(r"/+", "/", re.sub(r"<[^>]+>", "xlsx", rule.rule))
        query = f"?id={world.member_a.pk}&name=organisation&query=&c=member"
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield method, url + query


def _hit(client, method, url):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(client, "/login/"), "action": "delete",
                                  "rowid": "x", "id": "x"})


def _assert_all_denied(app, world, client, allowed=(302, 401, 403, 404)):
    seen = 0
    for method, url in _urls(app, world):
        r = _hit(client, method, url)
        assert r.status_code in allowed, (method, url, r.status_code)
        if r.status_code == 302:
            assert "/login/" in r.location, (method, url, r.location)
        body = r.get_data(as_text=True)
        assert not any(n in body for n in NAMES), (method, url)
        seen += 1
    assert seen > 40  # the whole panel was walked, not an empty list


def test_anonymous_is_denied_everywhere(app, client, world):
    _assert_all_denied(app, world, client)


def test_user_without_role_is_denied_everywhere(app, world, login):
    user = factories.user("khongvaitro", world.commune_a)
    c = login("khongvaitro")
    User.objects(pk=user.pk).update(set__role="")
    _assert_all_denied(app, world, c)
    assert AuditEntry.objects(action="denied", username="khongvaitro").count() > 0


@pytest.mark.inconsistent  # a dangling organisation on purpose
def test_user_with_broken_scope_is_denied_everywhere(app, world, login):
    """The organisation reference no longer resolves: the scope cannot be computed."""
    factories.user("mocoi", world.commune_a)
    c = login("mocoi")
    User._get_collection().update_one({"username": "mocoi"}, {"$set": {"organisation": world.member_a.pk}})
    _assert_all_denied(app, world, c)


def test_deactivated_user_is_logged_out_everywhere(app, world, login):
    user = factories.user("biKhoa".lower(), world.commune_a)
    c = login("bikhoa")
    assert c.get("/admin/member/").status_code == 200
    User.objects(pk=user.pk).update(set__active=False)
    _assert_all_denied(app, world, c)


# --- case 9: XSS ---
XSS = "<body onload=alert(1)>"


def test_markup_in_text_fields_is_escaped(admin_client, world):
    m = factories.member(world.cell_a, XSS, position=XSS, notes=XSS)
    factories.account(m, "https://www.facebook.com/xss.test", account_name=XSS, purpose=XSS)
    for path in ("/admin/member/", f"/admin/member/details/?id={m.pk}", "/admin/socialaccount/",
                 f"/admin/member/edit/?id={m.pk}", "/admin/audit/"):
        html = admin_client.get(path).get_data(as_text=True)
        assert "<body onload" not in html, path
    html = admin_client.get("/admin/member/").get_data(as_text=True)
    assert "&lt;body onload=alert(1)&gt;" in html


def test_markup_in_binned_record_is_escaped(admin_client, world):
    m = factories.member(world.cell_a, XSS)
    admin_client.post("/admin/member/delete/", data={"id": str(m.pk), "csrf_token": csrf_token(admin_client, "/admin/")})
    html = admin_client.get("/admin/trash/?c=member").get_data(as_text=True)
    assert "&lt;body onload=alert(1)&gt;" in html and "<body onload" not in html


# --- case 10: operator-shaped input ---
@pytest.mark.parametrize("value", ['{"$ne": ""}', "$where", "sleep(1000)", '{"$gt": ""}', "a.b$c"])
def test_operator_shaped_search_is_plain_text(officer_client, world, value):
    for path in (f"/admin/member/?search={value}", f"/admin/member/?flt0_1={value}",
                 f"/admin/member/?status__ne={value}&scope__ne={value}", f"/admin/socialaccount/?search={value}"):
        r = officer_client.get(path, query_string=None)
        assert r.status_code in (200, 400), path
        assert "Trần Thị Bình" not in r.get_data(as_text=True)
    r = officer_client.get("/admin/member/ajax/lookup/", query_string={"name": "organisation", "query": value})
    assert r.status_code == 200 and json.loads(r.data) == []


def test_no_raw_queries_or_javascript_in_code():
    """No ``__raw__`` queries nor ``$where`` anywhere in the application code."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(r"__raw__\s*=|[\"']\$where[\"']|\.where\(")
    offenders = [str(p) for folder in ("admin", "services", "models", "exports", "imports") if (root / folder).exists()
                 for p in (root / folder).rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


# --- case 11: redirects ---
TARGETS = ["http://127.0.0.2/", "javascript:alert(1)", "\\\\evil.com", "/////evil.com", "https:////evil.com",
           "//evil.com", "/\\evil.com", " //evil.com"]


def _local(location):
    return location.startswith("/") and not location.startswith("//") and "\\" not in location \
        and "evil" not in location and "127.0.0.2" not in location


@pytest.mark.parametrize("target", TARGETS)
def test_admin_return_url_stays_on_site(officer_client, world, target):
    token = csrf_token(officer_client, "/admin/")
    own = factories.member(world.cell_a, "Người để xóa")
    r = officer_client.post("/admin/member/delete/", data={"id": str(own.pk), "csrf_token": token, "url": target})
    assert r.status_code == 302 and _local(r.location), r.location
    r = officer_client.get("/admin/member/edit/", query_string={"id": str(world.member_a.pk), "url": target})
    assert 'href="' + target + '"' not in r.get_data(as_text=True)


@pytest.mark.parametrize("target", TARGETS)
def test_login_next_stays_on_site(client, world, target):
    factories.user("canbo", world.commune_a)
    r = client.post("/login/", query_string={"next": target},
                    data={"username": "canbo", "password": SECRET, "csrf_token": csrf_token(client)})
    assert r.status_code == 302 and _local(r.location), r.location


# --- case 12: CSRF on every state-changing POST ---
def _posts(world):
    return [
        ("/admin/member/new/", {"full_name": "Mới qua CSRF", "organisation": str(world.cell_a.pk),
                                "position": "Đảng viên", "status": "active"}),
        (f"/admin/member/edit/?id={world.member_a.pk}", {"full_name": "Đổi qua CSRF", "position": "Đảng viên",
                                                         "organisation": str(world.cell_a.pk), "status": "active"}),
        ("/admin/member/delete/", {"id": str(world.member_a.pk)}),
        ("/admin/member/action/", {"action": "delete", "rowid": str(world.member_a.pk)}),
        ("/admin/trash/restore/", {"c": "member", "id": str(world.member_a.pk)}),
        ("/password/", {"current": SECRET, "new": "Mat-khau-moi-rat-dai-1", "confirm": "Mat-khau-moi-rat-dai-1"}),
        ("/logout/", {}),
    ]


@pytest.mark.parametrize("how", ["missing", "wrong", "other-session"])
def test_posts_without_valid_csrf_change_nothing(officer_client, world, login, how):
    factories.user("khac", world.commune_a)
    other = csrf_token(login("khac"), "/admin/")
    token = {"missing": None, "wrong": "sai-" + other[4:], "other-session": other}[how]
    hash_before = User.objects.get(username="canbo_a").password_hash
    for path, data in _posts(world):
        body = dict(data, **({"csrf_token": token} if token else {}))
        r = officer_client.post(path, data=body)
        assert r.status_code == 400, (path, r.status_code)
    assert Member.objects.get(pk=world.member_a.pk).full_name == "Nguyễn Văn An"
    assert Member.objects.get(pk=world.member_a.pk).deleted_at is None
    assert Member.objects(full_name="Mới qua CSRF").count() == 0
    assert User.objects.get(username="canbo_a").password_hash == hash_before
    assert officer_client.get("/admin/").status_code == 200  # still logged in: logout was refused too


def test_valid_csrf_is_accepted(officer_client, world):
    """The same POST with the page's token works: the 400s above come from CSRF alone."""
    path = f"/admin/member/edit/?id={world.member_a.pk}"
    r = officer_client.post(path, data={
        "full_name": "Đổi qua CSRF", "position": "Đảng viên", "organisation": str(world.cell_a.pk),
        "status": "active", "csrf_token": csrf_token(officer_client, "/admin/"),
        "seen_version": seen_version(officer_client, path)})
    assert r.status_code == 302
    assert Member.objects.get(pk=world.member_a.pk).full_name == "Đổi qua CSRF"


# --- case 13: replayed session cookies ---
def _replay(app, cookie):
    c = app.test_client()
    c.set_cookie("session", cookie, domain="localhost")
    return c.get("/admin/member/")


def test_cookie_replayed_after_logout_is_refused(app, officer_client):
    cookie = officer_client.get_cookie("session").value
    assert _replay(app, cookie).status_code == 200
    officer_client.post("/logout/", data={"csrf_token": csrf_token(officer_client, "/admin/")})
    r = _replay(app, cookie)
    assert r.status_code == 302 and "/login/" in r.location


def test_cookie_replayed_after_password_change_is_refused(app, officer_client):
    cookie = officer_client.get_cookie("session").value
    r = officer_client.post("/password/", data={"current": SECRET, "new": "Mat-khau-moi-rat-dai-1",
                                                "confirm": "Mat-khau-moi-rat-dai-1",
                                                "csrf_token": csrf_token(officer_client, "/password/")})
    assert r.status_code == 302
    assert officer_client.get("/admin/member/").status_code == 200  # the session that changed it goes on
    r = _replay(app, cookie)
    assert r.status_code == 302 and "/login/" in r.location


def test_cookie_replayed_after_deactivation_is_refused(app, world, admin_client, officer_client):
    cookie = officer_client.get_cookie("session").value
    target = User.objects.get(username="canbo_a")
    r = admin_client.post(f"/admin/user/edit/?id={target.pk}", data={
        "username": "canbo_a", "organisation": str(world.commune_a.pk), "role": "officer",
        "csrf_token": csrf_token(admin_client, "/admin/")})  # "active" unticked
    assert r.status_code == 302
    assert User.objects.get(pk=target.pk).active is False
    r = _replay(app, cookie)
    assert r.status_code == 302 and "/login/" in r.location


def test_login_starts_a_fresh_session(app, world):
    """Nothing from before login survives it: not the CSRF secret, not a planted value;
    the cookie from before is useless afterwards."""
    factories.user("canbo", world.commune_a)
    c = app.test_client()
    token = csrf_token(c)
    with c.session_transaction() as s:
        s["planted"] = "giá trị cài sẵn"
        before = dict(s)
    old_cookie = c.get_cookie("session").value
    assert c.post("/login/", data={"username": "canbo", "password": SECRET, "csrf_token": token}).status_code == 302
    new_token = csrf_token(c, "/admin/")
    with c.session_transaction() as s:
        assert "planted" not in s and s["csrf_token"] != before["csrf_token"] and "_user_id" in s
    assert new_token != token
    # the pre-login token does not work in the new session
    assert c.post("/logout/", data={"csrf_token": token}).status_code == 400
    assert c.get("/admin/member/").status_code == 200
    stale = _replay(app, old_cookie)
    assert stale.status_code == 302 and "/login/" in stale.location


def test_logout_starts_a_fresh_session(app, officer_client):
    token = csrf_token(officer_client, "/admin/")
    with officer_client.session_transaction() as s:
        s["planted"] = "x"
    officer_client.post("/logout/", data={"csrf_token": token})
    with officer_client.session_transaction() as s:
        assert "planted" not in s and "_user_id" not in s and s.get("csrf_token") != token


# --- caching on shared office PCs ---
def test_every_authenticated_response_is_no_store(app, world, admin_client):
    seen = 0
    for method, url in _urls(app, world):
        if method != "GET":
            continue
        r = admin_client.get(url)
        assert r.headers.get("Cache-Control") == "no-store", (url, r.status_code, r.headers.get("Cache-Control"))
        assert r.headers.get("Pragma") == "no-cache", url
        seen += r.status_code == 200
        r.close()
    assert seen > 20
    for path in ("/password/", "/admin/", "/login/"):
        assert admin_client.get(path).headers["Cache-Control"] == "no-store"


def test_downloads_are_no_store(admin_client, world):
    for url in ("/admin/socialaccount/export-xlsx/", "/admin/site/export-xlsx/"):
        r = admin_client.get(url)
        assert r.status_code == 200 and "attachment" in r.headers.get("Content-Disposition", "")
        assert r.headers["Cache-Control"] == "no-store" and r.headers["Pragma"] == "no-cache"
        r.close()


# --- case 14: cookie flags ---
def _login_response(application):
    with application.app_context():
        factories.world()
        factories.user("canbo", Member.objects.first().organisation)
        c = application.test_client()
        return c.post("/login/", data={"username": "canbo", "password": SECRET, "csrf_token": csrf_token(c)})


def test_session_cookie_flags_and_lifetime(app, world):
    factories.user("canbo", world.commune_a)
    c = app.test_client()
    r = c.post("/login/", data={"username": "canbo", "password": SECRET, "csrf_token": csrf_token(c)})
    cookies = r.headers.getlist("Set-Cookie")
    session = next(h for h in cookies if h.startswith("session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", session).group(1))
    assert expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=8, minutes=1)
    assert not any(h.startswith("remember_token=") for h in cookies)


def test_session_cookie_secure_behind_https():
    application = create_app({**stores.current().config("secure_cookie"), "SECRET_KEY": "k",
                              "SESSION_COOKIE_SECURE": True, "TESTING": True})
    r = _login_response(application)
    session = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in session


# --- case 15: throttling (growing delays, never a lock-out) ---
def _try(client, username, password, ip="10.0.0.1", headers=None):
    return client.post("/login/", data={"username": username, "password": password, "csrf_token": csrf_token(client)},
                       environ_base={"REMOTE_ADDR": ip}, headers=headers or {})


def _age_failures(seconds, **match):
    """Move the matching failures ``seconds`` into the past (time passes)."""
    for entry in AuditEntry.objects(action="login_failed", **match):
        entry.update(set__at=entry.at - dt.timedelta(seconds=seconds))


def test_twenty_wrong_passwords_are_throttled_and_audited(app, world, caplog):
    factories.user("canbo", world.commune_a)
    c = app.test_client()
    wrong = [f"Sai-mat-khau-so-{i}" for i in range(20)]
    with caplog.at_level(logging.INFO, logger="audit"):
        responses = [_try(c, "canbo", pw) for pw in wrong]
    codes = [r.status_code for r in responses]
    assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
    assert int(responses[-1].headers["Retry-After"]) > 0
    assert "Hãy chờ" in responses[-1].get_data(as_text=True)
    assert _try(c, "canbo", SECRET).status_code == 429  # from this address, even the right password waits
    assert AuditEntry.objects(action="login_failed", username="canbo").count() == 5
    assert AuditEntry.objects(action="login_throttled", username="canbo").count() == 16
    stored = json.dumps([e.to_mongo().to_dict() for e in AuditEntry.objects], default=str)
    for pw in [*wrong, SECRET]:
        assert pw not in stored and pw not in caplog.text


def test_delays_grow_and_the_right_password_works_after_the_wait(app, world):
    factories.user("canbo", world.commune_a)
    c = app.test_client()
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        assert _try(c, "canbo", "Sai-mat-khau-123").status_code == 200
    waits = []
    for _ in range(3):
        r = _try(c, "canbo", "Sai-mat-khau-123")
        assert r.status_code == 429
        waits.append(int(r.headers["Retry-After"]))
        _age_failures(waits[-1])  # wait exactly what was asked
        assert _try(c, "canbo", "Sai-mat-khau-123").status_code == 200  # checked again, fails again
    assert waits[0] < waits[1] < waits[2] <= app.config["LOGIN_MAX_DELAY_SECONDS"] + 1
    r = _try(c, "canbo", SECRET)
    assert r.status_code == 429
    _age_failures(int(r.headers["Retry-After"]))
    assert _try(c, "canbo", SECRET).status_code == 302  # the wait is over: no lock-out


def test_five_addresses_cannot_lock_an_account_out(app, world):
    """Five wrong passwords for an account from five addresses: its officer still gets in,
    from a new address and from any of the five."""
    factories.user("quantri", world.commune_a)
    for i in range(5):
        _try(app.test_client(), "quantri", "Sai-mat-khau-123", ip=f"10.0.1.{i}")
    assert _try(app.test_client(), "quantri", SECRET, ip="10.9.9.9").status_code == 302
    assert _try(app.test_client(), "quantri", SECRET, ip="10.0.1.0").status_code == 302


def test_account_ceiling_slows_only_addresses_that_failed(app, world):
    factories.user("quantri", world.commune_a)
    ceiling = app.config["LOGIN_ACCOUNT_CEILING"]
    for i in range(ceiling):
        _try(app.test_client(), "quantri", "Sai-mat-khau-123", ip=f"10.1.{i // 200}.{i % 200}")
    assert _try(app.test_client(), "quantri", SECRET, ip="10.1.0.3").status_code == 429
    assert _try(app.test_client(), "quantri", SECRET, ip="10.9.9.9").status_code == 302


def test_made_up_names_behind_a_proxy_do_not_lock_out_everyone():
    """Twenty bad logins for made-up names through the reverse proxy: with TRUSTED_PROXIES
    the attacker's own address is slowed, every other officer logs in."""
    application = create_app({**stores.current().config("proxy"), "SECRET_KEY": "k",
                              "TESTING": True, "TRUSTED_PROXIES": 1})
    with application.app_context():
        world = factories.world()
        factories.user("quantri", world.district, "admin")
    proxy = "127.0.0.1"
    for i in range(25):
        _try(application.test_client(), f"khong-co-{i}", "Sai-mat-khau-123", ip=proxy,
             headers={"X-Forwarded-For": "203.0.113.66"})
    ok = _try(application.test_client(), "quantri", SECRET, ip=proxy, headers={"X-Forwarded-For": "198.51.100.7"})
    assert ok.status_code == 302
    slowed = _try(application.test_client(), "quantri", SECRET, ip=proxy, headers={"X-Forwarded-For": "203.0.113.66"})
    assert slowed.status_code == 429
    with application.app_context():
        assert AuditEntry.objects(action="login_failed", ip="203.0.113.66").count() == 20
        assert AuditEntry.objects(action="login", ip="198.51.100.7").count() == 1


def test_forwarded_for_is_ignored_without_trusted_proxies(app, world):
    factories.user("canbo", world.commune_a)
    _try(app.test_client(), "khong-co", "Sai-mat-khau-123", headers={"X-Forwarded-For": "203.0.113.9"})
    assert AuditEntry.objects(action="login_failed").get().ip == "10.0.0.1"


def test_throttle_per_address_holds_across_accounts(app, world):
    factories.user("canbo", world.commune_a)
    c = app.test_client()
    for i in range(20):
        _try(c, f"khong-co-{i}", "Sai-mat-khau-123", ip="10.0.2.2")
    assert _try(c, "canbo", SECRET, ip="10.0.2.2").status_code == 429
    assert _try(c, "canbo", SECRET, ip="10.0.2.3").status_code == 302


def test_window_passes_and_success_resets(app, world):
    factories.user("canbo", world.commune_a)
    c = app.test_client()
    for _ in range(4):
        _try(c, "canbo", "Sai-mat-khau-123")
    assert _try(c, "canbo", SECRET).status_code == 302  # 4 failures: not yet throttled
    for _ in range(4):
        _try(c, "canbo", "Sai-mat-khau-123")
    assert _try(c, "canbo", "Sai-mat-khau-123").status_code == 200  # counted since the success
    assert _try(c, "canbo", SECRET).status_code == 429
    AuditEntry.objects(action="login_failed").update(set__at=dt.datetime(2020, 1, 1))
    assert _try(c, "canbo", SECRET).status_code == 302


def test_every_post_endpoint_requires_csrf(app, world, officer_client):
    """Whatever views exist (imports and reports included): no token, no state change."""
    posts = [re.sub(r"/+", "/", re.sub(r"<[^>]+>", "xlsx", rule.rule)) for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and not rule.endpoint.endswith("static")]
    assert "/logout/" in posts and "/admin/member/action/" in posts and len(posts) > 30
    for path in posts:
        r = officer_client.post(path, data={"id": str(world.member_a.pk), "action": "delete",
                                            "rowid": str(world.member_a.pk)})
        assert r.status_code == 400, path
    assert Member.objects.get(pk=world.member_a.pk).deleted_at is None


def test_session_has_an_absolute_lifetime(app, officer_client):
    """Activity refreshes the cookie, but a login older than the lifetime is over."""
    assert officer_client.get("/admin/member/").status_code == 200
    with officer_client.session_transaction() as s:
        s["login_at"] -= app.permanent_session_lifetime.total_seconds() + 60
    r = officer_client.get("/admin/member/")
    assert r.status_code == 302 and "/login/" in r.location


# --- case 39: OWASP device cookies ---
def _logged_in_once(app, username):
    """A browser where ``username`` logged in successfully before (and logged out)."""
    c = app.test_client()
    assert _try(c, username, SECRET).status_code == 302
    c.post("/logout/", data={"csrf_token": csrf_token(c, "/admin/")})
    return c


def test_known_device_logs_in_while_its_address_and_account_are_throttled(app, world):
    """Twenty-five wrong passwords from the office's one address, for made-up names and for
    the officer's own account: the officer's usual browser still gets in; an unknown browser
    at that address is still slowed."""
    factories.user("canbo", world.commune_a)
    usual = _logged_in_once(app, "canbo")
    assert any(h.startswith("panel_device=") and "HttpOnly" in h and "Path=/login/" in h
               for h in _try(app.test_client(), "canbo", SECRET).headers.getlist("Set-Cookie"))
    for i in range(15):
        _try(app.test_client(), f"khong-co-{i}", "Sai-mat-khau-123")
    for _ in range(10):
        _try(app.test_client(), "canbo", "Sai-mat-khau-123")
    assert _try(app.test_client(), "canbo", SECRET).status_code == 429  # unknown device: throttled
    assert _try(usual, "canbo", SECRET).status_code == 302  # its own browser: never 429 for others' failures


def test_known_device_is_slowed_by_its_own_failures_only(app, world):
    factories.user("canbo", world.commune_a)
    factories.user("canbo2", world.commune_a)
    usual = _logged_in_once(app, "canbo")
    codes = [_try(usual, "canbo", "Sai-mat-khau-123").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert _try(usual, "canbo", SECRET).status_code == 429
    assert _try(app.test_client(), "canbo", SECRET, ip="10.0.9.9").status_code == 302  # another browser
    entries = AuditEntry.objects(action="login_failed", username="canbo")
    assert entries.count() == 5 and all(e.device for e in entries)


def test_forged_or_foreign_device_cookie_counts_as_an_unknown_device(app, world):
    factories.user("canbo", world.commune_a)
    factories.user("canbo2", world.commune_a)
    other = _logged_in_once(app, "canbo2")  # a device of another account
    forged = app.test_client()
    forged.set_cookie("panel_device", "W1siY2FuYm8iLCJ4eHgiXV0.forged.sig", path="/login/")
    for i in range(20):
        _try(app.test_client(), f"khong-co-{i}", "Sai-mat-khau-123")
    assert _try(other, "canbo", SECRET).status_code == 429
    assert _try(forged, "canbo", SECRET).status_code == 429
    assert _try(other, "canbo2", SECRET).status_code == 302
