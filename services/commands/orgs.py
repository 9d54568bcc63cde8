"""``flask orgs …`` and ``flask seed-demo``."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask
from flask.cli import AppGroup
from mongoengine import ValidationError
from mongoengine.errors import NotUniqueError

from models import Organisation
from services import records

orgs = AppGroup("orgs", help="Quản lý cây tổ chức đảng.")


@orgs.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent_code", help="Mã tổ chức cấp trên.")
@click.option("--kind", type=click.Choice(["committee", "cell"]), default=None,
              help="committee (đảng bộ) hoặc cell (chi bộ).")
@click.option("--place", help="Địa danh in trên biểu mẫu (ví dụ: Vĩnh Bảo).")
def create(code: str, name: str, parent_code: str | None, kind: str | None, place: str | None) -> None:
    """Tạo tổ chức CODE tên NAME."""
    parent = None
    if parent_code:
        parent = Organisation.objects(code=parent_code.upper()).first()
        if parent is None:
            raise click.ClickException(f"Không tìm thấy tổ chức cấp trên mã {parent_code}.")
    org = Organisation(code=code, name=name, parent=parent, place=place,
                       kind=kind or ("committee" if parent is None else "cell"))
    try:
        records.save(org, username=records.CLI, detail=f"flask orgs create {org.code}")
    except NotUniqueError:
        raise click.ClickException(f"Mã tổ chức {org.code} đã tồn tại.") from None
    except ValidationError as exc:
        raise click.ClickException(_message(exc)) from None
    click.echo(f"Đã tạo tổ chức {org.code}: {org.path}")


@orgs.command("list")
def list_orgs() -> None:
    """In cây tổ chức."""
    for org in Organisation.objects.order_by("tree_key"):
        click.echo(f"{'  ' * org.depth}{org.code}\t{org.name}")


def _find(code: str) -> Organisation:
    org = Organisation.objects(code=(code or "").strip().upper()).first()
    if org is None:
        raise click.ClickException(f"Không tìm thấy tổ chức mã {code}.")
    return org


def _run(make_plan, dry_run: bool, yes: bool, on: dt.datetime | None = None) -> None:
    """Show the plan; unless ``--dry-run``, ask (or take ``--yes``) and run it."""
    from services import restructure

    try:
        plan = make_plan()
    except restructure.RestructureError as exc:
        raise click.ClickException(str(exc)) from None
    for line in plan.lines():
        click.echo(line)
    if dry_run:
        click.echo("Chỉ xem trước (--dry-run): chưa thay đổi gì.")
        return
    if not yes and not click.confirm("Thực hiện?", default=False):
        click.echo("Đã hủy: chưa thay đổi gì.")
        return
    counts = restructure.execute(plan, username="cli", on=on.date() if on else None)
    click.echo(f"Đã thực hiện: {counts['units']} tổ chức chuyển cấp trên, {counts['records']} bản ghi chuyển, "
               f"{counts['closed']} tổ chức đóng. Chạy lại lệnh nếu bị gián đoạn (an toàn).")


_preview = click.option("--dry-run", is_flag=True, help="Chỉ xem trước, không thay đổi gì.")
_yes = click.option("--yes", is_flag=True, help="Không hỏi xác nhận.")
_on = click.option("--on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                   help="Ngày đóng tổ chức (YYYY-MM-DD, mặc định hôm nay).")


@orgs.command("move")
@click.argument("code")
@click.option("--parent", "parent_code", required=True, help="Mã tổ chức cấp trên mới.")
@_preview
@_yes
def move(code: str, parent_code: str, dry_run: bool, yes: bool) -> None:
    """Chuyển tổ chức CODE (cùng mọi cấp dưới, người, hồ sơ, tài khoản) về trực thuộc --parent."""
    from services import restructure

    _run(lambda: restructure.plan_move(_find(code), _find(parent_code)), dry_run, yes)


@orgs.command("merge")
@click.argument("codes", nargs=-1, required=True)
@click.option("--into", "into_code", required=True, help="Mã tổ chức nhận (sau sáp nhập).")
@_on
@_preview
@_yes
def merge(codes: tuple[str, ...], into_code: str, on: dt.datetime | None, dry_run: bool, yes: bool) -> None:
    """Sáp nhập các tổ chức CODE... vào --into; các tổ chức cũ được đóng và giữ lại lịch sử."""
    from services import restructure

    _run(lambda: restructure.plan_merge([_find(c) for c in codes], _find(into_code)), dry_run, yes, on)


@orgs.command("lift")
@click.argument("code")
@_on
@_preview
@_yes
def lift(code: str, on: dt.datetime | None, dry_run: bool, yes: bool) -> None:
    """Bỏ cấp CODE: mọi tổ chức trực thuộc chuyển lên cấp trên của nó; CODE được đóng."""
    from services import restructure

    _run(lambda: restructure.plan_lift(_find(code)), dry_run, yes, on)


def _message(exc: ValidationError) -> str:
    if exc.errors:
        return "; ".join(f"{k}: {getattr(v, 'message', v)}" for k, v in exc.errors.items())
    return str(exc.message)


@click.command("seed-demo")
@click.option("--people", default=600, show_default=True, help="Số người trong dữ liệu mẫu.")
def seed_demo(people: int) -> None:
    """Nạp bộ dữ liệu trình diễn (một huyện, 5 xã, 25 chi bộ)."""
    from services import demo

    if Organisation.objects.count():
        click.echo("Cơ sở dữ liệu đã có dữ liệu: không nạp dữ liệu mẫu (chỉ nạp vào cơ sở dữ liệu trống).")
        return
    counts = demo.seed(people=people)
    click.echo("Đã nạp dữ liệu mẫu: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


def register(app: Flask) -> None:
    app.cli.add_command(orgs)
    app.cli.add_command(seed_demo)
