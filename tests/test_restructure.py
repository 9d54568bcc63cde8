"""The 2025 reorganisation on the demo data: three communes merged into one, then the
district level removed, through ``flask orgs``; afterwards the integrity check is
clean, every officer sees exactly their new subtree (computed here from the codes),
the merged commune's forms and reports hold all its records, and the closed units'
history stays readable by administrators."""

from __future__ import annotations

import io

import pytest

from models import AuditEntry, ImportLog, Member, Organisation, Site, SocialAccount, User
from services import audit, demo, integrity, reports, restructure, scope
from tests import factories

OWNED_LISTED = (Member, Site, SocialAccount)


def _ids(model, orgs_codes):
    cells = [o.pk for o in Organisation.objects if o.code.split("-")[0] in orgs_codes]
    return {d.pk for d in model.objects(organisation__in=cells, deleted_at=None)}


def _visible_ids(model, user):
    return {d.pk for d in scope.visible(model, user)}


@pytest.fixture
def demo_world(app):
    demo.seed(people=100)
    admin = factories.user("quantri", Organisation.objects.get(code="HU-VB"), "admin")
    for i in range(1, 6):
        factories.user(f"xa{i:02d}", Organisation.objects.get(code=f"X{i:02d}"), "officer")
    factories.user("cb0201", Organisation.objects.get(code="X02-CB01"), "officer")
    log = ImportLog(organisation=Organisation.objects.get(code="X02-CB01"), kind="social", filename="x02.xlsx")
    log.save()
    entry = audit.record("update", user=admin, records=[Member.objects(__raw__={"org_key": {"$regex": "^HU-VB/X03/"}}).first()])
    return admin, log, entry


