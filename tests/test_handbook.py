"""Ensure that handbook-account proposals follow admissions, deaths and departures, that the
monthly list is previewed, exported, frozen once sent, and marked done by the level above."""

import datetime as dt
import io

import openpyxl
import pytest

from models import HandbookProposal, Member, normalize
from models.handbook import month_key, next_month
from services import lifecycle, members
from tests import factories
from tests.conftest import csrf_token

TODAY = normalize.today()
MONTH = month_key(TODAY)
SHOWN = f"{TODAY.month:02d}/{TODAY.year}"


@pytest.fixture
def month_events(world):
    """In commune A this month: an admission, a death and a transfer out of the platform."""
    admin = factories.user("quantri", world.district, "admin")
    new = factories.member(world.cell_a, "Lê Văn Mới", admission_date=TODAY, party_card_number="093000111")
    dead = factories.member(world.cell_a, "Phạm Văn Mất", handbook_state="created")
    gone = factories.member(world.cell_a, "Đỗ Thị Đi", handbook_state="created")
    dead.status, dead.left_on, dead.left_reason = "deceased", TODAY, "Từ trần"
    members.save(dead, audited=False)
    lifecycle.leave(gone, "transferred", TODAY, "Chuyển về Đảng bộ tỉnh Lào Cai", admin)
    return new, dead, gone


def _items(org, month=MONTH):
    return {(p.member_name, p.kind, p.event) for p in HandbookProposal.objects(scope=org.pk, month=month, state__ne="withdrawn")}


def test_rules_propose_creation_and_deletion(world, month_events):
    assert {("Lê Văn Mới", "create", "admission"), ("Phạm Văn Mất", "delete", "death"),
            ("Đỗ Thị Đi", "delete", "transfer_out")} <= _items(world.commune_a)
    assert Member.objects.get(full_name="Phạm Văn Mất").handbook_state == "proposed_delete"
    assert Member.objects.get(full_name="Lê Văn Mới").handbook_state == "proposed_create"


def test_non_party_people_and_old_rosters_propose_nothing(world):
    factories.member(world.cell_a, "Vũ Văn Công Chức", is_party_member=False)
    factories.member(world.cell_a, "Ngô Văn Cũ", joined_on=dt.date(2015, 1, 1))
    assert not HandbookProposal.objects(member_name__in=["Vũ Văn Công Chức", "Ngô Văn Cũ"]).count()


def test_leaving_before_the_creation_was_sent_withdraws_it(world):
    m = factories.member(world.cell_a, "Lê Văn Ngắn")
    m.status, m.left_on, m.left_reason = "deceased", TODAY, "Từ trần"
    members.save(m, audited=False)
    p = HandbookProposal.objects.get(member=m)
    assert (p.kind, p.state) == ("create", "withdrawn") and Member.objects.get(pk=m.pk).handbook_state == "none"


def test_moving_to_a_place_on_the_platform_keeps_the_account(world):
    admin = factories.user("quantri", world.district, "admin")
    m = factories.member(world.cell_a, "Lê Văn Giữ", handbook_state="created")
    lifecycle.leave(m, "transferred", TODAY, "Chuyển về Đảng bộ thành phố (cùng nền tảng)", admin, platform_elsewhere=True)
    assert not HandbookProposal.objects(member=m).count()


