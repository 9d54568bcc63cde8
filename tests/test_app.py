"""Ensure that the factory, configuration, login and health check behave."""

import pytest

from app import create_app
from services.config import ConfigError
from tests import factories, faults, stores
from tests.conftest import csrf_token


def test_factory_builds_twice(app):
    other = create_app({**stores.current().config("second"), "SECRET_KEY": "k", "SEED_DEMO": False})
    assert other is not app
    assert other.extensions["panel_admin"] is not app.extensions["panel_admin"]
    assert other.test_client().get("/healthz").status_code == 200


def test_production_uri_needs_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"MONGODB_URI": "mongodb://db.invalid:27017/dang", "SECRET_KEY": None})


def test_bad_uri_refused():
    with pytest.raises(ConfigError, match="MONGODB_URI"):
        create_app({"MONGODB_URI": "postgres://x/y", "SEED_DEMO": False})


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok", "database": True}


def test_admin_requires_login(client, world):
    for path in ("/admin/", "/admin/member/", "/admin/socialaccount/", "/admin/site/new/"):
        r = client.get(path)
        assert r.status_code == 302 and "/login/" in r.location


def test_login_page_vietnamese(client):
    html = client.get("/login/").get_data(as_text=True)
    assert "Đăng nhập" in html and 'name="username"' in html and 'name="password"' in html


def test_login_wrong_password(client, world):
    factories.user("canbo", world.commune_a)
    token = csrf_token(client)
    r = client.post("/login/", data={"username": "canbo", "password": "sai-mat-khau-123", "csrf_token": token})
    assert r.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in r.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_login_and_logout(officer_client):
    assert officer_client.get("/admin/").status_code == 200
    token = csrf_token(officer_client, "/admin/")
    r = officer_client.post("/logout/", data={"csrf_token": token})
    assert r.status_code == 302
    assert officer_client.get("/admin/").status_code == 302


def test_logout_without_csrf_is_refused(officer_client):
    r = officer_client.post("/logout/")
    assert r.status_code == 400
    assert officer_client.get("/admin/").status_code == 200


@pytest.mark.parametrize("target", ["http://127.0.0.2/", "javascript:alert(1)", "\\\\evil.com", "/////evil.com",
                                    "https:////evil.com", "//evil.com", "/\\evil.com"])
def test_login_redirect_stays_on_site(client, world, target):
    factories.user("canbo", world.commune_a)
    token = csrf_token(client)
    r = client.post("/login/?next=" + target, data={"username": "canbo", "password": factories.PASSWORD,
                                                    "csrf_token": token})
    assert r.status_code == 302
    assert r.location == "/admin/"


def test_login_redirect_to_local_path(client, world):
    factories.user("canbo", world.commune_a)
    token = csrf_token(client)
    r = client.post("/login/?next=/admin/member/", data={"username": "canbo", "password": factories.PASSWORD,
                                                         "csrf_token": token})
    assert r.location == "/admin/member/"


def test_security_headers(client):
    r = client.get("/login/")
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


def test_demo_mode_banner_and_seed(monkeypatch, capsys):
    monkeypatch.delenv("MONGODB_URI", raising=False)
    # a small seed: the banner and the printed password do not depend on the demo's size
    demo = create_app({**stores.current().config("demo"), "SECRET_KEY": "k", "DEMO_MODE": True, "SEED_DEMO": True,
                       "DEMO_PEOPLE": 40})
    printed = capsys.readouterr().out
    assert "đăng nhập: admin / " in printed
    password = printed.split("đăng nhập: admin / ")[1].split()[0]
    c = demo.test_client()
    with demo.app_context():
        token = csrf_token(c)
    c.post("/login/", data={"username": "admin", "password": password, "csrf_token": token})
    html = c.get("/admin/").get_data(as_text=True)
    assert "Chế độ trình diễn" in html
    with demo.app_context():
        from models import Member, User

        assert Member.objects.count() == 40  # the seed honoured DEMO_PEOPLE
        assert User.objects.get(username="admin").password_hash.startswith("scrypt:")  # not TESTING: scrypt


