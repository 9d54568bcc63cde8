"""Ensure that the organisation, user and demo commands work and fail clearly."""

from models import Member, Organisation, SocialAccount, User


def test_orgs_create_tree(runner):
    r = runner.invoke(args=["orgs", "create", "hu-vb", "Huyện ủy Vĩnh Bảo", "--place", "Vĩnh Bảo"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["orgs", "create", "X01", "Đảng bộ xã Tân Hưng", "--parent", "HU-VB", "--kind", "committee"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["orgs", "create", "X01-CB1", "Chi bộ thôn 1", "--parent", "X01"])
    assert r.exit_code == 0 and "Huyện ủy Vĩnh Bảo › Đảng bộ xã Tân Hưng › Chi bộ thôn 1" in r.output
    cell = Organisation.objects.get(code="X01-CB1")
    assert cell.kind == "cell" and len(cell.scope) == 3
    r = runner.invoke(args=["orgs", "list"])
    assert "    X01-CB1\tChi bộ thôn 1" in r.output


def test_orgs_create_errors(runner):
    runner.invoke(args=["orgs", "create", "HU", "Huyện ủy"])
    r = runner.invoke(args=["orgs", "create", "HU", "Trùng mã"])
    assert r.exit_code != 0 and "đã tồn tại" in r.output
    r = runner.invoke(args=["orgs", "create", "X9", "Xã", "--parent", "KHONGCO"])
    assert r.exit_code != 0 and "Không tìm thấy tổ chức cấp trên" in r.output
    runner.invoke(args=["orgs", "create", "CB", "Chi bộ", "--parent", "HU", "--kind", "cell"])
    r = runner.invoke(args=["orgs", "create", "CB2", "Chi bộ con", "--parent", "CB"])
    assert r.exit_code != 0 and "Chi bộ không thể có tổ chức trực thuộc" in r.output
    assert "Traceback" not in r.output


def test_users_create(runner):
    runner.invoke(args=["orgs", "create", "HU", "Huyện ủy"])
    r = runner.invoke(args=["users", "create", "CanBo1", "--org", "hu", "--role", "officer",
                            "--password", "Mat-khau-dai-2026"])
    assert r.exit_code == 0, r.output
    user = User.objects.get(username="canbo1")
    assert user.role == "officer" and user.check_password("Mat-khau-dai-2026")
    assert user.password_hash != "Mat-khau-dai-2026"


def test_users_create_prompts_for_password(runner):
    runner.invoke(args=["orgs", "create", "HU", "Huyện ủy"])
    r = runner.invoke(args=["users", "create", "canbo2", "--org", "HU", "--role", "viewer"],
                      input="Mat-khau-dai-2026\nMat-khau-dai-2026\n")
    assert r.exit_code == 0, r.output
    assert User.objects.get(username="canbo2").check_password("Mat-khau-dai-2026")


def test_users_create_refuses_weak_password_and_unknown_org(runner):
    runner.invoke(args=["orgs", "create", "HU", "Huyện ủy"])
    r = runner.invoke(args=["users", "create", "canbo3", "--org", "HU", "--role", "officer", "--password", "123"])
    assert r.exit_code != 0 and "ít nhất" in r.output
    r = runner.invoke(args=["users", "create", "canbo3", "--org", "NONE", "--role", "officer",
                            "--password", "Mat-khau-dai-2026"])
    assert r.exit_code != 0 and "Không tìm thấy tổ chức" in r.output
    assert User.objects.count() == 0


def test_seed_demo(runner):
    r = runner.invoke(args=["seed-demo", "--people", "120"])
    assert r.exit_code == 0, r.output
    assert Organisation.objects(kind="cell").count() == 25
    assert Member.objects.count() == 120
    accounts = SocialAccount.objects.count()
    assert 120 < accounts < 300
    # a realistic share of legacy records for the data-quality filters
    assert 0 < SocialAccount.objects(quality_issues__0__exists=True).count() < accounts / 4


def test_seed_demo_only_into_empty_database(runner):
    runner.invoke(args=["orgs", "create", "HU", "Huyện ủy"])
    r = runner.invoke(args=["seed-demo", "--people", "30"])
    assert r.exit_code == 0 and "đã có dữ liệu" in r.output
    assert Member.objects.count() == 0 and Organisation.objects.count() == 1


def test_recount_declarations_sets_every_count(runner, world):
    """Ensure that the upgrade command fills ``declared`` for records written before it existed."""
    from models import Member

    Member.objects.update(unset__declared=True)
    r = runner.invoke(args=["recount-declarations"])
    assert r.exit_code == 0, r.output
    assert Member.objects(pk=world.member_a.pk).get().declared == 2
    assert "2 người" in r.output