def test_monthly_list_preview_export_send_freeze_done(world, month_events, login):
    factories.user("canbo_a", world.commune_a, "officer")
    factories.user("canbo_hu", world.district, "officer")
    a, hu = login("canbo_a"), login("canbo_hu")
    page = a.get(f"/admin/handbook/?month={SHOWN}").get_data(as_text=True)
    for name in ("Lê Văn Mới", "Phạm Văn Mất", "Đỗ Thị Đi", "Chuyển về Đảng bộ tỉnh Lào Cai", "Chưa gửi"):
        assert name in page
    assert "Trần Thị Bình" not in page  # commune B's items are not A's
    # the district sees which communes have not sent
    district_page = hu.get(f"/admin/handbook/?month={SHOWN}").get_data(as_text=True)
    assert "Đảng bộ xã An Hòa" in district_page.split("data-not-sent")[1]
    # xlsx with title and signature blocks
    r = a.get(f"/admin/handbook/export/?month={SHOWN}")
    try:
        ws = openpyxl.load_workbook(io.BytesIO(r.get_data())).active
    finally:
        r.close()
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(t.startswith("DANH SÁCH ĐỀ NGHỊ TẠO, XÓA TÀI KHOẢN") for t in texts)
    assert f"(Tháng {TODAY.month:02d} năm {TODAY.year})" in texts and "NGƯỜI LẬP BIỂU" in texts
    assert {"Lê Văn Mới", "Phạm Văn Mất", "Đỗ Thị Đi", "093000111"} <= set(texts)
    # sent: frozen
    token = csrf_token(a, "/admin/handbook/")
    assert a.post("/admin/handbook/send/", data={"month": MONTH, "csrf_token": token}).status_code == 302
    assert 'data-sent="1"' in a.get(f"/admin/handbook/?month={SHOWN}").get_data(as_text=True)
    assert "Đảng bộ xã An Hòa" not in hu.get(f"/admin/handbook/?month={SHOWN}").get_data(as_text=True).split("data-not-sent")[-1]
    p_new = HandbookProposal.objects.get(member_name="Lê Văn Mới")
    a.post("/admin/handbook/item/", data={"id": str(p_new.pk), "what": "withdraw", "reason": "Nhầm", "csrf_token": token})
    assert HandbookProposal.objects.get(pk=p_new.pk).state == "proposed"
    # a later death goes to next month's list
    frozen = _items(world.commune_a)
    late = factories.member(world.cell_a, "Bùi Văn Sau", handbook_state="created")
    late.status, late.left_on, late.left_reason = "deceased", TODAY, "Từ trần"
    members.save(late, audited=False)
    assert HandbookProposal.objects.get(member=late).month == next_month(MONTH)
    assert _items(world.commune_a) == frozen
    # the commune cannot mark its own items done; the district can
    a.post("/admin/handbook/item/", data={"id": str(p_new.pk), "what": "done", "csrf_token": token})
    assert HandbookProposal.objects.get(pk=p_new.pk).state == "proposed"
    hu_token = csrf_token(hu, "/admin/handbook/")
    hu.post("/admin/handbook/item/", data={"id": str(p_new.pk), "what": "done", "csrf_token": hu_token})
    assert HandbookProposal.objects.get(pk=p_new.pk).state == "done"
    assert Member.objects.get(full_name="Lê Văn Mới").handbook_state == "created"


def test_officer_proposes_and_withdraws_by_hand(world, officer_client):
    m = factories.member(world.cell_a, "Ngô Văn Cũ", joined_on=dt.date(2015, 1, 1))
    token = csrf_token(officer_client, f"/admin/member/details/?id={m.pk}")
    officer_client.post("/admin/handbook/propose/", data={"member": str(m.pk), "kind": "create", "reason": "",
                                                          "csrf_token": token})
    assert not HandbookProposal.objects(member=m).count()  # a reason is required
    officer_client.post("/admin/handbook/propose/", data={"member": str(m.pk), "kind": "create",
                                                          "reason": "Chưa có tài khoản", "csrf_token": token})
    p = HandbookProposal.objects.get(member=m)
    assert (p.event, p.reason, p.month) == ("manual", "Chưa có tài khoản", MONTH)
    officer_client.post("/admin/handbook/item/", data={"id": str(p.pk), "what": "withdraw", "reason": "Đã có tài khoản",
                                                       "csrf_token": token})
    assert HandbookProposal.objects.get(pk=p.pk).state == "withdrawn"
    assert officer_client.post("/admin/handbook/propose/", data={"member": str(world.member_b.pk), "kind": "create",
                                                                 "reason": "x", "csrf_token": token}).status_code == 404


