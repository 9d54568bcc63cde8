"""Transfers between committees (Điều 6 khoản 2 điểm d): incoming and outgoing orders.

The sending officer creates an order from the person's transfer page; the receiving
officer sees it here as incoming and accepts it (choosing the cell) or returns it with a
reason. Both sides keep seeing the order; only the person's record changes hands.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from mongoengine import ValidationError

from models import Organisation
from models.transfer import TransferOrder
from services import audit, lifecycle, policy, scope

from .access import PanelView

PAGE = 200


class TransferOrdersView(PanelView):
    read_action = policy.WORK

    @expose("/")
    def index(self) -> str:
        side = "outgoing" if request.args.get("side") == "outgoing" else "incoming"
        rows = list(lifecycle.orders(current_user, side).order_by("state", "-on").limit(PAGE))
        cells = list(scope.organisations(current_user).filter(kind="cell").order_by("tree_key").only("name", "scope"))
        choices = {str(o.pk): [c for c in cells if o.to_unit is not None and o.to_unit.pk in c.scope] for o in rows
                   if o.state == "pending" and side == "incoming"}
        return self.render("transfers/index.html", side=side, rows=rows, choices=choices,
                           states=dict(TransferOrder.state.choices))

    def _order(self) -> TransferOrder:
        raw = request.form.get("id", "")
        order = TransferOrder.objects(pk=ObjectId(raw)).first() if ObjectId.is_valid(raw) else None
        root = scope.scope_root(current_user)
        if order is None or not (scope.sees_everything(current_user) or root in order.scope or root in order.to_scope):
            audit.record("denied", collection="transfer_orders", ids=[raw], detail=f"POST {request.path}")
            abort(404)
        return order

    @expose("/decide/", methods=("POST",))
    def decide(self) -> Any:
        order, what = self._order(), request.form.get("what")
        try:
            if what == "accept":
                raw = request.form.get("cell", "")
                cell = Organisation.objects(pk=ObjectId(raw)).first() if ObjectId.is_valid(raw) else None
                member = lifecycle.accept(order, cell, current_user)
                flash(f"Đã tiếp nhận {member.full_name} vào {member.org_name}.", "success")
            elif what == "return":
                lifecycle.return_order(order, request.form.get("reason"), current_user)
                flash(f"Đã trả lại chuyển sinh hoạt của {order.member_name}.", "success")
            elif what == "cancel":
                lifecycle.cancel_order(order, current_user)
                flash(f"Đã hủy chuyển sinh hoạt của {order.member_name}.", "success")
            else:
                abort(400)
        except ValidationError as exc:
            flash(exc.message, "error")
        side = "outgoing" if what == "cancel" else "incoming"
        return redirect(url_for(".index", side=side))
