"""``flask users …``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from mongoengine.errors import NotUniqueError, ValidationError

from models import Organisation, User
from services import passwords, policy, records

users = AppGroup("users", help="Quản lý tài khoản người dùng.")


@users.command("create")
@click.argument("username")
@click.option("--org", "org_code", required=True, help="Mã tổ chức của người dùng.")
@click.option("--role", type=click.Choice(policy.ALL_ROLES), required=True)
@click.option("--password", prompt="Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
@click.option("--full-name", default=None)
def create(username: str, org_code: str, role: str, password: str, full_name: str | None) -> None:
    """Tạo tài khoản USERNAME."""
    org = Organisation.objects(code=org_code.upper()).first()
    if org is None:
        raise click.ClickException(f"Không tìm thấy tổ chức mã {org_code}.")
    problem = passwords.problem(password, username)
    if problem:
        raise click.ClickException(problem)
    user = User(username=username, organisation=org, role=role, full_name=full_name)
    user.set_password(password)
    try:
        records.save(user, username=records.CLI, detail=f"flask users create {user.username}")
    except NotUniqueError:
        raise click.ClickException(f"Tên đăng nhập {username} đã tồn tại.") from None
    except ValidationError:
        raise click.ClickException("Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu . _ - (3–64 ký tự).") from None
    click.echo(f"Đã tạo tài khoản {user.username} ({role}) thuộc {org.name}.")


@users.command("deactivate")
@click.argument("username")
def deactivate(username: str) -> None:
    """Khóa tài khoản USERNAME (mọi phiên đăng nhập bị chấm dứt)."""
    user = User.objects(username=username.lower()).first()
    if user is None:
        raise click.ClickException(f"Không tìm thấy tài khoản {username}.")
    user.active = False
    user.session_token = passwords.new_token()
    user.save()
    click.echo(f"Đã khóa tài khoản {user.username}.")


def register(app: Flask) -> None:
    app.cli.add_command(users)
