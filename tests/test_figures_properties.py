"""Property test: one definition per figure (Hypothesis).

Random registers under one district — communes with or without cells, people in cells and
people attached directly to a committee, party members and non-party people, people who
left (transferred, deceased: their records leave the forms), binned people and records —
and the people, sites and accounts counted by the dashboard, its per-unit rows (with the
row for the unit's own people), the annual report, a commune's sent snapshot (figures and
its rows of forms 1 and 2) and the district's consolidation all equal the count computed
here from the raw register by the directive's rule, and each other.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Member, Site, SocialAccount, normalize
from services import dashboard, db, figures, reports, soft_delete, submissions, tracker
from tests import factories, stores

TODAY = normalize.today()
LEFT = ("transferred", "deceased")

person = st.fixed_dictionaries({
    "where": st.sampled_from(["cell", "commune", "district"]),
    "status": st.sampled_from(["active", "active", "exempt", *LEFT]),
    "party": st.booleans(),
    "accounts": st.integers(0, 2),
    "sites": st.integers(0, 1),
    "binned_person": st.booleans(),
    "binned_record": st.booleans(),
})
commune = st.fixed_dictionaries({"cells": st.integers(0, 2), "people": st.lists(person, max_size=4)})


def _build(communes: list[dict]) -> tuple:
    district = factories.org("HU", "Huyện ủy Vĩnh Bảo")
    units, n = [], 0
    for i, spec in enumerate(communes):
        c = factories.org(f"X{i}", f"Đảng bộ xã Số {i}", district, "committee")
        cells = [factories.org(f"X{i}-{k}", f"Chi bộ thôn {k}", c) for k in range(spec["cells"])]
        units.append(c)
        for p in spec["people"]:
            n += 1
            home = {"cell": cells[0] if cells else c, "commune": c, "district": district}[p["where"]]
            left = {"left_on": TODAY - dt.timedelta(days=3)} if p["status"] in LEFT else {}
            m = factories.member(home, f"Người Thứ {n}", status=p["status"], is_party_member=p["party"], **left)
            for k in range(p["accounts"]):
                a = factories.account(m, f"https://www.facebook.com/nguoi{n}x{k}")
                if p["binned_record"] and k == 0:
                    soft_delete.soft_delete(a)
            for _k in range(p["sites"]):
                factories.site(m, f"nguoi{n}.vn")
            if p["binned_person"]:
                soft_delete.soft_delete(Member.objects.get(pk=m.pk))
    return district, units


def _expected(org_id) -> dict[str, int]:
    """The directive's rule, computed from the raw register (not through services.figures)."""
    end = dt.datetime.combine(TODAY, dt.time()) + dt.timedelta(days=1)
    people = [m for m in Member.objects(scope=org_id, deleted_at=None)
              if m.joined_on < end and (m.left_on is None or m.left_on >= end)]
    current = {m.pk for m in Member.objects(scope=org_id) if m.status not in ("transferred", "deceased", "removed")}

    def records(model: type) -> int:
        return sum(1 for r in model.objects(scope=org_id, deleted_at=None) if r.member.pk in current)
    return {"people": len(people), "sites": records(Site), "accounts": records(SocialAccount)}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commune, min_size=1, max_size=3))
def test_every_screen_counts_the_same(communes: list[dict]) -> None:
    config = stores.current().config("fig")  # the run's store, a new database per example
    db.connect(config["MONGODB_URI"], client_class=config.get("MONGO_CLIENT_CLASS"))
    db.ensure_indexes()
    district, units = _build(communes)
    boss = factories.user("huyen", district, "officer")
    want = _expected(district.pk)

    board = dashboard.build(boss, TODAY)
    shown = {k: board.root.counts[k] for k in ("people", "sites", "accounts")}
    assert shown == want
    rows = board.units
    for key in shown:  # the per-unit rows, the district's own row included, add up to the total
        assert sum(u.counts[key] for u in rows) == shown[key]
    own = next(u for u in rows if u.kind_of_row == "own")
    assert own.counts["people"] == _count_own(district)

    annual = reports.annual_tables(district, boss, TODAY)[0]
    assert annual.total[1:4] == [want["people"], want["sites"], want["accounts"]]
    for col in (1, 2, 3):
        assert sum(r[col] for r in annual.rows) == annual.total[col]

    sent_total = figures.Figures()
    for c in units:
        officer = factories.user(f"cb{c.code}", c, "officer")
        sub = submissions.send(c, officer, "annual", submissions.current_period("annual", TODAY),
                               confirm_quality=True, today=TODAY)
        snap, mine = sub.snapshot["figures"], _expected(c.pk)
        assert {k: snap[k] for k in mine} == mine
        assert len(sub.snapshot["rows"]["sites"]) == mine["sites"]
        assert len(sub.snapshot["rows"]["social"]) == mine["accounts"]
        commune_board = dashboard.build(officer, TODAY)
        assert {k: commune_board.root.counts[k] for k in mine} == mine
        sent_total.add(figures.Figures.from_dict(snap))
    t = tracker.tracker(district, boss, "annual", submissions.current_period("annual", TODAY), TODAY)
    consolidated = tracker.consolidated_tables(t)[0]
    below = [want[k] - own.counts[k] for k in ("people", "sites", "accounts")]
    assert consolidated.total[1:4] == below == [sent_total.people, sent_total.sites, sent_total.accounts]
    assert tracker.consolidated_tables(t, live=True)[0].total[1:4] == below


def _count_own(org) -> int:
    end = dt.datetime.combine(TODAY, dt.time()) + dt.timedelta(days=1)
    return sum(1 for m in Member.objects(organisation=org.pk, deleted_at=None)
               if m.joined_on < end and (m.left_on is None or m.left_on >= end))
