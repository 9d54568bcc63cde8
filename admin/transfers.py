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

PAGE = 50
_SHOWN = ("member_name", "from_name", "to_name", "on", "decision_number", "state", "return_reason", "to_unit")


class TransferOrdersView(PanelView):
    read_action = policy.WORK

    @expose("/")
    def index(self) -> str:
        """A page of orders in one round trip: the names are the order's own, and the cell
        of an incoming order is chosen with a picker of the destination's cells (asked
        from /admin/don-vi/ as the officer types), so no unit is read for the page."""
        side = "outgoing" if request.args.get("side") == "outgoing" else "incoming"
        try:
            page = max(int(request.args.get("page", 1)), 1)
        except ValueError:
            page = 1
        found = scope.stable(lifecycle.orders(current_user, side).order_by("state", "-on"))
        rows = list(found.only(*_SHOWN).skip((page - 1) * PAGE).limit(PAGE + 1).as_pymongo())
        return self.render("transfers/index.html", side=side, rows=rows[:PAGE], page=page, more=len(rows) > PAGE,
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
