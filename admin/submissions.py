"""*Báo cáo lên cấp trên*: the unit's reports against their deadlines, the quality check
and the send, a sent report (download as sent, versions, reopen, what changed since), and
the level above's tracker of its units with reminders and the consolidated report."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from typing import Any

from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_login import current_user

from exports import XLSX_MIMETYPE
from models import Organisation, normalize
from models.organisation import TITLE_FIELDS, title_defaults
from models.submission import Submission, kind_phrase
from services import audit, policy, scope, submissions, tracker, unit_titles
from services.submissions import KIND_NAMES, SubmissionError

from .access import PanelView, deny, not_found, org_or_404

SLUG = {"annual": "bao-cao-nam", "meetings": "bao-cao-sinh-hoat", "proposals": "de-nghi-tai-khoan"}


def _kind() -> str:
    kind = request.values.get("kind", "annual")
    if kind not in KIND_NAMES:
        abort(404)
    return kind


def _period(kind: str, today: dt.date) -> str:
    try:
        return submissions.parse_period(kind, request.values.get("period"), today)
    except ValueError as exc:
        flash(str(exc), "error")
        return submissions.current_period(kind, today)


def _own_unit() -> Organisation:
    return org_or_404(request.values.get("org") or str(scope.scope_root(current_user)))


def _submission(sub_id: str) -> Submission:
    sub = submissions.open_file(sub_id, current_user)
    if sub is None:
        not_found("submissions", [sub_id], Submission)
    return sub


def _title_links(org: Organisation) -> dict[str, bool]:
    """Which screen edits the printed names shown: the unit's own (its officers), else the
    level above's organisation form."""
    return {"can_edit_titles": policy.can(current_user, policy.EDIT_TITLES, org),
            "can_edit_unit": policy.can(current_user, policy.EDIT_UNIT, org)}