def test_dashboard_deadline_links_to_the_list_and_shows_who_has_not_sent(world, login):
    from services.submissions import current_period

    period = current_period("proposals", TODAY)  # after the 29th the deadline shown is next month's
    factories.user("canbo_hu", world.district, "officer")
    hu = login("canbo_hu")
    page = hu.get("/admin/").get_data(as_text=True)
    assert f"/admin/handbook/?org={world.district.pk}" in page
    assert 'data-proposals-sent="0"' in page and "Đảng bộ xã An Hòa, Đảng bộ xã Bình Minh" in page
    from services import handbook

    admin = factories.user("quantri", world.district, "admin")
    handbook.send(world.commune_a, period, admin)
    page = hu.get("/admin/").get_data(as_text=True)
    assert "1 đơn vị trực thuộc chưa gửi: Đảng bộ xã Bình Minh" in page


def test_demo_has_life_events_across_months(app):
    from models import Organisation, SocialAccount
    from models.handbook import ProposalList
    from models.transfer import TransferOrder
    from services import demo, reports

    with app.app_context():
        demo.seed(people=120)
        district = Organisation.objects.get(code="HU-VB")
        assert TransferOrder.objects(state="accepted").count() == 3 and TransferOrder.objects(state="pending").count() == 1
        assert Member.objects(status="deceased").count() == 3 and Member.objects(in_transfer=True).count() == 1
        assert HandbookProposal.objects(month=MONTH, kind="create").count() == 3
        assert HandbookProposal.objects(month=MONTH, kind="delete").count() == 1
        assert ProposalList.objects(sent_at__ne=None).count() == 3
        [summary, _] = reports.monthly_tables(district, None, TODAY.year, TODAY.month)
        people_in, people_out, accounts_new = summary.total[1], summary.total[2], summary.total[3]
        assert (people_in, people_out) == (3, 1) and summary.total[7:9] == [1, 1]
        assert accounts_new < SocialAccount.objects.count() / 4  # not every demo account is "new"
        assert Member.objects(roles="bi_thu").count() == 25


# --- issue 27: the list costs what it shows ---------------------------------------------------

def test_list_is_paged_and_names_a_few_units_not_sent(world, login, monkeypatch):
    """Ensure that the proposal list shows a page with a link to the next, and names the first
    committees below that have not sent, counting the others."""
    from admin import handbook as view

    monkeypatch.setattr(view, "PAGE", 2)
    monkeypatch.setattr(view, "NOT_SENT_SHOWN", 1)
    for n in range(3):
        factories.member(world.cell_a, f"Lê Văn Mới {n}", admission_date=TODAY, party_card_number=f"09300020{n}")
    factories.user("canbo_hu", world.district, "officer")
    hu = login("canbo_hu")
    total = HandbookProposal.objects(scope=world.district.pk, month=MONTH).count()
    pages = [hu.get(f"/admin/handbook/?page={n}").get_data(as_text=True) for n in range(1, (total + 1) // 2 + 1)]
    first = pages[0]
    assert total >= 3 and [p.count("data-proposal=") for p in pages] == [2] * (total // 2) + [1] * (total % 2)
    assert all("Trang sau" in p for p in pages[:-1]) and "Trang sau" not in pages[-1]
    assert all(any(f"Lê Văn Mới {n}" in p for p in pages) for n in range(3))
    assert "Đảng bộ xã An Hòa</a> và 1 đơn vị khác" in first


def test_superior_button_comes_from_the_page_query(world, login):
    """Ensure that the level above sees "Đã thực hiện" on the rows of a sent list, and the unit
    itself does not (the button is decided from the lists joined to the page's rows)."""
    from services import handbook

    factories.member(world.cell_a, "Lê Văn Mới", admission_date=TODAY, party_card_number="093000301")
    admin = factories.user("quantri", world.district, "admin")
    factories.user("canbo_hu", world.district, "officer")
    factories.user("canbo_a", world.commune_a, "officer")
    hu, a = login("canbo_hu"), login("canbo_a")
    assert "Đã thực hiện</button>" not in hu.get("/admin/handbook/").get_data(as_text=True)
    handbook.send(world.commune_a, MONTH, admin)
    assert "Đã thực hiện</button>" in hu.get("/admin/handbook/").get_data(as_text=True)
    assert "Đã thực hiện</button>" not in a.get("/admin/handbook/").get_data(as_text=True)
