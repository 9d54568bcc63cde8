"""Ensure that every way a record can be read asks the one visibility rule of
:mod:`services.scope`, confidentiality of party documents included: the URL map is walked
(every ajax look-up name of every view, every export, every look-up page) as administrator,
district officer, commune officer, cell officer and viewer, with classified documents in
the data, and no out-of-reach record appears anywhere. A view added later is walked too."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from models import PartyDocument, StudyCampaign
from services import party_docs
from tests import factories

#: a "Mật" document of commune B, addressed to nobody: no role of the walk may see it
SECRET_B = ("77-NQ/ĐU", "Phương án bảo vệ Bình Minh")
#: a "Tối mật" document of the district sent to commune A: its officers (and the district's) only
SECRET_HU = ("88-CV/HU", "Kế hoạch riêng gửi An Hòa")
OTHER_CELL_MEMBER = "Lê Văn Khác"
ROLES = ("admin", "district", "commune", "cell", "viewer")


@dataclass
class Classified:
    world: factories.World
    secret_b: PartyDocument
    secret_hu: PartyDocument
    campaign_b: StudyCampaign
    cell_a2: object


def build(world: factories.World) -> Classified:
    """The walk's data: the two communes, a second cell in A, classified documents, a campaign
    launched by commune B on its classified document, and one user per role."""
    cell_a2 = factories.org("XA-2", "Chi bộ thôn 2", world.commune_a)
    factories.member(cell_a2, OTHER_CELL_MEMBER, phone="0911222333")
    day = dt.datetime(2026, 10, 1)
    secret_b = PartyDocument(number=SECRET_B[0], title=SECRET_B[1], classification="mat", organisation=world.commune_b,
                             issued_on=day, doc_type="Nghị quyết")
    secret_b.save()
    secret_hu = PartyDocument(number=SECRET_HU[0], title=SECRET_HU[1], classification="toi_mat",
                              organisation=world.district, issued_on=day, doc_type="Công văn")
    secret_hu.save()
    party_docs.send(secret_hu, [world.commune_a])
    campaign_b = StudyCampaign(organisation=world.commune_b, document=secret_b, title="Học tập phương án xã B",
                               starts_on=day, ends_on=day + dt.timedelta(days=60))
    campaign_b.save()
    factories.user("quantri", world.district, "admin")
    factories.user("canbo_hu", world.district, "officer")
    factories.user("canbo_a", world.commune_a, "officer")
    factories.user("canbo_cb", world.cell_a, "officer")
    factories.user("xem_a", world.commune_a, "viewer")
    return Classified(world, secret_b, secret_hu, campaign_b, cell_a2)


USERNAMES = {"admin": "quantri", "district": "canbo_hu", "commune": "canbo_a", "cell": "canbo_cb", "viewer": "xem_a"}


def hidden_texts(role: str) -> list[str]:
    """What must never reach ``role``, by any path."""
    out = [*SECRET_B]  # issued by commune B, addressed to nobody: no one of the walk
    if role in ("cell", "viewer"):
        out += SECRET_HU  # classified: officers of the district and of commune A only
    if role in ("commune", "cell", "viewer"):
        out += ["Trần Thị Bình", "tranthibinh"]  # commune B's person and account
    if role == "cell":
        out.append(OTHER_CELL_MEMBER)  # another cell of the same commune
    return out


@pytest.fixture
def classified(world) -> Classified:
    return build(world)


def _text(response) -> str:
    """A response as text: xlsx read back cell by cell, csv and html as they are."""
    body = response.get_data()
    if body[:2] == b"PK":
        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                         for v in row if v is not None)
    text = body.decode("utf-8", "replace")
    if response.is_json:  # pickers answer JSON, with \u escapes
        return json.dumps(response.get_json(), ensure_ascii=False)
    if response.mimetype == "text/csv":
        return "\n".join(",".join(r) for r in csv.reader(io.StringIO(text)))
    return text


QUERIES = ["", "77", "88", "mat", "binh", "Bình Minh", "An Hòa", "khac"]


def walked_urls(app, data: Classified) -> list[str]:
    """Every look-up and export the URL map holds, generated (a new view is walked too):
    each ``ajax/lookup`` with every name of its view's form references and several
    queries, each ``export/<type>``, each export or look-up page without arguments, plain
    and with the ids of out-of-reach records."""
    views = {v.endpoint: v for v in app.extensions["panel_admin"]._views}
    foreign_ids = [data.secret_b.pk, data.secret_hu.pk, data.campaign_b.pk, data.world.member_b.pk,
                   data.world.commune_b.pk, data.world.account_b.pk]
    urls: list[str] = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        view = views.get(rule.endpoint.split(".")[0])
        if rule.rule.endswith("/ajax/lookup/"):
            names = list(getattr(view, "_form_ajax_refs", None) or {})
            urls += [f"{rule.rule}?name={n}&query={q}" for n in names for q in QUERIES]
        elif rule.rule.endswith("/export/<export_type>/"):
            urls += [rule.rule.replace("<export_type>", t) for t in ("csv", "xlsx")]
            urls += [rule.rule.replace("<export_type>", "csv") + f"?search={q}" for q in QUERIES[1:]]
        elif not rule.arguments and any(k in rule.rule for k in ("export", "lookup", "don-vi")):
            urls.append(rule.rule)
            urls += [f"{rule.rule}?q={q}&search={q}" for q in QUERIES[1:]]
            urls += [f"{rule.rule}?id={i}&org={i}" for i in foreign_ids]
    return urls


def test_the_walk_covers_every_lookup_and_export(app, classified):
    """Positive control: the generated walk holds the pickers of other models' forms
    (the campaign's document, the task's assigning unit) and every view's export."""
    urls = walked_urls(app, classified)
    assert "/admin/studycampaign/ajax/lookup/?name=document&query=77" in urls
    assert "/admin/task/ajax/lookup/?name=assigned_by&query=" in urls
    assert "/admin/partydocument/export-xlsx/" in urls and "/admin/member/export/csv/" in urls
    assert "/admin/lookup/?q=77&search=77" in urls and "/admin/don-vi/" in urls