class SubmissionsView(PanelView):

    @expose("/")
    def index(self) -> str:
        org, today = _own_unit(), normalize.today()
        has_units = scope.organisations(current_user).filter(parent=org.pk).only("id").first() is not None
        return self.render("submissions/index.html", org=org, today=today, kinds=KIND_NAMES,
                           deadlines=submissions.unit_deadlines(org, today), has_units=has_units,
                           may_send=submissions.may_send(current_user, org),
                           sent=list(submissions.visible(current_user).filter(sender=org.pk)
                                     .only(*submissions._LIGHT).order_by("-sent_at").limit(30)),
                           names=org.title_names(), **_title_links(org))

    @expose("/gui/", methods=("GET", "POST"))
    def send(self) -> Any:
        org, today = _own_unit(), normalize.today()
        kind = _kind()
        period = _period(kind, today)
        if request.method == "POST":
            try:
                sub = submissions.send(org, current_user, kind, period,
                                       confirm_quality=request.form.get("confirm_quality") == "1", today=today)
            except SubmissionError as exc:
                flash(str(exc), "error")
                return redirect(url_for(".send", org=org.pk, kind=kind, period=period))
            flash(f"Đã gửi {kind_phrase(kind)} {submissions.period_label(kind, period)} (lần {sub.version}).",
                  "success")
            return redirect(url_for(".details", sub_id=sub.pk))
        return self.render("submissions/send.html", org=org, kind=kind, period=period, kinds=KIND_NAMES,
                           label=submissions.period_label(kind, period), due=submissions.due_date(kind, period),
                           check=submissions.quality(org, current_user, kind, today), names=org.title_names(),
                           before=submissions.latest(org.pk, kind, period), today=today,
                           **_title_links(org), may_send=submissions.may_send(current_user, org))

    @expose("/ten-in/", methods=("GET", "POST"))
    def titles(self) -> Any:
        """The unit's own officers edit its printed names (only those: not code, name, parent, kind)."""
        org = _own_unit()
        if not policy.can(current_user, policy.EDIT_TITLES, org):
            deny(self.endpoint, "edit_titles")
        back = {k: request.values[k] for k in ("kind", "period") if request.values.get(k)}
        if back.get("kind") not in KIND_NAMES:
            back = {}
        values, seen, problems = {n: getattr(org, n) or "" for n in TITLE_FIELDS}, unit_titles.version(org), {}
        if request.method == "POST":
            values, seen = {n: request.form.get(n, "") for n in TITLE_FIELDS}, request.form.get("seen_version", "")
            try:
                changed = unit_titles.save(org, current_user, values, seen)
            except unit_titles.TitlesError as exc:
                flash(str(exc), "error")
                problems = unit_titles.errors(values)
                org.reload()
                if isinstance(exc, unit_titles.TitlesConflict):  # saving again overwrites, knowingly
                    seen = unit_titles.version(org)
            else:
                flash("Đã lưu tên in trên văn bản." if changed else "Không có thay đổi nào.", "success")
                return redirect(url_for(".send", org=org.pk, **back) if back else url_for(".index", org=org.pk))
        parent = Organisation.objects(pk=org.parent.pk).only("place").first() if org.parent else None
        return self.render("submissions/titles.html", org=org, values=values, seen=seen, problems=problems,
                           labels=unit_titles.LABELS, current=org.title_names(), back=back,
                           defaults=title_defaults(org.kind, org.name, getattr(parent, "place", None)),
                           limits={n: Organisation._fields[n].max_length for n in TITLE_FIELDS})

    @expose("/xem/<sub_id>/")
    def details(self, sub_id: str) -> str:
        sub = _submission(sub_id)
        sender = Organisation.objects(pk=sub.sender_id).first()
        versions = submissions.history(Organisation.objects(pk=sub.organisation_id).first(), current_user,
                                       sub.kind, sub.period)
        diff = tracker.row_differences(sub, current_user) if sub.state == "sent" else {}
        changes = tracker.figure_differences(sub, current_user) if sub.state == "sent" else []
        return self.render("submissions/details.html", sub=sub, kinds=KIND_NAMES, versions=versions, diff=diff,
                           changes=changes,
                           label=submissions.period_label(sub.kind, sub.period),
                           may_reopen=sender is not None and submissions.may_send(current_user, sender), zip=zip)

    @expose("/tai/<sub_id>/")
    def download(self, sub_id: str) -> Any:
        sub = _submission(sub_id)
        audit.record("export", user=current_user, records=[sub],
                     detail=f"Tải báo cáo đã gửi: {sub.sender_name}, {sub.period}, lần {sub.version}")
        name = f"{SLUG[sub.kind]}-{sub.period}-lan-{sub.version}.xlsx"
        return send_file(io.BytesIO(bytes(sub.file or b"")), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=name)

    @expose("/mo-lai/<sub_id>/", methods=("POST",))
    def reopen(self, sub_id: str) -> Any:
        sub = _submission(sub_id)
        try:
            submissions.reopen(sub, current_user, request.form.get("reason"))
            flash("Đã mở lại báo cáo. Sửa dữ liệu rồi gửi lại: lần gửi mới là một phiên bản mới.", "success")
        except SubmissionError as exc:
            flash(str(exc), "error")
        return redirect(url_for(".details", sub_id=sub.pk))

    def _tracker(self) -> tracker.Tracker:
        org, today = _own_unit(), normalize.today()
        kind = _kind()
        try:
            page = max(int(request.args.get("page", 1)), 1)
        except ValueError:
            page = 1
        return tracker.tracker(org, current_user, kind, _period(kind, today), today, page)

    @expose("/theo-doi/")
    def tracking(self) -> str:
        t = self._tracker()
        return self.render("submissions/tracker.html", t=t, kinds=KIND_NAMES, columns=tracker.COLUMNS,
                           states=tracker.STATES, label=submissions.period_label(t.kind, t.period),
                           reminders=tracker.reminders(t))

    @expose("/tong-hop/")
    def consolidated(self) -> Any:
        t = self._tracker()
        if t.kind != "annual":
            abort(404)
        live = request.args.get("live") == "1"
        out = tempfile.TemporaryFile()
        tracker.export_consolidated(out, t, current_user, live=live)
        out.seek(0)
        name = f"tong-hop-{t.period}-{t.org.code}-{'truc-tiep' if live else 'tu-bao-cao-da-gui'}.xlsx"
        return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)
