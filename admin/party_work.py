"""Party documents and meetings screens."""

from __future__ import annotations

from models.party_work import DIRECTIONS, DOC_TYPES, MEETING_KINDS

from .base import SecuredModelView
from .filters import ChoiceFilter, OrgSubtreeFilter, date_range

_ORG = {"organisation": {"fields": ["search_keys"], "placeholder": "Gõ tên tổ chức"}}


class PartyDocumentView(SecuredModelView):
    column_list = ["number", "title", "doc_type", "issuer", "issued_on", "direction", "org_name"]
    column_details_list = [*column_list, "attachments", "modified_at"]
    column_labels = {"number": "Số/ký hiệu", "title": "Trích yếu", "doc_type": "Loại văn bản",
                     "issuer": "Cơ quan ban hành", "issued_on": "Ngày ban hành", "direction": "Chiều",
                     "org_name": "Tổ chức", "organisation": "Tổ chức", "attachments": "Tệp đính kèm",
                     "modified_at": "Sửa lần cuối"}
    column_choices = {"direction": DIRECTIONS}
    column_sortable_list = ["number", "issued_on", "doc_type"]
    column_default_sort = ("issued_on", True)
    column_filters = [OrgSubtreeFilter(), ChoiceFilter("doc_type", "Loại văn bản", [(t, t) for t in DOC_TYPES]),
                      ChoiceFilter("direction", "Chiều", DIRECTIONS), *date_range("issued_on", "Ngày ban hành")]
    form_columns = ["number", "title", "doc_type", "issuer", "issued_on", "direction", "organisation"]
    form_ajax_refs = _ORG


class MeetingView(SecuredModelView):
    column_list = ["held_on", "kind", "topic", "org_name"]
    column_details_list = ["held_on", "kind", "topic", "org_name", "agenda", "attendance", "conclusions"]
    column_labels = {"held_on": "Ngày họp", "kind": "Loại", "topic": "Chủ đề", "org_name": "Tổ chức",
                     "organisation": "Tổ chức", "agenda": "Nội dung", "attendance": "Điểm danh",
                     "conclusions": "Kết luận"}
    column_choices = {"kind": MEETING_KINDS}
    column_formatters_detail = {
        "attendance": lambda v, c, m, n: "; ".join(
            f"{a.member_name}: {'có mặt' if a.present else 'vắng (' + (a.absence_reason or '') + ')'}"
            for a in m.attendance),
    }
    column_sortable_list = ["held_on", "kind"]
    column_default_sort = ("held_on", True)
    column_filters = [OrgSubtreeFilter(), ChoiceFilter("kind", "Loại", MEETING_KINDS), *date_range("held_on", "Ngày họp")]
    form_columns = ["organisation", "held_on", "kind", "topic", "agenda", "conclusions"]
    form_ajax_refs = _ORG
