"""Vietnamese error pages in the panel's own frame, for every status the panel can answer
with (Flask and Werkzeug would otherwise answer in English: "Not Found — The requested URL…")."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, url_for
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

#: status -> (title, explanation); every message says what to do next
PAGES = {
    400: ("Yêu cầu không hợp lệ", "Biểu mẫu đã hết hạn hoặc dữ liệu gửi lên không hợp lệ. "
          "Hãy tải lại trang rồi thử lại; dữ liệu đã lưu trước đó không bị ảnh hưởng."),
    403: ("Không có quyền truy cập", "Tài khoản của bạn không được phép mở trang này hoặc thực hiện thao tác này. "
          "Nếu cần quyền, hãy liên hệ quản trị hệ thống của đơn vị."),
    404: ("Không tìm thấy trang", "Trang hoặc bản ghi không tồn tại, đã bị xóa, hoặc nằm ngoài phạm vi quản lý của bạn. "
          "Hãy kiểm tra lại đường dẫn hoặc quay về trang chủ."),
    405: ("Thao tác không được hỗ trợ", "Trang này không nhận kiểu yêu cầu vừa gửi. Hãy quay lại và dùng các nút trên màn hình."),
    413: ("Tệp quá lớn", "Tệp tải lên vượt quá dung lượng cho phép. Hãy chia nhỏ tệp hoặc nén bớt rồi thử lại."),
    429: ("Thao tác quá nhiều lần", "Bạn đã thử quá nhiều lần trong thời gian ngắn. Hãy chờ ít phút rồi thử lại."),
    500: ("Lỗi hệ thống", "Đã có lỗi ngoài ý muốn; dữ liệu đã lưu không bị mất. Hãy thử lại, "
          "nếu vẫn lỗi hãy báo cho quản trị hệ thống kèm thời điểm xảy ra."),
    503: ("Hệ thống tạm thời gián đoạn", "Không kết nối được cơ sở dữ liệu. Dữ liệu của bạn không bị mất. "
          "Vui lòng thử lại sau ít phút hoặc báo cho quản trị hệ thống."),
}

_BARE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="/static/panel/favicon.svg" type="image/svg+xml"></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:10vh auto;padding:0 1rem;color:#212529">
<p style="color:#c8102e;font-weight:600">Lỗi {code}</p><h1 style="font-size:1.5rem">{title}</h1><p>{text}</p>
<p><a href="/admin/">Về trang chủ</a></p></body></html>"""


_REDIRECT = ('<!doctype html>\n<html lang="vi"><meta charset="utf-8"><title>Đang chuyển trang</title>'
             '<p>Đang chuyển trang. Nếu trình duyệt không tự chuyển, hãy bấm <a href="{href}">vào đây</a>.</p></html>')


def page(code: int, detail: str | None = None) -> tuple[str, int]:
    """The error page for ``code``, in the panel's frame when the panel can draw it."""
    title, text = PAGES.get(code, PAGES[500])
    try:
        if code in (500, 503):  # the frame itself may need the database that just failed
            raise RuntimeError
        panel = current_app.extensions["panel_admin"]
        html = panel.index_view.render("errors/page.html", code=code, title=title, text=text, detail=detail)
    except Exception:
        html = _BARE.format(code=code, title=escape(title), text=escape(text))
    return html, code


def init_app(app: Flask) -> None:
    def http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        if code not in PAGES:
            return exc
        body, status = page(code)
        response = app.make_response((body, status))
        if code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    for code in PAGES:
        app.register_error_handler(code, http_error)

    @app.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError) -> Any:
        return page(400)

    @app.get("/favicon.ico")
    def favicon() -> Any:
        return app.redirect(url_for("static", filename="panel/favicon.svg"), 301)

    @app.after_request
    def vietnamese_redirect(response: Response) -> Response:
        """Werkzeug's redirect body says "Redirecting..." in English; browsers rarely show it, but say it right."""
        if 300 <= response.status_code < 400 and response.location and response.mimetype == "text/html":
            response.set_data(_REDIRECT.format(href=escape(response.location)))
        return response
