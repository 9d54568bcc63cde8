"""``flask orgs …`` and ``flask seed-demo``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from mongoengine import ValidationError
from mongoengine.errors import NotUniqueError

from models import Organisation

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
        org.save()
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