def test_merge_three_communes_then_remove_the_district_level(app, runner, demo_world):
    admin, log, entry = demo_world
    before = {m: _ids(m, {"X01", "X02", "X03"}) for m in OWNED_LISTED}
    r = runner.invoke(args=["orgs", "create", "X10", "Đảng bộ xã Tân Vĩnh Hưng", "--parent", "HU-VB",
                            "--kind", "committee"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["orgs", "merge", "X01", "X02", "X03", "--into", "X10", "--dry-run"])
    assert r.exit_code == 0 and "Sáp nhập" in r.output and "xa01" in r.output and "cb0201" in r.output
    assert Organisation.objects.get(code="X02-CB01").parent.code == "X02"  # the preview wrote nothing
    r = runner.invoke(args=["orgs", "merge", "X01", "X02", "X03", "--into", "X10", "--on", "2025-07-01", "--yes"])
    assert r.exit_code == 0, r.output
    merged = Organisation.objects.get(code="X10")
    for code in ("X01", "X02", "X03"):
        closed = Organisation.objects.get(code=code)
        assert closed.closed_on.year == 2025 and closed.merged_into.pk == merged.pk
        assert not Organisation.objects(parent=closed).count() and not closed.holdings()
    assert integrity.check().clean, integrity.check().lines()
    officer = User.objects.get(username="xa02")
    assert officer.organisation.pk == merged.pk
    for model in OWNED_LISTED:
        assert _visible_ids(model, officer) == before[model]
        assert _visible_ids(model, User.objects.get(username="xa04")) == _ids(model, {"X04"})
    assert len(SocialAccount.objects(scope=merged.pk, deleted_at=None)) == len(before[SocialAccount])
    count = reports.export_form("social", io.BytesIO(), merged, officer)  # departed owners are left out (issue 13)
    assert count == SocialAccount.objects(scope=merged.pk, deleted_at=None, owner_status="current").count()
    assert count == reports.export_form("social", io.BytesIO(), merged, officer, include_departed=True) - \
        SocialAccount.objects(scope=merged.pk, deleted_at=None, owner_status="departed").count()
    assert scope.visible(ImportLog, admin).filter(pk=log.pk).count()
    assert scope.visible(AuditEntry, admin).filter(pk=entry.pk).count()
    assert scope.visible(AuditEntry, officer).filter(pk=entry.pk).count()  # history follows the records
    r = runner.invoke(args=["orgs", "merge", "X01", "X02", "X03", "--into", "X10", "--yes"])  # resume: harmless
    assert r.exit_code == 0, r.output
    assert integrity.check().clean

    # remove the district level: a province above, then lift the district
    assert runner.invoke(args=["orgs", "create", "TU-HP", "Thành ủy Hải Phòng", "--kind", "committee"]).exit_code == 0
    r = runner.invoke(args=["orgs", "move", "HU-VB", "--parent", "TU-HP", "--yes"])
    assert r.exit_code == 0, r.output
    district_officer = factories.user("canbo_huyen", Organisation.objects.get(code="HU-VB"), "officer")
    r = runner.invoke(args=["orgs", "lift", "HU-VB", "--yes"])
    assert r.exit_code == 0, r.output
    province = Organisation.objects.get(code="TU-HP")
    assert {o.code for o in Organisation.objects(parent=province)} >= {"X04", "X05", "X10"}
    assert Organisation.objects.get(code="X02-CB01").tree_key == "TU-HP/X10/X02-CB01"
    assert integrity.check().clean, integrity.check().lines()
    for model in OWNED_LISTED:  # nobody gained or lost anything by the lift
        assert _visible_ids(model, User.objects.get(username="xa02")) == before[model]
        assert _visible_ids(model, User.objects.get(username="xa04")) == _ids(model, {"X04"})
        assert not _visible_ids(model, district_officer.reload())  # not widened to the province
    r = runner.invoke(args=["check"])
    assert r.exit_code == 0 and "Không phát hiện sai lệch" in r.output
    assert AuditEntry.objects(action="restructure").count() == 4


def test_refusals_are_vietnamese_and_change_nothing(app, runner, world):
    r = runner.invoke(args=["orgs", "move", "HU", "--parent", "XA", "--yes"])
    assert r.exit_code != 0 and "cấp dưới" in r.output
    r = runner.invoke(args=["orgs", "merge", "XA", "--into", "XA-1", "--yes"])
    assert r.exit_code != 0
    r = runner.invoke(args=["orgs", "lift", "HU", "--yes"])
    assert r.exit_code != 0 and "cao nhất" in r.output
    r = runner.invoke(args=["orgs", "merge", "XA", "--into", "XB"], input="n\n")
    assert "Đã hủy" in r.output and Organisation.objects.get(code="XA").closed_on is None
    with pytest.raises(restructure.RestructureError):
        restructure.plan_merge([world.cell_a], world.commune_b)  # a cell into a committee
    assert integrity.check().clean


def test_check_finds_and_repairs_what_a_partial_write_left(app, runner, world):
    Member.objects(pk=world.member_a.pk).update(set__scope=[world.district.pk], set__org_name="Sai")
    Organisation.objects(pk=world.cell_b.pk).update(set__tree_key="HU/XX/XB-1")
    SocialAccount.objects(pk=world.account_a.pk).update(set__member_name="Tên cũ")
    r = runner.invoke(args=["check"])
    assert r.exit_code == 1 and "XB-1" in r.output and "XA-1" in r.output and "người khai" in r.output
    r = runner.invoke(args=["check", "--repair"])
    assert r.exit_code == 0, r.output
    assert "không còn sai lệch" in r.output
    assert world.member_a.reload().scope == world.cell_a.scope and world.member_a.org_name == world.cell_a.name
    assert AuditEntry.objects(action="repair").count() == 1
    assert integrity.check().clean


@pytest.mark.inconsistent
def test_check_reports_dangling_references_without_guessing(app, world):
    from bson import ObjectId

    Member.objects(pk=world.member_b.pk).update(set__organisation=ObjectId())
    report = integrity.check(repair=True)
    assert any("không tồn tại" in p for p in report.problems)
    assert not integrity.check().clean


def test_screen_previews_then_merges_and_refuses_officers(app, world, admin_client, login):
    from tests.conftest import csrf_token

    factories.user("canbo_a", world.commune_a, "officer")
    assert "Sắp xếp lại tổ chức" in admin_client.get("/admin/organisation/").get_data(as_text=True)
    token = csrf_token(admin_client, "/admin/organisation/restructure/")
    form = {"op": "merge", "sources": [str(world.commune_a.pk)], "target": str(world.commune_b.pk),
            "on": "01/07/2025", "csrf_token": token}
    r = admin_client.post("/admin/organisation/restructure/", data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Xem trước" in html and "canbo_a" in html and "XA-1" in html
    assert Organisation.objects.get(code="XA").closed_on is None  # nothing written by the preview
    r = admin_client.post("/admin/organisation/restructure/", data={**form, "confirm": "1"})
    assert r.status_code == 302
    assert Organisation.objects.get(code="XA").closed_on.year == 2025
    assert world.cell_a.reload().parent.pk == world.commune_b.pk
    assert User.objects.get(username="canbo_a").organisation.pk == world.commune_b.pk
    assert integrity.check().clean
    officer = login("canbo_a")
    assert officer.get("/admin/organisation/restructure/").status_code == 403
    r = admin_client.post("/admin/organisation/restructure/", data={**form, "op": "lift", "sources": [str(world.district.pk)]})
    assert "cao nhất" in r.get_data(as_text=True)


def test_check_is_clean_on_the_demo_data(app, runner):
    demo.seed(people=60)
    r = runner.invoke(args=["check"])
    assert r.exit_code == 0 and "Không phát hiện sai lệch" in r.output, r.output