@pytest.mark.parametrize("role", ROLES)
def test_no_lookup_or_export_shows_an_out_of_reach_record(app, classified, login, role):
    client = login(USERNAMES[role])
    leaks = []
    for url in walked_urls(app, classified):
        r = client.get(url)
        assert r.status_code < 500, (url, r.status_code)
        text = _text(r)
        r.close()
        leaks += [(url, t) for t in hidden_texts(role) if t in text]
    assert not leaks, leaks[:20]


def test_the_walk_sees_what_is_in_reach(app, classified, login):
    """Positive control: the same walk finds the district's classified document for the
    district's officer, commune B's person for the administrator and the other cell's
    person for the commune officer."""
    seen = {}
    for role, wanted in (("district", SECRET_HU[0]), ("admin", "Trần Thị Bình"), ("commune", OTHER_CELL_MEMBER)):
        client = login(USERNAMES[role])
        seen[role] = False
        for u in walked_urls(app, classified):
            r = client.get(u)
            seen[role] |= wanted in _text(r)
            r.close()
    assert seen == {"district": True, "admin": True, "commune": True}


# --- the situations of issue 22, each through the web as the roles it concerns ---------------

def _post(client, path, data):
    from tests.conftest import csrf_token

    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/admin/")})


def test_campaign_on_a_classified_document_never_shows_its_label(classified, login):
    """A district campaign on its "Tối mật" document: every unit below follows the campaign,
    only the addressed commune's officers (and the district's) read the document's name."""
    day = dt.datetime(2026, 10, 5)
    StudyCampaign(organisation=classified.world.district, document=classified.secret_hu, title="Quán triệt kế hoạch",
                  starts_on=day, ends_on=day + dt.timedelta(days=30)).save()
    assert StudyCampaign.objects.get(title="Quán triệt kế hoạch").document_label is None  # never copied
    factories.user("canbo_b", classified.world.commune_b, "officer")
    for username, sees in (("canbo_hu", True), ("canbo_a", True), ("xem_a", False), ("canbo_cb", False),
                           ("canbo_b", False)):
        page = login(username).get("/admin/studycampaign/").get_data(as_text=True)
        assert "Quán triệt kế hoạch" in page, username
        assert (SECRET_HU[0] in page) is sees and (SECRET_HU[1] in page) is sees, username
        if username != "canbo_b":  # commune B issued it
            assert SECRET_B[0] not in page and SECRET_B[1] not in page, username


