"""The "Nhập từ Excel" screen: upload -> preview -> confirm. Only the confirm writes.

The uploaded file waits for the confirm in a private temporary folder under a random
token bound to the officer; the confirm re-reads it and plans again against the current
database (inside the import lock), so the preview can never write stale decisions, and
writes only if that plan is what the preview showed (its fingerprint is kept with the
file); otherwise nothing is written and the new preview is shown.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import time
from typing import Any

from bson import ObjectId
from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_login import current_user

import imports
from imports import people
from imports.layouts import FORM_NAMES
from models import ImportLog, Organisation, normalize
from models.layouts import FORMS, ROSTER
from services import import_runs, policy, scope

from .access import PanelView
from .filters import picked_unit

#: what the screen imports: forms 1 and 2, and the member roster (issue 13, :mod:`imports.roster`)
KINDS = {**FORM_NAMES, ROSTER.key: ROSTER.name}


def _run(data: bytes, kind: str | None, org: Organisation, dry_run: bool,
         resolutions: dict | None = None, expected: str | None = None) -> imports.Summary:
    return imports.importer(kind).run(data, org, dry_run=dry_run, limits=_limits(), resolutions=resolutions,
                                      expected=expected)


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
#: the officer's choices: a possible duplicate (``<cell id>:<name key>``), an unknown cell
#: (``cell:<name>``), a conflict (``conflict:<record id>``)
_RESOLVE = re.compile(r"^resolve:((?:[0-9a-f]{24}:|cell:|conflict:[0-9a-f]{24}$).{0,200})$", re.S)
_FIX = re.compile(r"^fix:(.{1,200}\|\d{1,7}\|\d{1,2})$", re.S)
PREVIEW_ROWS = 500  # rows listed one by one in the preview (the counts cover them all)
_ACTIONS = {"create": "Thêm mới", "update": "Cập nhật", "unchanged": "Không đổi"}
_KEEP_SECONDS = 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportView(PanelView):
    """Imports write records: only the write roles open it (``PanelAccess.has_view_permission``)."""

    read_action = policy.WORK

    @expose("/")
    def index(self) -> str:
        logs = scope.stable(scope.visible(ImportLog, current_user).order_by("-at")).limit(20)
        rejected = request.args.get("rejected", "")
        rejected = rejected if _TOKEN.match(rejected) and _owned_meta(rejected) else None
        return self.render("imports/index.html", picked=picked_unit(current_user), logs=logs, rejected=rejected,
                           kinds=KINDS, limit_mb=_limits().max_bytes // (1024 * 1024))

    @expose("/preview/", methods=["POST"])
    def preview(self) -> Any:
        org = _org(request.form.get("org", ""))
        kind = request.form.get("kind") or None
        upload = request.files.get("file")
        if kind not in (None, *KINDS) or upload is None or not upload.filename:
            flash("Hãy chọn tệp bảng tính (.xlsx, .xls hoặc .ods) cần nhập.", "error")
            return redirect(url_for(".index"))
        data = upload.read(_limits().max_bytes + 1)
        try:
            summary = _run(data, kind, org, dry_run=True)
        except imports.ImportFileError as exc:
            flash(f"Không nhập được tệp “{upload.filename}”: {exc}", "error")
            return redirect(url_for(".index"))
        token = _store(data, {"user": str(current_user.pk), "org": str(org.pk), "kind": summary.kind,
                              "filename": os.path.basename(upload.filename)[:200], "errors": summary.errors,
                              "fingerprint": summary.fingerprint})
        return self._preview(summary, org, token, upload.filename)

    def _preview(self, summary: imports.Summary, org: Organisation, token: str, filename: str,
                 fixes: dict | None = None) -> str:
        labels = _labels(summary.kind)
        return self.render("imports/preview.html", summary=summary, org=org, token=token,
                           filename=filename, form_name=KINDS[summary.kind], fixes=fixes or {},
                           rows=_preview_rows(summary), labels=labels, limit=PREVIEW_ROWS,
                           conflicts=_conflicts(summary, labels))

    @expose("/revise/", methods=["POST"])
    def revise(self) -> Any:
        """The rejected rows' cells corrected on the page: kept with the upload, and the
        preview made again with them (the confirm then writes what this new preview shows)."""
        token = request.form.get("token", "")
        data, meta = _load(token)
        org = _org(meta["org"])
        fixes = {**meta.get("fixes", {}), **_fixes(request.form)}
        fixes = {k: v for k, v in fixes.items() if v.strip()}
        try:
            summary = _run(data, meta["kind"], org, dry_run=True, resolutions=fixes)
        except imports.ImportFileError as exc:
            flash(f"Không nhập được tệp: {exc}", "error")
            return redirect(url_for(".index"))
        _save_meta(token, {**meta, "fixes": fixes, "errors": summary.errors, "fingerprint": summary.fingerprint})
        return self._preview(summary, org, token, meta["filename"], fixes)

    @expose("/confirm/", methods=["POST"])
    def confirm(self) -> Any:
        token = request.form.get("token", "")
        data, meta = _load(token)
        org = _org(meta["org"])
        fixes = meta.get("fixes", {})
        try:
            summary = _run(data, meta["kind"], org, dry_run=False, resolutions={**_resolutions(request.form), **fixes},
                           expected=meta.get("fingerprint"))
        except imports.PlanChanged as exc:  # nothing written: the officer sees what the confirm would do now
            try:
                fresh = _run(data, meta["kind"], org, dry_run=True, resolutions=fixes)
            except imports.ImportFileError as again:
                flash(f"Không nhập được tệp: {again}", "error")
                return redirect(url_for(".index"))
            _save_meta(token, {**meta, "errors": fresh.errors, "fingerprint": fresh.fingerprint})
            flash(str(exc), "warning")
            return self._preview(fresh, org, token, meta["filename"], fixes)  # with the reason, flashed above
        except imports.ImportFileError as exc:
            flash(f"Không nhập được tệp: {exc}", "error")
            return redirect(url_for(".index"))
        import_runs.confirmed(summary, org, data, meta["filename"], by=current_user, source="web")
        if summary.errors:
            _save_meta(token, {**meta, "errors": summary.errors})  # what the confirm refused, for the download
        _discard(token, keep_errors=bool(summary.errors))
        flash(f"Đã nhập {meta['filename']}: thêm mới {summary.created}, cập nhật {summary.updated}, "
              f"không đổi {summary.unchanged}, bị từ chối {summary.rejected}, người mới {summary.people_created}.",
              "success")
        if summary.errors:  # saved rows are a success (green); the rejected ones get their own message and file
            flash(f"{summary.rejected} dòng bị từ chối, không được nhập: tải danh sách dòng bị từ chối ở đầu trang.",
                  "warning")
            return redirect(url_for(".index", rejected=token))
        return redirect(url_for(".index"))

    @expose("/errors/<token>/")
    def errors(self, token: str) -> Any:
        meta = _load_meta(token)
        report = imports.error_report(meta["errors"], meta["filename"])
        name = f"loi-nhap-{normalize.today():%Y%m%d}.xlsx"
        return send_file(_bytes_io(report), mimetype=XLSX, as_attachment=True, download_name=name)


def _preview_rows(summary: imports.Summary) -> list[dict]:
    """Per row: what the confirm will do, with the changed fields (before -> after)."""
    out = [{"sheet": a.sheet, "row": a.excel_row, "action": "Xung đột: " + ("lấy theo tệp" if a.kind == "update" else
                                                                        "giữ dữ liệu đã có") if a.conflict else _ACTIONS[a.kind],
            "kind": "conflict" if a.conflict else a.kind,
            "person": a.name, "key": a.values.get("url") or a.values.get("domain") or a.values.get("party_card_number"),
            "changes": {k: (_shown(b), _shown(v)) for k, (b, v) in a.changes.items()},
            "warnings": _warnings(summary.kind, a)} for a in summary.actions]
    rejected: dict[tuple, dict] = {}
    for e in summary.errors:
        entry = rejected.setdefault((e["sheet"], e["row"]), {"sheet": e["sheet"], "row": e["row"], "action": "Bị từ chối",
                                                            "kind": "rejected", "person": e.get("name"),
                                                            "key": e.get("url"), "changes": {}, "reasons": [],
                                                            "columns": []})
        entry["reasons"].append(e["message"])
        number = e["column"].strip("()")
        if number.isdigit() and int(number) not in entry["columns"]:
            entry["columns"].append(int(number))
    order = {name: i for i, name in enumerate(summary.sheets)}
    return sorted(out + list(rejected.values()), key=lambda r: (order.get(r["sheet"], 0), r["row"]))


#: the screen that edits a form's record (a warning links to it)
_EDIT = {"sites": "site.edit_view", "social": "socialaccount.edit_view"}


def _warnings(kind: str, action: Any) -> list[dict]:
    """An unchanged row's warnings: the stored record's own invalid cells, each with the
    screen that fixes it (the person's record for the person's own cells)."""
    out = []
    for _column, name, message in getattr(action, "warnings", None) or []:
        if kind == "roster":
            link, label = url_for("member.edit_view", id=str(action.existing)), "Sửa hồ sơ người này"
        elif name in imports.plan.OWNER_FIELDS:
            link, label = url_for("member.edit_view", id=str(action.person)), "Sửa hồ sơ người này"
        else:
            link, label = (url_for(_EDIT[kind], id=str(action.existing)) if kind in _EDIT else ""), "Sửa bản ghi"
        out.append({"message": message, "link": link, "label": label})
    return out


def _conflicts(summary: imports.Summary, labels: dict[str, str]) -> list[dict]:
    """Rows whose file is older than the stored record: per field the file's value and the
    stored one, and who changed the record when."""
    out = []
    for a in summary.conflicts[:PREVIEW_ROWS]:
        who = summary.changed_by.get(str(a.existing)) or {}
        out.append({"key": f"conflict:{a.existing}", "sheet": a.sheet, "row": a.excel_row, "name": a.name,
                    "url": a.values.get("url") or a.values.get("domain") or "",
                    "file_date": normalize.format_date(a.file_date), "stored_date": normalize.format_date(a.stored_date),
                    "who": who.get("who") or "", "at": normalize.format_moment(who["at"]) if who.get("at") else "",
                    "fields": [(labels.get(k, k), _shown(stored), _shown(new)) for k, (stored, new) in a.changes.items()]})
    return out


def _shown(value: Any) -> str:
    """A value as the officer typed it: dates dd/mm/yyyy, empty as "(trống)"."""
    if value in (None, ""):
        return "(trống)"
    return normalize.format_date(value) if hasattr(value, "strftime") else str(value)


def _labels(kind: str) -> dict[str, str]:
    """Field -> "(n) name" of the form's declaration (the roster's party column holds ``is_party_member``)."""
    if kind == ROSTER.key:
        labels = ROSTER.labels()
        return labels | {"is_party_member": labels["party"]}
    return FORMS[kind].labels()


def _resolutions(form: Any) -> dict[str, str]:
    """``resolve:<key>`` = a member id or "new" (possible duplicate), a unit id (unknown
    cell), "file" (conflict): the officer's choices; an empty choice is no choice."""
    out = {}
    for name, value in form.items():
        match = _RESOLVE.match(name)
        if match and people.valid_choice(value):
            out[match[1]] = value
    return out


