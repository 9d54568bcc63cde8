"""Writing imports: upsert on natural keys, dry runs, re-imports, concurrency, CLI."""

from __future__ import annotations

import json
import threading

import pytest

import imports
from models import ImportLog, Member, SocialAccount
from tests import factories
from tests.fixtures.workbooks import workbook
from tests.test_import_reading import FIRST, social_row


def rows_for(n: int, **kw: object) -> list[list]:
    kw.setdefault("c8", "")  # member A's phone would make each newcomer a possible duplicate
    return [social_row(c7=f"facebook.com/nguoi{i}", c3=f"Người Số {i % 3}", **kw) for i in range(n)]


def counts() -> tuple[int, int]:
    return SocialAccount.objects.count(), Member.objects.count()


def test_dry_run_writes_nothing_and_predicts_the_real_run(world) -> None:
    """Ensure that a dry run writes nothing and reports exactly what the real run does."""
    data = workbook("social", rows_for(6) + [social_row(c8="123")])
    before = counts()
    predicted = imports.run(data, "social", world.commune_a, dry_run=True).as_json()
    assert counts() == before
    actual = imports.run(data, "social", world.commune_a, dry_run=False).as_json()
    assert predicted == actual
    assert actual["created"] == 6 and actual["people_created"] == 3 and len(actual["errors"]) == 1
    assert counts() == (before[0] + 6, before[1] + 3)


def test_confirm_refuses_a_plan_that_differs_from_the_preview(world) -> None:
    """Ensure that the confirm writes only what the preview showed: a record edited in the
    meantime (the update's "before" is no longer what was shown) makes it raise
    PlanChanged with nothing written; an unchanged register, or the officer's own choices
    on possible duplicates, do not."""
    data = workbook("social", [social_row(c7="https://www.facebook.com/nguyenvanan", c12="Cá nhân"),
                               social_row(c7="facebook.com/moi.truoc"), social_row(c3="Nguyen Van An", c7="facebook.com/khongdau")])
    preview = imports.run(data, "social", world.commune_a)
    assert (preview.created, preview.updated, len(preview.candidates)) == (1, 1, 1)
    SocialAccount.objects(pk=world.account_a.pk).update(set__purpose="Tuyên truyền, vận động")
    with pytest.raises(imports.PlanChanged, match="Chưa ghi gì"):
        imports.run(data, "social", world.commune_a, dry_run=False, expected=preview.fingerprint)
    assert not SocialAccount.objects(url_key="facebook.com/moi.truoc").count()
    assert SocialAccount.objects.get(pk=world.account_a.pk).purpose == "Tuyên truyền, vận động"
    again = imports.run(data, "social", world.commune_a)
    choice = {again.candidates[0].key: str(world.member_a.pk)}
    done = imports.run(data, "social", world.commune_a, dry_run=False, expected=again.fingerprint, resolutions=choice)
    assert (done.created, done.updated, done.errors) == (2, 1, [])
    assert SocialAccount.objects.get(pk=world.account_a.pk).purpose == "Cá nhân"


def test_cli_expect_writes_only_what_the_dry_run_showed(world, runner, tmp_path) -> None:
    """Ensure that ``--expect`` (the dry run's fingerprint) makes the real run write nothing,
    exit 2 and say why when the register changed in between, and write when it did not."""
    path = tmp_path / "bm2.xlsx"
    path.write_bytes(workbook("social", [social_row(c7="https://www.facebook.com/nguyenvanan", c12="Cá nhân"),
                                         social_row(c7="facebook.com/cli.expect")]))
    args = ["forms", "import", "social", str(path), "--org", "xa"]
    dry = runner.invoke(args=[*args, "--dry-run"])
    shown = json.loads(runner.invoke(args=[*args, "--dry-run", "--json"]).stdout)["fingerprint"]
    assert f"--expect {shown}" in dry.output
    SocialAccount.objects(pk=world.account_a.pk).update(set__purpose="Tuyên truyền, vận động")
    stale = runner.invoke(args=[*args, "--expect", shown])
    assert stale.exit_code == 2 and "đã thay đổi kể từ lúc xem trước" in stale.stderr
    assert not SocialAccount.objects(url_key="facebook.com/cli.expect").count() and not ImportLog.objects.count()
    fresh = json.loads(runner.invoke(args=[*args, "--dry-run", "--json"]).stdout)["fingerprint"]
    done = runner.invoke(args=[*args, "--expect", fresh, "--json"])
    assert done.exit_code == 0 and json.loads(done.stdout)["created"] == 1
    assert SocialAccount.objects.get(pk=world.account_a.pk).purpose == "Cá nhân"


def test_roster_confirm_refuses_a_plan_that_differs_from_the_preview(world) -> None:
    """Ensure that the roster's confirm is held to its preview the same way."""
    from imports import roster
    from tests.test_roster_import import book, row

    data = book([row(name="Nguyễn Văn An", phone="0912345678", born="")])
    preview = roster.run(data, world.commune_a)
    Member.objects(pk=world.member_a.pk).update(set__position="Bí thư chi bộ")
    with pytest.raises(imports.PlanChanged):
        roster.run(data, world.commune_a, dry_run=False, expected=preview.fingerprint)
    assert Member.objects.get(pk=world.member_a.pk).position == "Bí thư chi bộ"
    fresh = roster.run(data, world.commune_a)
    assert fresh.fingerprint != preview.fingerprint
    assert roster.run(data, world.commune_a, dry_run=False, expected=fresh.fingerprint).updated == 1


