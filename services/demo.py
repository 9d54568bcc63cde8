"""The demo dataset: a district, its communes and cells, people and their accounts.

Deterministic (fixed random seed) so screenshots and tests can rely on it. About one
record in twelve is written the way old spreadsheets hold it (missing position or
purpose, a phone that is too short, an e-mail without ``@``) so that the data-quality
filters and reports have something to find.
"""

from __future__ import annotations

import datetime as dt
import random

from flask import Flask

from models import Meeting, Member, Organisation, PartyDocument, Site, SocialAccount, User, normalize
from models.handbook import ProposalList, month_key
from models.member import RoleGrant
from models.party_work import Attendance
from services import audit, members, passwords, policy

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thanh", "Đình", "Mạnh"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Phương", "Hồng", "Mai", "Kim"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Vinh"]
GIVEN_F = ["Anh", "Châu", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngọc", "Oanh", "Thảo", "Trang", "Vân", "Yến"]
POSITIONS = ["Đảng viên", "Bí thư chi bộ", "Phó Bí thư chi bộ", "Chủ tịch UBND xã", "Công chức văn hóa - xã hội",
             "Trưởng thôn", "Giáo viên", "Công an viên", "Cán bộ hưu trí", "Chi hội trưởng Hội Nông dân",
             "Bí thư Đoàn thanh niên", "Công chức địa chính", "Nhân viên y tế", "Kế toán"]
COMMUNES = ["Xã Tân Hưng", "Xã Vĩnh An", "Thị trấn Vĩnh Bảo", "Xã Hiệp Hòa", "Xã Thắng Thủy"]
CELL_NAMES = ["Chi bộ thôn {n}", "Chi bộ thôn Đông {n}", "Chi bộ Trường Tiểu học", "Chi bộ Công an xã", "Chi bộ Quân sự"]
PLATFORM_WEIGHTS = [("Facebook", 55), ("Zalo", 25), ("TikTok", 8), ("YouTube", 7), ("X (Twitter)", 2), ("Instagram", 3)]
PURPOSES = ["Tuyên truyền", "Đấu tranh phản bác", "Trao đổi công việc", "Cá nhân"]

DEMO_ADMIN = "admin"
ADMISSIONS = 9  # three in each of the last three months (see ``_seed_life_events``)


def _ascii(name: str) -> str:
    from models.normalize import fold

    return fold(name).replace(" ", "")


def seed(people: int = 600, rnd_seed: int = 2026) -> dict[str, int]:
    """Fill an empty database with the demo dataset; returns the counts."""
    rnd = random.Random(rnd_seed)
    district = Organisation(code="HU-VB", name="Huyện ủy Vĩnh Bảo", kind="committee", level="city", place="Vĩnh Bảo")
    district.save()
    cells: list[Organisation] = []
    for i, cname in enumerate(COMMUNES, start=1):
        commune = Organisation(code=f"X{i:02d}", name=f"Đảng bộ {cname}", kind="committee", level="commune",
                               parent=district, place="Vĩnh Bảo")
        commune.save()
        for j in range(1, 6):
            template = CELL_NAMES[(j - 1) % len(CELL_NAMES)]
            cell = Organisation(code=f"X{i:02d}-CB{j:02d}", name=template.format(n=j), kind="cell", level="cell",
                                parent=commune, place="Vĩnh Bảo")
            cell.save()
            cells.append(cell)
    today = normalize.today()
    people_seeded: list[Member] = []
    phones: set[str] = set()
    for k in range(max(people - ADMISSIONS, 0)):  # the admissions of the last months make up the rest
        cell = cells[k % len(cells)]
        female = rnd.random() < 0.45
        name = " ".join([rnd.choice(SURNAMES), rnd.choice(MIDDLE_F if female else MIDDLE_M),
                         rnd.choice(GIVEN_F if female else GIVEN_M)])
        phone = None
        while phone is None or phone in phones:
            phone = "09" + "".join(str(rnd.randint(0, 9)) for _ in range(8))
        phones.add(phone)
        admission = today - dt.timedelta(days=rnd.randint(400, 40 * 365))
        m = Member(full_name=name, organisation=cell, position=rnd.choice(POSITIONS), gender="nu" if female else "nam",
                   date_of_birth=admission - dt.timedelta(days=rnd.randint(18 * 365, 30 * 365)),
                   admission_date=admission, official_date=admission + dt.timedelta(days=365),
                   party_card_number=f"{79000000 + k:08d}", phone=phone,
                   email=f"{_ascii(name)}{k}@gmail.com" if rnd.random() < 0.6 else None,
                   is_party_member=rnd.random() > 0.05)
        legacy = rnd.random() < 0.04
        if legacy:
            m.position = None
        if k < len(cells) * 2:  # each cell's secretary and deputy, with their terms
            m.role_grants = [RoleGrant(role="bi_thu" if k < len(cells) else "pho_bi_thu", start=dt.date(2020, 10, 1))]
        m.handbook_state = "created" if m.is_party_member else "none"  # the platform already holds them
        members.save(m, audited=False, strict=not legacy)  # the seed is one entry
        people_seeded.append(m)
    n_accounts = n_sites = 0
    for m in people_seeded:
        r = rnd.random()
        count = 0 if r < 0.1 else 1 if r < 0.35 else 2 if r < 0.72 else 3
        used: set[str] = set()
        for _ in range(count):
            platform = rnd.choices([p for p, _ in PLATFORM_WEIGHTS], [w for _, w in PLATFORM_WEIGHTS])[0]
            if platform in used:
                continue
            used.add(platform)
            slug = _ascii(m.full_name) + str(rnd.randint(1, 999))
            url = {"Facebook": f"https://www.facebook.com/{slug}", "Zalo": f"https://zalo.me/{m.phone}",
                   "TikTok": f"https://www.tiktok.com/@{slug}", "YouTube": f"https://www.youtube.com/@{slug}",
                   "X (Twitter)": f"https://twitter.com/{slug}", "Instagram": f"https://www.instagram.com/{slug}"}[platform]
            acc = SocialAccount(member=m, platform=platform, account_name=m.full_name, url=url,
                                registration_phone=m.phone, registration_email=m.email,
                                established_on=today - dt.timedelta(days=rnd.randint(30, 4000)),
                                updated_on=today - dt.timedelta(days=rnd.randint(0, 300)),
                                purpose=rnd.choice(PURPOSES))
            if rnd.random() < 0.06 and platform == "Facebook":
                acc.link_type, acc.admin_role = "page", "Quản trị viên"
                acc.url = f"https://www.facebook.com/groups/{slug}"
            legacy = rnd.random() < 0.08 or not m.position
            if legacy:
                choice = rnd.randint(0, 2)
                if choice == 0:
                    acc.purpose = None
                elif choice == 1:
                    acc.registration_phone = m.phone[:7]
                else:
                    acc.registration_email = "khongco-email"
            acc.created_at = _entered(rnd, today)  # not every demo account is "new this month"
            acc.save_legacy() if legacy else acc.save()
            n_accounts += 1
        if rnd.random() < 0.11:
            slug = _ascii(m.full_name)
            site = Site(member=m, site_name=f"Góc nhỏ của {m.full_name}", domain=f"https://{slug}.blogspot.com",
                        server_location=rnd.choice(["142.250.198.65/Mỹ", "103.97.125.10/Việt Nam"]),
                        registration_email=m.email, established_on=today - dt.timedelta(days=rnd.randint(100, 3000)),
                        expires_on=today + dt.timedelta(days=rnd.randint(-10, 200)) if rnd.random() < 0.5 else None,
                        updated_on=today - dt.timedelta(days=rnd.randint(0, 200)), purpose=rnd.choice(PURPOSES))
            site.created_at = _entered(rnd, today)
            site.save_legacy() if not m.position else site.save()
            n_sites += 1
    n_docs = _seed_party_work(rnd, district, cells, people_seeded, today)
    _seed_life_events(rnd, district, cells, people_seeded, today)
    counts = {"organisations": Organisation.objects.count(), "members": Member.objects.count(),
              "social_accounts": n_accounts, "sites": n_sites, "documents_and_meetings": n_docs}
    audit.record("create", username="demo", collection="demo",
                 detail="Dữ liệu trình diễn: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


def _seed_party_work(rnd: random.Random, district: Organisation, cells: list[Organisation],
                     members: list[Member], today: dt.date) -> int:
    n = 0
    docs = [("1150-CV/HU", "Về việc lập danh sách trang web, blog, tài khoản mạng xã hội của cán bộ, đảng viên", "Công văn"),
            ("85-QĐ/TW", "Quy định về việc cán bộ, đảng viên thiết lập và sử dụng trang thông tin điện tử cá nhân trên Internet, mạng xã hội", "Quy định"),
            ("99-HD/BTGTW", "Hướng dẫn thực hiện Quy định số 85-QĐ/TW", "Hướng dẫn")]
    for number, title, kind in docs:
        PartyDocument(number=number, title=title, doc_type=kind, issuer="Huyện ủy Vĩnh Bảo",
                      issued_on=dt.date(2023, 10, 2), direction="received", organisation=district).save()
        n += 1
    by_cell: dict = {}
    for m in members:
        if m.is_party_member:  # the roll call calls party members only
            by_cell.setdefault(m.organisation.pk, []).append(m)
    for cell in cells[:10]:
        for months_back in (1, 2):
            year, month = divmod(today.year * 12 + today.month - 1 - months_back, 12)
            held = dt.date(year, month + 1, rnd.randint(5, 25))
            attendance = [Attendance(member=m, present=rnd.random() > 0.1, absence_reason="Đi công tác")
                          for m in by_cell.get(cell.pk, [])]
            for a in attendance:
                if a.present:
                    a.absence_reason = None
            Meeting(organisation=cell, held_on=held, kind="regular", topic=f"Sinh hoạt chi bộ tháng {held.month}/{held.year}",
                    attendance=attendance, conclusions="Thống nhất rà soát danh sách tài khoản mạng xã hội.").save()
            n += 1
    return n + _seed_party_work_months(rnd, district, cells, by_cell, today)


def _seed_party_work_months(rnd: random.Random, district: Organisation, cells: list[Organisation],
                            by_cell: dict, today: dt.date) -> int:
    """Issue 14: three months of meetings of every cell (a few cells miss a month), resolutions
    sent down to the communes, a classified registration, a study campaign recorded from
    the roll calls, and tasks in every state."""
    from models import StudyCampaign, StudyRecord, Task
    from models.party_tasks import Evaluation
    from models.party_work import Recipient

    n = 0
    communes = list(Organisation.objects(parent=district).order_by("tree_key"))
    start = dt.datetime(today.year, today.month, 1)
    months = [(start - dt.timedelta(days=28 * k)).replace(day=1) for k in (3, 2, 1)] + [start]
    resolution = PartyDocument(number=f"{rnd.randint(20, 40)}-NQ/HU", doc_type="Nghị quyết", organisation=district,
                               title="Nghị quyết về đẩy mạnh chuyển đổi số trong công tác xây dựng Đảng",
                               issuer="Huyện ủy Vĩnh Bảo", issued_on=months[0] + dt.timedelta(days=2), direction="issued")
    resolution.recipients = [Recipient(organisation=c, sent_on=resolution.issued_on,
                                       received_on=resolution.issued_on + dt.timedelta(days=1) if i % 3 else None)
                             for i, c in enumerate(communes)]
    resolution.save()
    guide = PartyDocument(number=f"{rnd.randint(100, 140)}-HD/HU", doc_type="Hướng dẫn", organisation=district,
                          title="Hướng dẫn định hướng sinh hoạt chi bộ hằng tháng", issuer="Huyện ủy Vĩnh Bảo",
                          issued_on=months[2] + dt.timedelta(days=20), direction="issued")
    guide.recipients = [Recipient(organisation=c, sent_on=guide.issued_on) for c in communes]
    guide.save()
    PartyDocument(number="03-CV/HU", doc_type="Công văn", organisation=district, classification="mat",
                  title="Về công tác bảo vệ chính trị nội bộ (đăng ký văn bản mật, không lưu nội dung)",
                  issuer="Ban Tổ chức Tỉnh ủy", issued_on=months[1] + dt.timedelta(days=5), direction="received").save()
    report = PartyDocument(number="15-BC/ĐU", doc_type="Báo cáo", organisation=communes[0], issuer=communes[0].name,
                           title="Báo cáo kết quả sinh hoạt chi bộ và học tập nghị quyết", direction="issued",
                           issued_on=months[2] + dt.timedelta(days=27))
    report.recipients = [Recipient(organisation=district, sent_on=report.issued_on)]
    report.save()
    n += 4
    campaign = StudyCampaign(organisation=district, document=resolution, title="Học tập, quán triệt "
                             + resolution.number, starts_on=resolution.issued_on, ends_on=start + dt.timedelta(days=27))
    campaign.save()
    for c_i, cell in enumerate(cells):
        people = by_cell.get(cell.pk, [])
        for m_i, month in enumerate(months):
            if (c_i + m_i) % 9 == 4:  # this cell did not meet that month
                continue
            held = month + dt.timedelta(days=rnd.randint(4, 20))
            if held.date() > today:
                continue
            lines = []
            for p in people:
                r = rnd.random()
                lines.append(Attendance(member=p, present=r > 0.12, absence_kind=None if r > 0.12 else
                                        ("excused" if r > 0.03 else "unexcused"),
                                        absence_reason="Đi công tác" if 0.03 < r <= 0.12 else None))
            meeting = Meeting(organisation=cell, held_on=held, kind="regular",
                              topic=f"Sinh hoạt chi bộ thường kỳ tháng {held.month}/{held.year}",
                              agenda="1. Đánh giá kết quả thực hiện nhiệm vụ tháng\n2. Phương hướng nhiệm vụ tháng tới",
                              discussion="Các đồng chí đảng viên phát biểu ý kiến về nhiệm vụ của chi bộ.",
                              conclusions="1. Hoàn thành rà soát tài khoản mạng xã hội.\n2. Đôn đốc học tập nghị quyết.",
                              attendance=lines)
            if m_i == 1 and c_i % 2 == 0:
                meeting.kind, meeting.topic = "thematic", f"Sinh hoạt chuyên đề: học tập {resolution.number}"
            meeting.save()
            n += 1
            if meeting.kind == "thematic":
                for a in lines:
                    if a.present:
                        StudyRecord(campaign=campaign, member=a.member, studied_on=held, way="meeting",
                                    meeting=meeting).save()
        for t_i, title in enumerate(["Rà soát, cập nhật tài khoản mạng xã hội của đảng viên",
                                     "Tuyên truyền nghị quyết đến hộ gia đình", "Thu, nộp đảng phí quý"]):
            due = start + dt.timedelta(days=rnd.randint(-50, 25))
            past = due.date() < today
            status = ("done" if rnd.random() < 0.8 else "doing") if past else rnd.choice(["done", "doing", "todo"])
            task = Task(organisation=cell, assigned_by=cell.parent, title=title, due_on=due,
                        member=people[t_i] if t_i < len(people) and t_i != 2 else None,
                        starts_on=due - dt.timedelta(days=30), status=status,
                        completed_on=due + dt.timedelta(days=rnd.randint(-5, 4)) if status == "done" else None,
                        result="Đã hoàn thành theo kế hoạch." if status == "done" else None)
            if past:
                task.evaluations = [Evaluation(month=f"{due.year}-{due.month:02d}",
                                               note="Hoàn thành tốt." if status == "done" else "Cần đôn đốc.")]
            task.save()
            n += 1
    return n


def _entered(rnd: random.Random, today: dt.date) -> dt.datetime:
    """When a demo record entered the register: mostly long ago, a few in the last months."""
    days = rnd.randint(0, 90) if rnd.random() < 0.06 else rnd.randint(91, 1500)
    return dt.datetime.combine(today - dt.timedelta(days=days), dt.time(9))


def _month_day(today: dt.date, back: int, day: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return dt.date(year, month + 1, min(day, 28))


def _seed_life_events(rnd: random.Random, district: Organisation, cells: list[Organisation],
                      seeded: list[Member], today: dt.date) -> None:
    """Admissions, deaths and transfers over the last three months, so that the monthly
    movement report, the proposal list and the transfer screens have something to show."""
    from services import lifecycle, reports

    acting = reports.OrgPrincipal(district, role=policy.ADMIN)
    party = [m for m in seeded if m.is_party_member and m.position and not m.role_grants]  # not the role holders
    if len(party) < 7:  # a very small demo: no deaths or transfers
        party = []
    for back in (2, 1, 0):
        day = _month_day(today, back, 10)
        for n in range(3):  # admissions: the platform account is proposed automatically
            cell = cells[(back * 7 + n * 3) % len(cells)]
            members.save(Member(full_name=f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE_M)} {rnd.choice(GIVEN_M)}",
                                organisation=cell, position="Đảng viên dự bị", admission_date=day, joined_on=day,
                                created_at=day, gender="nam",
                                date_of_birth=day - dt.timedelta(days=rnd.randint(20 * 365, 35 * 365))), audited=False)
        if not party:
            continue
        dead = party.pop(rnd.randrange(len(party)))  # a death: deletion proposed
        lifecycle.leave(dead, "deceased", _month_day(today, back, 15), "Từ trần", acting)
        mover = party.pop(rnd.randrange(len(party)))  # a transfer to another commune, accepted
        target = rnd.choice([c for c in cells if c.scope[1] != mover.scope[1]])
        order = lifecycle.send(mover, target.parent, _month_day(today, back, 18), f"{30 + back}-QĐ/ĐU", None, acting)
        lifecycle.accept(order, target, acting)
        order.update(set__decided_at=dt.datetime.combine(_month_day(today, back, 20), dt.time(9)))
    if party:  # one transfer still waiting for the first commune (its officer xa01 sees it)
        waiting = party.pop()
        first = next(c for c in cells if c.scope[1] != waiting.scope[1]).parent
        lifecycle.send(waiting, first, today, "41-QĐ/ĐU", None, acting)
    for commune in Organisation.objects(parent=district)[:3]:  # last month's list sent by three communes
        ProposalList(organisation=commune, scope=list(commune.scope), month=month_key(_month_day(today, 1, 1)),
                     sent_at=dt.datetime.combine(_month_day(today, 1, 28), dt.time(9)), sent_by="demo").save()


def seed_at_start(app: Flask, people: int = 600) -> str | None:
    """Demo mode: seed an empty register and print the administrator password (returned; None
    when the register already holds data: ``make run`` seeds its kept data the first time only)."""
    with app.app_context():
        if Organisation.objects.count():
            return None
        seed(people=app.config.get("DEMO_PEOPLE", people))
        password = passwords.generate()
        user = User(username=DEMO_ADMIN, full_name="Quản trị trình diễn",
                    organisation=Organisation.objects(code="HU-VB").first(), role=policy.ADMIN)
        user.set_password(password)
        user.save()
        officer = User(username="xa01", full_name="Cán bộ Xã Tân Hưng",
                       organisation=Organisation.objects(code="X01").first(), role=policy.OFFICER)
        officer.set_password(password)
        officer.save()
        app.logger.warning("Demo mode")
        print(f"\n  Chế độ trình diễn — đăng nhập: {DEMO_ADMIN} / {password}  (cán bộ xã: xa01 / {password})\n",
              flush=True)
        return password
