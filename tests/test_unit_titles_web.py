"""The unit's own printed names (title and signature blocks), edited by its own officers on
*Báo cáo lên cấp trên › Tên in trên văn bản*, through the web as each role would."""

from __future__ import annotations

import datetime as dt
import re

from models import AuditEntry, Organisation
from services import policy
from tests import factories, reporting
from tests.conftest import csrf_token, seen_version

clock, district = reporting.clock, reporting.district  # the shared fixtures

URL = "/admin/bao-cao-len-cap-tren/ten-in/"
NAMES = {"party_name": "ĐẢNG BỘ XÃ AN HÒA", "issuer_name": "ĐẢNG ỦY XÃ AN HÒA", "place": "An Hòa",
         "signer_for": "T/M ĐẢNG ỦY", "signer_title": "PHÓ BÍ THƯ", "signer_name": "Lê Văn Cường"}


def _post(client, org, values, **extra):
    page = f"{URL}?org={org.pk}"
    token, seen = csrf_token(client, page), seen_version(client, page)
    return client.post(page, data={"csrf_token": token, "seen_version": seen, **values, **extra})


def test_the_commune_officer_edits_its_own_printed_names(district, clock, login) -> None:
    """Ensure that a commune officer, who may not edit their own unit, edits its printed names
    (and only those), that the send page links there, that the report prints them and that the
    change is audited with the names changed."""
    a = login("canbo_a")
    send = a.get("/admin/bao-cao-len-cap-tren/gui/?kind=annual&period=2026").get_data(as_text=True)
    link = re.search(r'href="([^"]*/ten-in/[^"]*)" data-edit-titles', send)
    assert link, "the send page links the names' screen"
    assert a.get(f"/admin/organisation/edit/?id={district.commune_a.pk}").status_code in (403, 404)  # the general form
    r = _post(a, district.commune_a, {**NAMES, "code": "HACK", "name": "Đổi tên", "kind": "cell",
                                      "parent": str(district.commune_b.pk)})
    assert r.status_code == 302
    unit = Organisation.objects.get(pk=district.commune_a.pk)
    assert {n: getattr(unit, n) for n in NAMES} == NAMES
    assert (unit.code, unit.name, unit.kind, unit.parent.pk) == ("XA", "Đảng bộ xã An Hòa", "committee", district.district.pk)
    entry = AuditEntry.objects(action="update", detail__contains="Sửa tên in trên văn bản").get()
    assert entry.username == "canbo_a" and {c.field for c in entry.changes} == {"signer_for", "signer_title", "signer_name"} \
        | {n for n in NAMES if getattr(district.commune_a, n) != NAMES[n]}
    page = a.get("/admin/bao-cao-len-cap-tren/gui/?kind=annual&period=2026").get_data(as_text=True)
    assert "PHÓ BÍ THƯ <b>Lê Văn Cường</b>" in page
    from services import submissions

    clock.move_to(reporting.at(20))
    sub = submissions.send(unit, factories.User.objects.get(username="canbo_a"), "annual", "2026",
                           today=dt.date(2026, 11, 20))
    assert sub.signer_name == "Lê Văn Cường" and sub.snapshot["block"]["signer"] == "T/M ĐẢNG ỦY"


def test_an_emptied_name_prints_the_kind_default_and_a_too_long_one_is_refused(district, clock, login) -> None:
    a = login("canbo_a")
    assert _post(a, district.commune_a, {**NAMES, "issuer_name": ""}).status_code == 302
    unit = Organisation.objects.get(pk=district.commune_a.pk)
    assert unit.issuer_name is None and unit.title_names()["issuer_name"] == "ĐẢNG ỦY XÃ AN HÒA"
    r = _post(a, district.commune_a, {**NAMES, "signer_name": "X" * 101})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Họ tên người ký: tối đa 100 ký tự" in html and "X" * 101 in html  # nothing lost
    assert Organisation.objects.get(pk=district.commune_a.pk).signer_name == "Lê Văn Cường"


def test_a_change_made_meanwhile_is_not_overwritten(district, clock, login) -> None:
    """Ensure that a form opened before someone else saved the names saves nothing, shows what
    is stored now, and saving again (knowingly) overwrites it."""
    a, hu = login("canbo_a"), login("huyen")
    page = f"{URL}?org={district.commune_a.pk}"
    token, stale = csrf_token(a, page), seen_version(a, page)
    clock.move_to(reporting.at(1, hour=4))
    r = hu.post(f"/admin/organisation/edit/?id={district.commune_a.pk}", data={
        "csrf_token": csrf_token(hu, "/admin/member/new/"), "code": "XA",
        "name": "Đảng bộ xã An Hòa", "kind": "committee", "parent": str(district.district.pk),
        "signer_name": "Người của huyện", "seen_version": ""})
    assert r.status_code == 302 and Organisation.objects.get(pk=district.commune_a.pk).signer_name == "Người của huyện"
    r = a.post(page, data={"csrf_token": token, "seen_version": stale, **NAMES})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "chưa được lưu" in html and "Đang lưu: Người của huyện" in html
    assert Organisation.objects.get(pk=district.commune_a.pk).signer_name == "Người của huyện"
    fresh = re.search(r'name="seen_version" value="([^"]*)"', html).group(1)
    assert fresh != stale
    assert a.post(page, data={"csrf_token": token, "seen_version": fresh, **NAMES}).status_code == 302
    assert Organisation.objects.get(pk=district.commune_a.pk).signer_name == "Lê Văn Cường"


def test_viewer_sibling_and_district_may_not_use_the_communes_screen(district, clock, login) -> None:
    """Ensure that a viewer of the commune, an officer of a sibling commune and the district's
    officer are refused on the commune's screen and change nothing; the district edits its own."""
    factories.user("xem_a", district.commune_a, "viewer")
    for who, code in (("xem_a", 403), ("canbo_b", 404), ("huyen", 403)):
        c = login(who)
        assert c.get(f"{URL}?org={district.commune_a.pk}").status_code == code, who
        token = csrf_token(c, "/admin/bao-cao-len-cap-tren/")
        r = c.post(f"{URL}?org={district.commune_a.pk}", data={"csrf_token": token, **NAMES})
        assert r.status_code == code, who
    assert Organisation.objects.get(pk=district.commune_a.pk).signer_name in (None, "")
    viewer_page = login("xem_a").get("/admin/bao-cao-len-cap-tren/").get_data(as_text=True)
    assert "data-edit-titles" not in viewer_page
    hu = login("huyen")
    assert _post(hu, district.district, {**NAMES, "signer_name": "Bí thư huyện"}).status_code == 302
    assert Organisation.objects.get(pk=district.district.pk).signer_name == "Bí thư huyện"
    assert AuditEntry.objects(action="denied", detail__contains="edit_titles").count() >= 2


def test_the_policy_names_who_edits_a_units_printed_names(district, clock) -> None:
    users = {u.username: u for u in factories.User.objects}
    factories.user("xem_a", district.commune_a, "viewer")
    viewer = factories.User.objects.get(username="xem_a")
    assert policy.can(users["canbo_a"], policy.EDIT_TITLES, district.commune_a)
    assert not policy.can(users["canbo_a"], policy.EDIT_UNIT, district.commune_a)
    assert not policy.can(viewer, policy.EDIT_TITLES, district.commune_a)
    assert not policy.can(users["canbo_b"], policy.EDIT_TITLES, district.commune_a)
    assert not policy.can(users["huyen"], policy.EDIT_TITLES, district.commune_a)
    assert policy.can(users["huyen"], policy.EDIT_TITLES, district.district)
