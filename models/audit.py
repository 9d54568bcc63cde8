"""The audit trail: who did what, when, to which records (never a password).

Entries are written only through :func:`services.audit.record`. ``scope`` holds the
actor's organisation path plus the organisation paths of the records touched, so
``services.scope.visible(AuditEntry, user)`` shows an officer what their people did
and what was done to their records, with the same equality match as everywhere else.
An entry about a classified document is seen only by its issuing and addressed units
(and administrators): its ``scope`` then lists those units alone.
"""

from __future__ import annotations

import mongoengine as me

from .base import utcnow

ACTIONS = [
    ("create", "Thêm mới"), ("update", "Sửa"), ("delete", "Xóa (vào thùng rác)"),
    ("restore", "Khôi phục"), ("purge", "Xóa vĩnh viễn"), ("export", "Xuất dữ liệu"),
    ("import", "Nhập dữ liệu"), ("login", "Đăng nhập"), ("login_failed", "Đăng nhập sai"),
    ("login_throttled", "Đăng nhập bị chặn tạm thời"), ("logout", "Đăng xuất"),
    ("password_change", "Đổi mật khẩu"), ("denied", "Truy cập bị từ chối"), ("backup", "Sao lưu"),
    ("lookup", "Tra cứu"), ("audit_prune", "Dọn nhật ký cũ"),
    ("restructure", "Sắp xếp lại tổ chức"), ("repair", "Sửa sai lệch dữ liệu"),
    ("view", "Mở văn bản mật"), ("submit", "Gửi báo cáo lên cấp trên"), ("reopen", "Mở lại báo cáo đã gửi"),
    # declaration rounds (issue 26): the person's own link, and the officer's review
    ("declare_open", "Mở liên kết khai báo"), ("declare_failed", "Mở liên kết khai báo không thành công"),
    ("declare_throttled", "Liên kết khai báo bị chặn tạm thời"), ("declare_submit", "Gửi bản khai"),
    ("declare_review", "Duyệt bản khai"),
]


class Change(me.EmbeddedDocument):
    """One changed field of an update, values rendered as short text."""

    field = me.StringField(required=True)
    before = me.StringField()
    after = me.StringField()


class AuditEntry(me.Document):
    VERBOSE_NAME = "Nhật ký"
    meta = {
        "collection": "audit",
        "indexes": [
            "-at", "scope", "action", "collection", "username", "record_ids", "search_keys",
            # login throttling counts recent failures per account and per address
            ("action", "username", "-at"), ("action", "ip", "-at"), ("action", "device", "-at"),
            # the "Nhật ký" screen: an officer's scope (or a chosen action) sorted newest first
            ("scope", "-at"), ("action", "-at"),
        ],
        "ordering": ["-at"],
    }

    at = me.DateTimeField(required=True, default=utcnow)  # UTC, naive (as stored by MongoDB)
    action = me.StringField(required=True, choices=ACTIONS)
    user_id = me.ObjectIdField()
    username = me.StringField(max_length=200)
    org = me.ObjectIdField()
    org_name = me.StringField()
    org_path = me.ListField(me.ObjectIdField())  # the actor's organisation, root first
    scope = me.ListField(me.ObjectIdField())
    collection = me.StringField(max_length=100)
    record_ids = me.ListField(me.StringField())
    changes = me.EmbeddedDocumentListField(Change)
    detail = me.StringField(max_length=2000)
    ip = me.StringField(max_length=64)
    search_keys = me.ListField(me.StringField())
    #: about a classified party document: ``scope`` holds exact units (the actor's, the
    #: issuer's, the addressees'), never their ancestors, and a restructuring adds none
    classified = me.BooleanField(default=False)
    #: a failed login from a browser holding a device cookie of that account: its nonce
    #: (such failures slow that browser only, OWASP's device cookies)
    device = me.StringField(max_length=64)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}"
