"""``flask forms export sites|social --org CODE [--as-of YYYY-MM-DD] -o FILE``.

The organisation and everything below it, in the official layout. With ``--user`` the
export is limited to what that user may see (and capped like the web export)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable

import click
from flask import Flask, current_app

from exports import ExportError
from models import Organisation, User
from services import reports

from .forms import FORM_KINDS, forms


def find_org(code: str) -> Organisation:
    org = Organisation.objects(code=(code or "").strip().upper()).first()
    if org is None:
        raise click.ClickException(f"Không tìm thấy tổ chức mã {code}.")
    return org


def find_user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects(username=username.strip().lower()).first()
    if user is None or not user.is_active:
        raise click.ClickException(f"Không tìm thấy người dùng {username} đang hoạt động.")
    return user


def write_atomically(path: str, write: Callable[[str], object]) -> object:
    """Write to a temporary file beside ``path`` and rename it: a failed export leaves nothing behind."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=folder)
    os.close(fd)
    try:
        result = write(tmp)
        os.replace(tmp, path)
        return result
    except (ExportError, reports.ReportError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@forms.command("export")
@click.argument("kind", type=click.Choice(list(FORM_KINDS)))
@click.option("--org", "org_code", required=True, help="Mã tổ chức (xuất cả các tổ chức trực thuộc).")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Ngày in ở dòng “Cập nhật đến ngày” (YYYY-MM-DD, mặc định hôm nay).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Tệp .xlsx cần ghi.")
@click.option("--user", "username", default=None, help="Xuất thay mặt người dùng này (giới hạn theo phạm vi).")
def export(kind: str, org_code: str, as_of: dt.datetime | None, output: str, username: str | None) -> None:
    """Xuất biểu mẫu 1 (sites) hoặc 2 (social) của một tổ chức."""
    org, user = find_org(org_code), find_user(username)
    cap = current_app.config["EXPORT_ROW_CAP"] if user is not None else None
    count = write_atomically(output, lambda path: reports.export_form(
        kind, path, org, user, as_of=as_of.date() if as_of else None, cap=cap))
    click.echo(f"Đã xuất {count} dòng ({FORM_KINDS[kind]}) của {org.name} vào {output}")


def register(app: Flask) -> None:
    """The command attaches to ``flask forms`` when this module is imported."""
