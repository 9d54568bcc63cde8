"""Party documents (outgoing and incoming) and meetings screens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bson import ObjectId
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from mongoengine import ValidationError
from mongoengine.fields import GridFSProxy
from wtforms import MultipleFileField, TextAreaField
from wtforms import ValidationError as FieldError

from models import Member, Organisation, normalize
from models.party_work import (
    ABSENCE_KINDS,
    CLASSIFICATIONS,
    CLASSIFIED_NOTE,
    DIRECTIONS,
    DOC_TYPES,
    MEETING_KINDS,
    Attendance,
    attachment_type,
)
from services import party_docs, party_study, policy, records, scope
from services.party_reports import ReportError, campaigns

from .accounts import ListExportMixin
from .base import SecuredModelView
from .filters import ChoiceFilter, OrgSubtreeFilter, date_range

_ORG = {"organisation": {"fields": ["search_keys"], "placeholder": "Gõ tên tổ chức"}}
_HEAD = 16
UPLOAD_HELP = "PDF, Word, Excel, ảnh JPG/PNG; tối đa 10 MB mỗi tệp."


def _check_uploads(form: Any, field: Any) -> None:
    for storage in field.data or []:
        if not getattr(storage, "filename", ""):
            continue
        head = storage.stream.read(_HEAD)
        storage.stream.seek(0, 2)
        size = storage.stream.tell()
        storage.stream.seek(0)
        try:
            storage.content_type_checked = attachment_type(head, storage.filename, size)
        except normalize.NormalizeError as exc:
            raise FieldError(str(exc)) from None


def _checked_uploads(form: Any) -> list[Any]:
    return [s for s in (getattr(form, "upload", None) and form.upload.data or [])
            if getattr(s, "content_type_checked", None)]


def _store_uploads(uploads: list[Any], model: Any) -> None:
    for storage in uploads:
        proxy = GridFSProxy(collection_name="attachments")
        # PyMongo 4 deprecates GridFS contentType: the type goes into metadata
        proxy.put(storage.stream, filename=normalize.text(storage.filename),
                  metadata={"content_type": storage.content_type_checked})
        model.attachments.append(proxy)


def _attachment_links(view: Any, context: Any, model: Any, name: str) -> Markup:
    links = []
    for proxy in model.attachments:
        url = url_for(".api_file_view", id=str(proxy.grid_id), coll="attachments")
        links.append(Markup('<a href="{0}">{1}</a>').format(url, proxy.filename or "tệp"))
    return Markup("<br>").join(links)


def _multiline(view: Any, context: Any, model: Any, name: str) -> Markup:
    return Markup("<br>").join((getattr(model, name) or "").splitlines())


def _recipients_short(view: Any, context: Any, model: Any, name: str) -> str:
    if not model.recipient_count:
        return ""
    return f"{model.recipient_count} nơi nhận, {model.received_count} đã nhận"


def _recipients_detail(view: Any, context: Any, model: Any, name: str) -> Markup:
    rows = [Markup("<tr><td>{0}</td><td>{1}</td><td>{2}</td><td>{3}</td></tr>").format(
        r.org_name, normalize.format_day(r.sent_on), normalize.format_day(r.received_on) or "chưa nhận",
        normalize.format_day(r.read_on) or "chưa đọc") for r in model.recipients]
    table = Markup('<table class="table table-sm table-bordered mb-1 doc-recipients"><thead><tr><th>Nơi nhận</th>'
                   '<th>Ngày gửi</th><th>Đã nhận</th><th>Đã đọc</th></tr></thead><tbody>{0}</tbody></table>').format(
        Markup("").join(rows)) if rows else Markup("<p class='mb-1'>Chưa gửi đơn vị nào.</p>")
    if view.endpoint == "partydocument" and view.has_change_permission(current_user, model):
        table += Markup('<a class="btn btn-sm btn-primary" href="{0}">Gửi văn bản…</a>').format(
            url_for(".send_view", id=model.pk))
    return table


class _DocumentAccess:
    """Shared by the outgoing and incoming lists: classified rules, audited openings."""

    def get_one(self, id: Any) -> Any:
        doc = super().get_one(id)
        if request.endpoint and request.endpoint.rsplit(".", 1)[-1] in ("details_view", "edit_view"):
            party_docs.audit_opening(doc)
        return doc

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        """A document is seen by its issuing subtree and its addressees (classified: see
        :func:`services.party_docs.may_open`)."""
        if not super().has_view_permission(user):
            return False
        return obj is None or party_docs.may_open(user, obj)


class PartyDocumentView(_DocumentAccess, ListExportMixin, SecuredModelView):
    """"Văn bản đi": documents issued by the units of the user's subtree."""

    export_kind = "documents"

    column_list = ["number", "title", "doc_type", "issued_on", "classification", "org_name", "recipients"]
    column_details_list = ["number", "title", "doc_type", "issuer", "issued_on", "classification", "direction",
                           "org_name", "recipients", "attachments", "modified_at"]
    column_labels = {"number": "Số/ký hiệu", "title": "Trích yếu", "doc_type": "Loại văn bản",
                     "issuer": "Nơi gửi, cơ quan ban hành", "issued_on": "Ngày ban hành", "direction": "Chiều",
                     "org_name": "Đơn vị ban hành", "organisation": "Đơn vị ban hành", "attachments": "Tệp đính kèm",
                     "modified_at": "Sửa lần cuối", "upload": "Thêm tệp đính kèm", "classification": "Độ mật",
                     "recipients": "Nơi nhận"}
    column_formatters = {"recipients": _recipients_short}
    column_formatters_detail = {"attachments": _attachment_links, "recipients": _recipients_detail}
    column_sortable_list = ["number", "issued_on", "doc_type"]
    column_default_sort = ("issued_on", True)
    column_filters = [OrgSubtreeFilter(), ChoiceFilter("doc_type", "Loại văn bản", [(t, t) for t in DOC_TYPES]),
                      ChoiceFilter("classification", "Độ mật", CLASSIFICATIONS),
                      ChoiceFilter("direction", "Chiều", DIRECTIONS), *date_range("issued_on", "Ngày ban hành")]
    form_columns = ["number", "title", "doc_type", "issuer", "issued_on", "classification", "direction",
                    "organisation", "upload"]
    form_extra_fields = {"upload": MultipleFileField(
        "Thêm tệp đính kèm", validators=[_check_uploads],
        description=UPLOAD_HELP + " Văn bản có độ mật: không đính kèm tệp, chỉ đăng ký số, ngày, trích yếu, nơi gửi.")}
    form_args = {"doc_type": {"description": "Ví dụ: " + ", ".join(DOC_TYPES[:5])},
                 "classification": {"description": CLASSIFIED_NOTE}}
    form_ajax_refs = _ORG

    def get_query(self) -> Any:
        return party_docs.outgoing(current_user)

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        uploads = _checked_uploads(form)
        if model.classified and (uploads or model.attachments):
            raise ValidationError(f"Không nhận tệp đính kèm. {CLASSIFIED_NOTE}")
        _store_uploads(uploads, model)

    @expose("/send/", methods=("GET", "POST"))
    def send_view(self) -> Any:
        """Send the document to the units below (all at once, or some) or to the unit above."""
        doc = self.get_one(request.args.get("id", ""))
        if not self.has_change_permission(current_user, doc):
            abort(403)
        where = party_docs.targets(current_user, doc)
        if request.method == "POST":
            below = {str(o.pk): o for o in where["below"]}
            above = {str(o.pk): o for o in where["above"]}
            chosen = list(below.values()) if request.form.get("all_below") == "1" else []
            for raw in request.form.getlist("to"):
                target = below.get(raw) or above.get(raw)
                if target is None:
                    abort(400)
                if target not in chosen:
                    chosen.append(target)
            if not chosen:
                flash("Hãy chọn ít nhất một nơi nhận.", "error")
            else:
                n = party_docs.send(doc, chosen, current_user)
                flash(f"Đã gửi văn bản đến {n} đơn vị." if n else "Các đơn vị đã chọn đều đã nhận văn bản này.",
                      "success")
                return redirect(url_for(".details_view", id=doc.pk))
        return self.render("party/send.html", doc=doc, below=where["below"], above=where["above"],
                           sent=set(doc.recipient_ids or []))


