"""``flask reports annual|monthly|quality --org CODE …``: the reports committees send upward."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask
from flask.cli import AppGroup

from models import normalize
from services import reports as service

from .forms_export import find_org, find_user, write_atomically

reports = AppGroup("reports", help="Báo cáo: tổng hợp hằng năm, biến động hằng tháng, chất lượng dữ liệu.")

_ORG = click.option("--org", "org_code", required=True, help="Mã tổ chức (báo cáo cho tổ chức và các đơn vị trực thuộc).")
_OUT = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Tệp .xlsx cần ghi.")
_USER = click.option("--user", "username", default=None, help="Lập báo cáo thay mặt người dùng này.")


def _run(kind: str, org_code: str, output: str, username: str | None, **options: object) -> None:
    org, user = find_org(org_code), find_user(username)
    write_atomically(output, lambda path: service.export_report(kind, path, org, user, **options))
    click.echo(f"Đã lập báo cáo “{service.REPORT_KINDS[kind]}” của {org.name} vào {output}")


@reports.command("annual")
@_ORG
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Tính đến ngày (YYYY-MM-DD, mặc định hôm nay).")
@_OUT
@_USER
def annual(org_code: str, as_of: dt.datetime | None, output: str, username: str | None) -> None:
    """Số người, trang web/blog và tài khoản mạng xã hội theo nền tảng của từng đơn vị."""
    _run("annual", org_code, output, username, as_of=as_of.date() if as_of else None)


@reports.command("monthly")
@_ORG
@click.option("--month", type=click.DateTime(formats=["%Y-%m"]), default=None,
              help="Tháng báo cáo (YYYY-MM, mặc định tháng này).")
@_OUT
@_USER
def monthly(org_code: str, month: dt.datetime | None, output: str, username: str | None) -> None:
    """Người và tài khoản thêm mới, xóa trong tháng, theo đơn vị, kèm danh sách và lý do."""
    month = month or normalize.today_stored()
    _run("monthly", org_code, output, username, year=month.year, month=month.month)


@reports.command("quality")
@_ORG
@_OUT
@_USER
def quality(org_code: str, output: str, username: str | None) -> None:
    """Hồ sơ thiếu trường bắt buộc hoặc sai định dạng, theo đơn vị."""
    _run("quality", org_code, output, username)


def register(app: Flask) -> None:
    app.cli.add_command(reports)
