"""Transfers between committees (Điều 6 khoản 2 điểm d): the sending committee proposes,
the receiving committee accepts (choosing the cell) or returns it with a reason.

An order is seen by both sides: ``scope`` is the member's place at the sender (the
sender's subtree sees it as outgoing), ``to_scope`` the destination unit's path (the
receiver's subtree sees it as incoming). Both are indexed multikey arrays, so each side's
list is one equality match, as everywhere else in the register.
"""

from __future__ import annotations

import mongoengine as me

from .base import unit_path, utcnow
from .member import Member
from .organisation import Organisation

STATES = [("pending", "Đang chuyển"), ("accepted", "Đã tiếp nhận"), ("returned", "Bị trả lại"),
          ("cancelled", "Bên chuyển đã hủy")]


@unit_path("from_org", "scope")
@unit_path("to_unit", "to_scope")
@unit_path("to_cell", "to_cell_scope")
class TransferOrder(me.Document):
    VERBOSE_NAME = "Chuyển sinh hoạt đảng"
    meta = {"collection": "transfer_orders",
            "indexes": ["scope", "to_scope", "to_cell_scope", "member", "state", "on", ("state", "decided_at"),
                        # a page of each side's list in its order (the top administrator: the whole tree)
                        ("to_scope", "state", "-on", "_id"), ("scope", "state", "-on", "_id"), ("state", "-on", "_id")],
            "ordering": ["-on"]}

    member = me.ReferenceField(Member, required=True, reverse_delete_rule=me.CASCADE)  # purged with the person
    member_name = me.StringField()
    from_org = me.ReferenceField(Organisation, reverse_delete_rule=me.NULLIFY)  # history: the names stay
    from_name = me.StringField()
    scope = me.ListField(me.ObjectIdField())  # the sender's side
    to_unit = me.ReferenceField(Organisation, reverse_delete_rule=me.NULLIFY)
    to_name = me.StringField()
    to_scope = me.ListField(me.ObjectIdField())  # the receiver's side
    to_cell = me.ReferenceField(Organisation, reverse_delete_rule=me.NULLIFY)  # chosen on acceptance
    to_cell_scope = me.ListField(me.ObjectIdField())
    on = me.DateTimeField(required=True)
    decision_number = me.StringField(max_length=60)
    note = me.StringField(max_length=500)
    state = me.StringField(choices=STATES, default="pending")
    return_reason = me.StringField(max_length=500)
    created_at = me.DateTimeField(default=utcnow)
    created_by = me.StringField()
    decided_at = me.DateTimeField()
    decided_by = me.StringField()

    def __str__(self) -> str:
        return f"{self.member_name}: {self.from_name} → {self.to_name}"