def _fixes(form: Any) -> dict[str, str]:
    """``fix:<sheet>|<row>|<column>`` = the corrected value of a rejected row's cell."""
    return {name: value[:2000] for name, value in form.items() if _FIX.match(name) and isinstance(value, str)}


def _limits() -> imports.Limits:
    cap = current_app.config.get("MAX_CONTENT_LENGTH") or imports.Limits().max_bytes
    return imports.Limits(max_bytes=int(cap))


def _org(value: str) -> Organisation:
    """The target: an organisation in the officer's scope, else 404."""
    if not ObjectId.is_valid(value):
        abort(404)
    org = scope.organisations(current_user).filter(pk=ObjectId(value)).first()
    if org is None:
        abort(404)
    return org


def _folder() -> str:
    path = current_app.config.get("IMPORT_TMP_DIR") or os.path.join(tempfile.gettempdir(), "dang-imports")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def _store(data: bytes, meta: dict) -> str:
    folder = _folder()
    for name in os.listdir(folder):  # forget previews nobody confirmed
        full = os.path.join(folder, name)
        if time.time() - os.path.getmtime(full) > _KEEP_SECONDS:
            os.remove(full)
    token = secrets.token_urlsafe(24)
    with open(os.path.join(folder, f"{token}.xlsx"), "wb") as handle:
        handle.write(data)
    _save_meta(token, meta)
    return token