def test_audit_trail_names_a_foreign_record_like_a_missing_one(classified, login):
    """An officer probing commune B's person and a random id reads the same words for both in
    their own trail: no name, no difference."""
    from bson import ObjectId

    client = login("canbo_a")
    assert client.get(f"/admin/member/details/?id={classified.world.member_b.pk}").status_code == 404
    assert client.get(f"/admin/member/details/?id={ObjectId()}").status_code == 404
    page = client.get("/admin/audit/?flt0_0=denied").get_data(as_text=True)
    assert "Trần Thị Bình" not in page
    cells = [s.split("</td>")[0].strip() for s in page.split('<td class="col-summary">')[1:]]
    texts = [re.sub(r"[0-9a-f]{24}", "ID", c) for c in cells if "/admin/member/details/" in c]
    assert len(texts) == 2 and texts[0] == texts[1], texts


def test_audit_trail_of_a_classified_document_is_its_units_only(classified, login):
    """Commune B creates and opens a "Mật" document: the district above (not addressed) sees
    no entry about it, nor the number and title of it in any entry's details."""
    factories.user("canbo_b", classified.world.commune_b, "officer")
    b = login("canbo_b")
    r = _post(b, "/admin/partydocument/new/", {"number": "99-NQ/ĐU", "title": "Phương án mật thứ hai",
                                               "doc_type": "Nghị quyết", "issued_on": "02/10/2026",
                                               "classification": "mat", "direction": "issued",
                                               "organisation": str(classified.world.commune_b.pk)})
    assert r.status_code == 302
    doc = PartyDocument.objects.get(number="99-NQ/ĐU")
    assert b.get(f"/admin/partydocument/details/?id={doc.pk}").status_code == 200
    assert "99-NQ/ĐU" in b.get("/admin/audit/").get_data(as_text=True)  # its own unit reads it
    district = login("canbo_hu")
    page = district.get("/admin/audit/").get_data(as_text=True)
    assert "99-NQ" not in page and "Phương án mật" not in page and "Mở văn bản" not in page
    assert "đã thêm Văn bản" not in page
    # the campaign of commune B (not classified itself) names its classified document in its changes
    from models import AuditEntry

    _post(b, "/admin/studycampaign/new/", {"organisation": str(classified.world.commune_b.pk), "document": str(doc.pk),
                                          "title": "Học tập phương án hai", "starts_on": "03/10/2026",
                                          "ends_on": "03/11/2026"})
    entry = AuditEntry.objects.get(action="create", collection="study_campaigns")
    detail = district.get(f"/admin/audit/details/?id={entry.pk}").get_data(as_text=True)
    assert "Học tập phương án hai" in detail and "99-NQ" not in detail and "Phương án mật" not in detail
    assert "99-NQ/ĐU" in b.get(f"/admin/audit/details/?id={entry.pk}").get_data(as_text=True)


def test_the_bin_keeps_a_classified_document_from_the_committee_above(classified, login):
    factories.user("canbo_b", classified.world.commune_b, "officer")
    b = login("canbo_b")
    assert _post(b, "/admin/partydocument/delete/", {"id": str(classified.secret_b.pk)}).status_code == 302
    assert PartyDocument.objects.get(pk=classified.secret_b.pk).deleted_at is not None
    assert SECRET_B[0] in b.get("/admin/trash/?c=partydocument").get_data(as_text=True)
    for username in ("canbo_hu", "quantri"):
        client = login(username)
        assert SECRET_B[0] not in client.get("/admin/trash/?c=partydocument").get_data(as_text=True)
        r = _post(client, "/admin/trash/restore/", {"c": "partydocument", "id": str(classified.secret_b.pk)})
        assert r.status_code == 404
    assert PartyDocument.objects.get(pk=classified.secret_b.pk).deleted_at is not None


@pytest.mark.parametrize("seen", [None, ""])
@pytest.mark.parametrize("role", ["admin", "commune"])
def test_edit_without_the_opened_version_is_refused_like_a_stale_one(classified, login, role, seen):
    from models import Member

    client = login(USERNAMES[role])
    member = classified.world.member_a
    data = {"full_name": "Tên ghi đè", "position": "Đảng viên", "organisation": str(classified.world.cell_a.pk),
            "status": "active"}
    if seen is not None:
        data["seen_version"] = seen
    r = _post(client, f"/admin/member/edit/?id={member.pk}", data)
    assert r.status_code == 200 and "thay đổi của bạn chưa được lưu" in r.get_data(as_text=True)
    assert Member.objects.get(pk=member.pk).full_name == "Nguyễn Văn An"
