"""Small builders for test data: two sibling communes under one district."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models import Member, Organisation, Site, SocialAccount, User
from services import config, members

PASSWORD = "Mat-khau-thu-nghiem-2026"
TEST_HASH_METHOD = config.TEST_HASH_METHOD  # built outside any app context: say the cheap scheme


def org(code: str, name: str, parent: Organisation | None = None, kind: str | None = None) -> Organisation:
    o = Organisation(code=code, name=name, parent=parent, kind=kind or ("committee" if parent is None else "cell"),
                     place="Vĩnh Bảo")
    o.save()
    return o


def member(cell: Organisation, name: str = "Nguyễn Văn An", **kw: object) -> Member:
    kw.setdefault("position", "Đảng viên")
    m = Member(full_name=name, organisation=cell, **kw)
    members.save(m, audited=False)  # test data: the handbook rules as every writer, no audit entry
    return m


def account(owner: Member, url: str = "https://www.facebook.com/nguyenvanan", **kw: object) -> SocialAccount:
    kw.setdefault("platform", "Facebook")
    kw.setdefault("account_name", owner.full_name)
    kw.setdefault("purpose", "Tuyên truyền")
    a = SocialAccount(member=owner, url=url, **kw)
    a.save()
    return a


def site(owner: Member, domain: str = "nguyenvanan.blogspot.com", **kw: object) -> Site:
    kw.setdefault("site_name", "Blog cá nhân")
    kw.setdefault("purpose", "Tuyên truyền")
    s = Site(member=owner, domain=domain, **kw)
    s.save()
    return s


def user(username: str, organisation: Organisation, role: str = "officer", password: str = PASSWORD) -> User:
    u = User(username=username, organisation=organisation, role=role)
    u.set_password(password, method=TEST_HASH_METHOD)
    u.save()
    return u


@dataclass
class World:
    """District HU with communes A and B; each has one cell with one member and account."""

    district: Organisation
    commune_a: Organisation
    commune_b: Organisation
    cell_a: Organisation
    cell_b: Organisation
    member_a: Member
    member_b: Member
    account_a: SocialAccount
    account_b: SocialAccount
    site_a: Site
    site_b: Site


def world() -> World:
    district = org("HU", "Huyện ủy Vĩnh Bảo")
    commune_a = org("XA", "Đảng bộ xã An Hòa", district, "committee")
    commune_b = org("XB", "Đảng bộ xã Bình Minh", district, "committee")
    cell_a = org("XA-1", "Chi bộ thôn 1", commune_a)
    cell_b = org("XB-1", "Chi bộ thôn Đông", commune_b)
    member_a = member(cell_a, "Nguyễn Văn An", phone="0912345678", email="an@example.com")
    member_b = member(cell_b, "Trần Thị Bình", phone="0987654321")
    account_a = account(member_a, "https://www.facebook.com/nguyenvanan", established_on=dt.date(2020, 5, 1))
    account_b = account(member_b, "https://www.facebook.com/tranthibinh")
    site_a = site(member_a, "nguyenvanan.blogspot.com")
    site_b = site(member_b, "tranthibinh.vn")
    return World(district, commune_a, commune_b, cell_a, cell_b, member_a, member_b,
                 account_a, account_b, site_a, site_b)