def _save_meta(token: str, meta: dict) -> None:
    with open(os.path.join(_folder(), f"{token}.json"), "w", encoding="utf-8") as handle:
        json.dump(meta, handle, ensure_ascii=False)


def _owned_meta(token: str) -> dict | None:
    """The stored preview's description, if it is this officer's."""
    path = os.path.join(_folder(), f"{token}.json")
    if not _TOKEN.match(token or "") or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        meta = json.load(handle)
    return meta if meta.get("user") == str(current_user.pk) else None


def _load_meta(token: str) -> dict:
    meta = _owned_meta(token)
    if meta is None:  # forged, foreign, expired
        abort(404)
    return meta


def _load(token: str) -> tuple[bytes, dict]:
    """The stored upload of this officer; anything else (forged, foreign, expired, confirmed) is 404."""
    meta = _load_meta(token)
    path = os.path.join(_folder(), f"{token}.xlsx")
    if not os.path.exists(path):
        abort(404)
    with open(path, "rb") as handle:
        return handle.read(), meta


def _discard(token: str, keep_errors: bool = False) -> None:
    """Forget a confirmed upload; its rejected rows stay downloadable (for the hour) when asked."""
    for ext in ("xlsx",) if keep_errors else ("xlsx", "json"):
        path = os.path.join(_folder(), f"{token}.{ext}")
        if os.path.exists(path):
            os.remove(path)


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)