def test_password_hashing_is_scrypt_except_under_testing():
    """Ensure that production hashes passwords with scrypt and only the test suite with the
    cheap scheme, and that a hash of either scheme is checked alike."""
    from models import User

    prod = create_app({"MONGODB_URI": "mongomock://localhost/hash_prod", "SECRET_KEY": "k"})
    testing = create_app({"MONGODB_URI": "mongomock://localhost/hash_test", "SECRET_KEY": "k", "TESTING": True})
    hashes = {}
    for name, application in (("prod", prod), ("testing", testing)):
        with application.app_context():
            u = User(username="canbo")
            u.set_password("Mot-mat-khau-dai-2026")
            hashes[name] = u.password_hash
            assert u.check_password("Mot-mat-khau-dai-2026") and not u.check_password("sai-mat-khau-2026")
    assert hashes["prod"].startswith("scrypt:") and hashes["testing"].startswith("pbkdf2:sha256:1$")
    outside = User(username="canbo")
    outside.set_password("Mot-mat-khau-dai-2026")  # no app: the production scheme
    assert outside.password_hash.startswith("scrypt:")


def test_unreachable_database_gives_clear_page(caplog):
    down = create_app({"MONGODB_URI": "mongodb://127.0.0.1:1/dang", "SECRET_KEY": "k", "MONGODB_TIMEOUT_MS": 200,
                       "WTF_CSRF_ENABLED": False})
    c = down.test_client()
    r = c.get("/healthz")
    assert r.status_code == 503 and r.json == {"status": "error", "database": False}
    r = c.post("/login/", data={"username": "canbo", "password": "mot-mat-khau-dai"})
    html = r.get_data(as_text=True)
    assert r.status_code == 503 and "Không kết nối được cơ sở dữ liệu" in html and "Traceback" not in html


def test_url_map_has_no_double_slashes(app):
    rules = [r.rule for r in app.url_map.iter_rules()]
    assert "/admin/member/" in rules and "/admin/" in rules
    assert not [r for r in rules if "//" in r]


def test_write_concern_timeout_shows_the_503_page(app, officer_client, world):
    token = csrf_token(officer_client, "/admin/")
    with faults.write_timeout("members"):
        r = officer_client.post(f"/admin/member/edit/?id={world.member_a.pk}", data={
            "full_name": "Lê Văn Cường", "position": "Bí thư", "organisation": str(world.cell_a.pk),
            "status": "active", "csrf_token": token})
        html = r.get_data(as_text=True)
        assert r.status_code == 503 and "chưa xác nhận" in html and "Traceback" not in html
        r = officer_client.post("/admin/member/new/", data={
            "full_name": "Lê Văn Cường", "position": "Bí thư", "organisation": str(world.cell_a.pk),
            "status": "active", "csrf_token": token})
        assert r.status_code == 503 and "chưa xác nhận" in r.get_data(as_text=True)
    # A server applies a write whose majority acknowledgement timed out (the wire store does, as
    # MongoDB: the page says "may or may not have been stored"); the request stopped before the
    # copies of the name on the person's records were refreshed. ``flask check --repair`` does it.
    from services import integrity

    with app.app_context():
        integrity.check(repair=True)
        assert integrity.check().clean


def test_write_concern_timeout_outside_the_admin_views(officer_client):
    token = csrf_token(officer_client, "/password/")
    with faults.write_timeout("users"):
        r = officer_client.post("/password/", data={"current": factories.PASSWORD, "new": "Mat-khau-moi-rat-dai-1",
                                                    "confirm": "Mat-khau-moi-rat-dai-1", "csrf_token": token})
    assert r.status_code == 503 and "chưa xác nhận" in r.get_data(as_text=True)


def test_lost_primary_shows_the_database_page_and_the_panel_recovers(officer_client, world):
    """Ensure that a primary lost mid-request gives the Vietnamese 'database unreachable' page
    (never a traceback), and that the next request, once it is back, works."""
    token = csrf_token(officer_client, "/admin/")
    with faults.lost_primary("members"):
        r = officer_client.get("/admin/member/")
        html = r.get_data(as_text=True)
        assert r.status_code == 503 and "Không kết nối được cơ sở dữ liệu" in html and "Traceback" not in html
        r = officer_client.post(f"/admin/member/edit/?id={world.member_a.pk}", data={
            "full_name": "Lê Văn Cường", "position": "Bí thư", "organisation": str(world.cell_a.pk),
            "status": "active", "csrf_token": token})
        assert r.status_code == 503 and "Traceback" not in r.get_data(as_text=True)
    assert officer_client.get("/admin/member/").status_code == 200


def test_production_connection_has_write_timeout(monkeypatch):
    import mongoengine

    calls = []
    monkeypatch.setattr(mongoengine, "connect", lambda **kw: calls.append(kw))
    from services import db

    db.connect("mongodb://db1,db2,db3/dang?replicaSet=rs0", 5000, 3000)
    assert calls[0]["w"] == "majority" and calls[0]["wtimeoutMS"] == 3000
    assert calls[0]["readPreference"] == "primary"
