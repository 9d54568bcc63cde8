"""``flask members import FILE --org CODE [--dry-run] [--json] [--resolve KEY=CHOICE …] [--expect FINGERPRINT]`` and
``flask members export --org CODE -o FILE``: the member roster in and out, with the same
JSON contract and exit codes as ``flask forms import``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from imports import roster
from services import lists

from .forms_export import find_org, find_user, write_atomically
from .forms_import import _Unusable, expect_option, print_rows, resolve_option, run_file

members = AppGroup("members", help="Danh sách cán bộ, đảng viên: nhập, xuất Excel.")


@members.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--org", "org_code", required=True, help="Mã tổ chức nhận dữ liệu (ví dụ: X01).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và báo cáo, không ghi gì vào cơ sở dữ liệu.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@resolve_option
@expect_option
def import_roster(path: str, org_code: str, dry_run: bool, as_json: bool, resolves: tuple[str, ...],
                  expect: str | None) -> None:
    """Nhập danh sách cán bộ, đảng viên từ tệp Excel PATH vào tổ chức --org."""
    try:
        org = find_org(org_code)
    except click.ClickException as exc:
        raise _Unusable(exc.message) from None
    summary = run_file(path, org, dry_run, as_json, resolves, expect, lambda data, chosen, expected: roster.run(
        data, org, dry_run=dry_run, resolutions=chosen, expected=expected))
    if summary is None:
        return
    head = "Kiểm tra (không ghi)" if dry_run else "Đã nhập"
    click.echo(f"{head} danh sách cán bộ, đảng viên vào {org.name}: {summary.rows} dòng — thêm mới {summary.created}, "
               f"cập nhật {summary.updated}, không đổi {summary.unchanged}, bị từ chối {summary.rejected}.")
    print_rows(summary)


@members.command("export")
@click.option("--org", "org_code", required=True, help="Mã tổ chức (xuất cả các tổ chức trực thuộc).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Tệp .xlsx cần ghi.")
@click.option("--user", "username", default=None, help="Xuất thay mặt người dùng này (giới hạn theo phạm vi).")
def export_roster(org_code: str, output: str, username: str | None) -> None:
    """Xuất danh sách cán bộ, đảng viên của một tổ chức."""
    org, user = find_org(org_code), find_user(username)
    count = write_atomically(output, lambda path: lists.export_list("roster", path, org, user))
    click.echo(f"Đã xuất {count} người của {org.name} vào {output}")


def register(app: Flask) -> None:
    app.cli.add_command(members)