def test_reimport_creates_nothing_and_changes_update(world) -> None:
    """Ensure that importing the same file twice creates nothing new, and that a changed
    field updates the existing record instead of adding one."""
    data = workbook("social", rows_for(4))
    imports.run(data, "social", world.commune_a, dry_run=False)
    before = counts()
    again = imports.run(data, "social", world.commune_a, dry_run=False).as_json()
    assert (again["created"], again["updated"], again["unchanged"], again["people_created"]) == (0, 0, 4, 0)
    assert counts() == before
    changed = rows_for(4)
    changed[2][11] = "Đấu tranh phản bác"
    changed[3][6] = "https://m.facebook.com/nguoi3/?fbclid=abc"  # same account, spelt otherwise
    result = imports.run(workbook("social", changed), "social", world.commune_a, dry_run=False).as_json()
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 2, 2)
    assert counts() == before
    assert SocialAccount.objects(url_key="facebook.com/nguoi2").get().purpose == "Đấu tranh phản bác"


def test_soft_deleted_record_is_restored_not_duplicated(world) -> None:
    """Ensure that a record in the recycle bin named again by a file comes back (update)."""
    world.account_a.update(set__deleted_at=world.account_a.created_at)
    row = social_row(c7="https://www.facebook.com/nguyenvanan", c6="Nguyễn Văn An")
    result = imports.run(workbook("social", [row]), "social", world.commune_a, dry_run=False)
    assert (result.created, result.updated) == (0, 1)
    world.account_a.reload()
    assert world.account_a.deleted_at is None


def test_concurrent_double_import_creates_no_duplicates(world) -> None:
    """Ensure that the same file imported twice at once creates each record and person once."""
    data = workbook("social", rows_for(30))
    results, failures = [], []

    def work() -> None:
        try:
            results.append(imports.run(data, "social", world.commune_a, dry_run=False).as_json())
        except Exception as exc:  # surfaced below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert sorted(r["created"] for r in results) == [0, 30]
    assert sum(r["people_created"] for r in results) == 3
    assert SocialAccount.objects(url_key__in=[f"facebook.com/nguoi{i}" for i in range(30)]).count() == 30
    assert Member.objects(__raw__={"full_name": {"$regex": "^Người Số"}}).count() == 3


def test_ambiguous_person_and_duplicate_rows_rejected(world) -> None:
    """Ensure that two people of one name in the cell make the row ambiguous, and that a
    record repeated in the file is reported against the first occurrence."""
    factories.member(world.cell_a, "Nguyễn Văn An")
    rows = [social_row(c7="facebook.com/x1"), social_row(c3="Lê Thị Lan", c7="facebook.com/lan", c8=""),
            social_row(c3="Lê Thị Lan", c7="https://www.facebook.com/lan/")]
    result = imports.run(workbook("social", rows), "social", world.commune_a, dry_run=False).as_json()
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(FIRST, "(3)"), (FIRST + 2, "(7)")]
    assert "2 người cùng tên" in result["errors"][0]["message"]
    assert f"dòng {FIRST + 1}" in result["errors"][1]["message"]
    assert result["created"] == 1


def test_rows_outside_the_subtree_rejected_row_by_row(world) -> None:
    """Ensure that an import into commune A cannot touch commune B, even naming B's cell
    and B's person; the district may import both."""
    rows = [social_row(c7="facebook.com/a1"),
            social_row(c2="Chi bộ thôn Đông", c3="Trần Thị Bình", c7="facebook.com/b1")]
    result = imports.run(workbook("social", rows), "social", world.commune_a, dry_run=False).as_json()
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(FIRST + 1, "(2)")]
    assert not SocialAccount.objects(member=world.member_b, url_key="facebook.com/b1").count()
    result = imports.run(workbook("social", rows), "social", world.district, dry_run=False).as_json()
    assert result["created"] == 1 and result["unchanged"] == 1 and not result["errors"]


def test_cli_json_summary_and_exit_codes(world, runner, tmp_path) -> None:
    """Ensure that the CLI prints the exact JSON summary, exits 0 with rejected rows,
    writes nothing with --dry-run, and fails cleanly (no traceback) on unusable files."""
    path = tmp_path / "bieu-mau-2.xlsx"
    path.write_bytes(workbook("social", [social_row(c7="facebook.com/cli1"), social_row(c9="x@")]))
    args = ["forms", "import", "social", str(path), "--org", "xa", "--json"]
    dry = runner.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output) == {"rows": 2, "created": 1, "updated": 0, "unchanged": 0, "people_created": 0,
                                      "errors": [{"sheet": "Biểu mẫu", "row": FIRST + 1, "column": "(9)", "message": json.loads(dry.output)["errors"][0]["message"]}],
                                      "candidates": [], "fingerprint": json.loads(dry.output)["fingerprint"]}
    assert not SocialAccount.objects(url_key="facebook.com/cli1").count() and not ImportLog.objects.count()
    real = runner.invoke(args=args)
    assert real.exit_code == 0 and json.loads(real.output)["created"] == 1
    log = ImportLog.objects.get()
    assert (log.filename, log.rows, log.created, log.rejected, log.source) == ("bieu-mau-2.xlsx", 2, 1, 1, "cli")
    assert len(log.sha256) == 64
    text = runner.invoke(args=args[:-1])
    assert text.exit_code == 0 and "không đổi 1" in text.output and f"Dòng {FIRST + 1} (9)" in text.output
    path.write_bytes(b"%PDF-1.4")
    bad = runner.invoke(args=args)
    assert bad.exit_code == 2 and "PDF" in bad.output and "Traceback" not in bad.output
    assert runner.invoke(args=["forms", "import", "social", str(tmp_path / "none.xlsx"), "--org", "XA"]).exit_code == 2
    assert runner.invoke(args=["forms", "import", "social", str(path), "--org", "NOPE"]).exit_code == 2
