"""Party documents and meetings screens."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup
from mongoengine import ValidationError
from mongoengine.fields import GridFSProxy
from wtforms import MultipleFileField
from wtforms import ValidationError as FieldError
from wtforms.widgets import TextArea

from models import Member, normalize
from models.party_work import DIRECTIONS, DOC_TYPES, MEETING_KINDS, Attendance, attachment_type
from services import audit, scope

from .accounts import ListExportMixin
from .base import SecuredModelView
from .filters import ChoiceFilter, OrgSubtreeFilter, date_range

_ORG = {"organisation": {"fields": ["search_keys"], "placeholder": "Gõ tên tổ chức"}}
_HEAD = 16


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


def _attachment_links(view: Any, context: Any, model: Any, name: str) -> Markup:
    links = []
    for proxy in model.attachments:
        url = url_for(".api_file_view", id=str(proxy.grid_id), coll="attachments")
        links.append(Markup('<a href="{0}">{1}</a>').format(url, proxy.filename or "tệp"))
    return Markup("<br>").join(links)


class PartyDocumentView(ListExportMixin, SecuredModelView):
    export_kind = "documents"
    column_list = ["number", "title", "doc_type", "issuer", "issued_on", "direction", "org_name"]
    column_details_list = [*column_list, "attachments", "modified_at"]
    column_labels = {"number": "Số/ký hiệu", "title": "Trích yếu", "doc_type": "Loại văn bản",
                     "issuer": "Cơ quan ban hành", "issued_on": "Ngày ban hành", "direction": "Chiều",
                     "org_name": "Tổ chức", "organisation": "Tổ chức", "attachments": "Tệp đính kèm",
                     "modified_at": "Sửa lần cuối", "upload": "Thêm tệp đính kèm"}
    column_formatters_detail = {"attachments": _attachment_links}
    column_sortable_list = ["number", "issued_on", "doc_type"]
    column_default_sort = ("issued_on", True)
    column_filters = [OrgSubtreeFilter(), ChoiceFilter("doc_type", "Loại văn bản", [(t, t) for t in DOC_TYPES]),
                      ChoiceFilter("direction", "Chiều", DIRECTIONS), *date_range("issued_on", "Ngày ban hành")]
    form_columns = ["number", "title", "doc_type", "issuer", "issued_on", "direction", "organisation", "upload"]
    form_extra_fields = {"upload": MultipleFileField(
        "Thêm tệp đính kèm", validators=[_check_uploads],
        description="PDF, Word, Excel, ảnh JPG/PNG; tối đa 10 MB mỗi tệp.")}
    form_args = {"doc_type": {"description": "Ví dụ: " + ", ".join(DOC_TYPES[:5])}}
    form_ajax_refs = _ORG

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        for storage in form.upload.data or []:
            content_type = getattr(storage, "content_type_checked", None)
            if content_type:
                proxy = GridFSProxy(collection_name="attachments")
                # PyMongo 4 deprecates GridFS contentType: the type goes into metadata
                proxy.put(storage.stream, filename=normalize.text(storage.filename),
                          metadata={"content_type": content_type})
                model.attachments.append(proxy)


class MeetingView(ListExportMixin, SecuredModelView):
    export_kind = "meetings"
    column_list = ["held_on", "kind", "topic", "org_name", "attendance"]
    column_details_list = ["held_on", "kind", "topic", "org_name", "agenda", "attendance", "conclusions"]
    column_labels = {"held_on": "Ngày họp", "kind": "Loại", "topic": "Chủ đề", "org_name": "Tổ chức",
                     "organisation": "Tổ chức", "agenda": "Nội dung", "attendance": "Điểm danh",
                     "conclusions": "Kết luận"}
    column_formatters = {"attendance": lambda v, c, m, n: f"{m.present_count}/{len(m.attendance)} có mặt"}
    column_formatters_detail = {
        "attendance": lambda v, c, m, n: Markup("{0}<br>{1}").format(
            Markup("<br>").join(
                f"{a.member_name}: {'có mặt' if a.present else 'vắng (' + (a.absence_reason or '') + ')'}"
                for a in m.attendance),
            Markup('<a href="{0}">Điểm danh…</a>').format(url_for(".attendance_view", id=m.pk))),
    }
    column_sortable_list = ["held_on", "kind"]
    column_default_sort = ("held_on", True)
    column_filters = [OrgSubtreeFilter(), ChoiceFilter("kind", "Loại", MEETING_KINDS), *date_range("held_on", "Ngày họp")]
    form_columns = ["organisation", "held_on", "kind", "topic", "agenda", "conclusions"]
    form_widget_args = {"agenda": {"rows": 6}, "conclusions": {"rows": 6}}
    form_args = {"agenda": {"widget": TextArea()}, "conclusions": {"widget": TextArea()}}
    form_ajax_refs = _ORG

    @expose("/attendance/", methods=("GET", "POST"))
    def attendance_view(self) -> Any:
        """Roll call: every active person of the meeting's organisation, present or absent with a reason."""
        meeting = self.get_one(request.args.get("id", ""))
        if meeting is None:
            abort(404)
        people = scope.in_subtree(Member, meeting.organisation, current_user).filter(status="active") \
            .only("full_name", "org_name", "sort_key").order_by("sort_key")
        current = {a.member.pk: a for a in meeting.attendance if a.member is not None}
        if request.method == "POST":
            if not self.has_change_permission(current_user, meeting):
                abort(403)
            meeting.attendance = [
                Attendance(member=p, present=request.form.get(f"present_{p.pk}") == "1",
                           absence_reason=normalize.text(request.form.get(f"reason_{p.pk}")))
                for p in people]
            try:
                meeting.save()
            except ValidationError as exc:
                flash("; ".join(str(v) for v in (exc.to_dict() or {}).values()) or exc.message, "error")
            else:
                audit.record("update", user=current_user, records=[meeting], detail="Điểm danh",
                             changes=[{"field": "attendance", "after": f"{meeting.present_count}/{len(meeting.attendance)}"}])
                flash("Đã lưu điểm danh.", "success")
                return redirect(url_for(".details_view", id=meeting.pk))
        return self.render("meetings/attendance.html", meeting=meeting, people=people, current=current)