def _my_state(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The user's unit's copy: read, received, or a button to acknowledge receipt."""
    rec = model.recipient(scope.scope_root(current_user))
    if rec is None:
        return Markup("")
    if rec.read_on:
        return Markup('<span class="badge badge-success">Đã đọc {0}</span>').format(normalize.format_day(rec.read_on))
    if rec.received_on:
        return Markup('<span class="badge badge-info">Đã nhận {0}</span>').format(normalize.format_day(rec.received_on))
    badge = Markup('<span class="badge badge-warning">Chưa nhận</span>')
    if not policy.can(current_user, policy.WORK):
        return badge
    return badge + Markup(
        '<form method="post" action="{0}" class="d-inline ml-1"><input type="hidden" name="csrf_token" value="{1}">'
        '<input type="hidden" name="id" value="{2}"><button class="btn btn-sm btn-outline-primary py-0" '
        'type="submit">Đã nhận</button></form>').format(url_for(".receive_view"), generate_csrf(), model.pk)


class IncomingDocumentView(_DocumentAccess, SecuredModelView):
    """"Văn bản đến": documents sent to the user's own unit, and nothing else."""

    column_list = ["number", "title", "doc_type", "issued_on", "classification", "org_name", "state"]
    column_details_list = ["number", "title", "doc_type", "issuer", "issued_on", "classification", "org_name",
                           "state", "attachments"]
    column_labels = {**PartyDocumentView.column_labels, "org_name": "Đơn vị gửi", "state": "Tình trạng"}
    column_formatters = {"state": _my_state}
    column_formatters_detail = {"attachments": _attachment_links, "state": _my_state}
    column_sortable_list = ["number", "issued_on"]
    column_default_sort = ("issued_on", True)
    column_filters = [ChoiceFilter("doc_type", "Loại văn bản", [(t, t) for t in DOC_TYPES]),
                      ChoiceFilter("classification", "Độ mật", CLASSIFICATIONS), *date_range("issued_on", "Ngày ban hành")]

    can_create = can_edit = can_delete = False  # type: ignore[assignment]

    def has_change_permission(self, user: Any, obj: Any = None) -> bool:
        return False

    def get_query(self) -> Any:
        return party_docs.incoming(current_user)

    def get_actions_list(self) -> Any:
        return [], {}

    @expose("/details/")
    def details_view(self) -> Any:
        raw = request.args.get("id", "")
        doc = self.get_query().filter(pk=raw).first() if ObjectId.is_valid(raw) else None
        if doc is not None and policy.can(current_user, policy.WORK):
            party_docs.mark(doc, scope.scope_root(current_user), "read_on", current_user)
        return super().details_view()  # loads it again through get_one: 404, or the audited opening

    @expose("/receive/", methods=("POST",))
    def receive_view(self) -> Any:
        """The receiving unit's officer acknowledges receipt."""
        doc = self.get_one(request.form.get("id", ""))
        if not policy.can(current_user, policy.WORK):
            abort(403)
        if party_docs.mark(doc, scope.scope_root(current_user), "received_on", current_user):
            flash(f"Đã ghi nhận: đơn vị đã nhận văn bản {doc.number}.", "success")
        return redirect(url_for(".index_view"))


# --- meetings ---------------------------------------------------------------------------------

def _attendance_short(view: Any, context: Any, model: Any, name: str) -> str:
    # the stored counts: the list reads no attendee and no member
    return f"{model.present_count}/{model.member_count} có mặt" if model.member_count else "chưa điểm danh"


def _attendance_detail(view: Any, context: Any, model: Any, name: str) -> Markup:
    kinds = dict(ABSENCE_KINDS)
    lines = [f"{a.member_name}: có mặt" if a.present
             else f"{a.member_name}: {kinds.get(a.absence_kind, 'vắng').lower()}"
             + (f" ({a.absence_reason})" if a.absence_reason else "") for a in model.attendance]
    summary = (f"Có mặt {model.present_count}/{model.member_count}; vắng có lý do {model.excused_count}, "
               f"vắng không lý do {model.unexcused_count}") if model.member_count else "Chưa điểm danh."
    return Markup("{0}<br>{1}<br>{2}").format(
        summary, Markup("<br>").join(lines),
        Markup('<a class="btn btn-sm btn-outline-primary mt-1" href="{0}">Điểm danh…</a>').format(
            url_for(".attendance_view", id=model.pk)))


def _study_detail(view: Any, context: Any, model: Any, name: str) -> Markup:
    """One click: every member present at this meeting has studied the chosen resolution."""
    found = party_study.campaigns_for_meeting(model, current_user)
    if not found:
        return Markup('<span class="text-muted">Không có đợt học tập nghị quyết nào đang triển khai cho đơn vị này.</span>')
    if not view.has_change_permission(current_user, model):
        return Markup("")
    options = Markup("").join(Markup('<option value="{0}">{1}</option>').format(c.pk, c.title) for c in found)
    return Markup(
        '<form method="post" action="{0}" class="form-inline study-from-meeting">'
        '<input type="hidden" name="csrf_token" value="{1}"><input type="hidden" name="id" value="{2}">'
        '<select name="campaign" class="form-control form-control-sm mr-2" aria-label="Đợt học tập">{3}</select>'
        '<button type="submit" class="btn btn-sm btn-success">Ghi nhận người có mặt đã học tập</button></form>'
    ).format(url_for(".study_view"), generate_csrf(), model.pk, options)


class MeetingView(ListExportMixin, SecuredModelView):
    export_kind = "meetings"
    column_list = ["held_on", "kind", "topic", "org_name", "attendance"]
    column_details_list = ["held_on", "kind", "topic", "org_name", "agenda", "attendance", "discussion",
                           "conclusions", "attachments", "study"]
    column_labels = {"held_on": "Ngày họp", "kind": "Loại", "topic": "Chủ đề", "org_name": "Tổ chức",
                     "organisation": "Tổ chức", "agenda": "Chương trình, nội dung", "attendance": "Điểm danh",
                     "discussion": "Tóm tắt thảo luận", "conclusions": "Kết luận",
                     "attachments": "Biên bản, tệp đính kèm", "upload": "Thêm biên bản, tệp đính kèm",
                     "study": "Học tập nghị quyết"}
    column_formatters = {"attendance": _attendance_short}
    column_formatters_detail = {"attendance": _attendance_detail, "agenda": _multiline, "discussion": _multiline,
                                "conclusions": _multiline, "attachments": _attachment_links, "study": _study_detail}
    column_sortable_list = ["held_on", "kind"]
    column_default_sort = ("held_on", True)
    column_filters = [OrgSubtreeFilter(), ChoiceFilter("kind", "Loại", MEETING_KINDS), *date_range("held_on", "Ngày họp")]
    form_columns = ["organisation", "held_on", "kind", "topic", "agenda", "discussion", "conclusions", "upload"]
    form_extra_fields = {"upload": MultipleFileField("Thêm biên bản, tệp đính kèm", validators=[_check_uploads],
                                                     description=UPLOAD_HELP)}
    form_args = {"agenda": {"description": "Mỗi mục một dòng."},
                 "kind": {"description": "Họp Ban Thường vụ, Hội nghị Ban Chấp hành: chỉ ở đảng bộ."}}
    form_widget_args = {"agenda": {"rows": 5}, "discussion": {"rows": 6}, "conclusions": {"rows": 6}}
    # multi-line texts: a text area, not the one-line input a StringField with max_length gets
    form_overrides = {"agenda": TextAreaField, "discussion": TextAreaField, "conclusions": TextAreaField}
    form_ajax_refs = _ORG

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        _store_uploads(_checked_uploads(form), model)

    @expose("/attendance/", methods=("GET", "POST"))
    def attendance_view(self) -> Any:
        """Roll call of the party members of the meeting's organisation (non-party people are
        not called): present, absent with a reason, or absent without one."""
        meeting = self.get_one(request.args.get("id", ""))
        people = list(scope.in_subtree(Member, meeting.organisation, current_user)
                      .filter(status="active", is_party_member=True)
                      .only("full_name", "org_name", "sort_key", "org_key", "is_party_member", "organisation")
                      .order_by("org_key", "sort_key"))
        current = {a.member.pk: a for a in meeting.attendance if a.member is not None}
        if request.method == "POST":
            if not self.has_change_permission(current_user, meeting):
                abort(403)
            lines = []
            for p in people:
                state = request.form.get(f"status_{p.pk}", "present")
                if state not in ("present", "excused", "unexcused"):
                    abort(400)
                lines.append(Attendance(member=p, present=state == "present",
                                        absence_kind=None if state == "present" else state,
                                        absence_reason=normalize.text(request.form.get(f"reason_{p.pk}"))))
            before = f"{meeting.present_count}/{meeting.member_count}"
            meeting.attendance = lines
            try:
                records.save(meeting, by=current_user, detail="Điểm danh", changes=[
                    {"field": "attendance", "before": before, "after": f"{sum(1 for a in lines if a.present)}/{len(lines)}"}])
            except ValidationError as exc:
                flash("; ".join(str(v) for v in (exc.to_dict() or {}).values()) or exc.message, "error")
                current = {a.member.pk: a for a in lines}
            else:
                flash("Đã lưu điểm danh.", "success")
                return redirect(url_for(".details_view", id=meeting.pk))
        return self.render("meetings/attendance.html", meeting=meeting, people=people, current=current,
                           absence_kinds=ABSENCE_KINDS)

    @expose("/study/", methods=("POST",))
    def study_view(self) -> Any:
        meeting = self.get_one(request.form.get("id", ""))
        if not self.has_change_permission(current_user, meeting):
            abort(403)
        raw = request.form.get("campaign", "")
        campaign = campaigns(current_user).filter(pk=raw).first() if ObjectId.is_valid(raw) else None
        if campaign is None:
            abort(404)
        try:
            n = party_study.record_from_meeting(campaign, meeting, current_user)
        except ReportError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Đã ghi nhận {n} đảng viên học tập “{campaign.title}” tại buổi sinh hoạt này." if n
                  else "Những người có mặt đều đã được ghi nhận học tập trước đó.", "success")
        return redirect(url_for(".details_view", id=meeting.pk))


def month_arg(today: dt.date | None = None) -> tuple[int, int]:
    """``?month=yyyy-mm`` (default: this month); a malformed value is refused with 400."""
    today = today or normalize.today()
    raw = request.args.get("month", "")
    if not raw:
        return today.year, today.month
    try:
        year, month = (int(x) for x in raw.split("-", 1))
    except ValueError:
        abort(400)
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        abort(400)
    return year, month


__all__ = ["IncomingDocumentView", "MeetingView", "Organisation", "PartyDocumentView", "month_arg"]
