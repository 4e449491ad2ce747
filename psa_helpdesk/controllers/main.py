# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's write routes of helpdesk_mgmt, made safe.

helpdesk_mgmt's ``/ticket/close`` looks up the ticket id of the request as
superuser and takes a GET: any portal user could close any ticket with a
link. Here the route takes only a POST with its CSRF token, and the ticket
is looked up with the user's own rights (``_psa_portal_close``).
``/submitted/ticket`` keeps only the category and team the form offered."""

from werkzeug.exceptions import BadRequest, Forbidden

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController


def _to_id(value):
    """The record id posted in ``value``, or None when it is not one."""
    try:
        record_id = int(value)
    except (TypeError, ValueError):
        return None
    return record_id if record_id > 0 else None


class PsaHelpdeskTicketController(HelpdeskTicketController):
    @http.route("/ticket/close", type="http", auth="user", methods=["POST"], csrf=True)
    def support_ticket_close(self, ticket_id=None, stage_id=None, **kw):
        """Close a ticket of the user's customer into a stage the portal
        offers it; ``resolution``: the customer's words on what solved it,
        when the stage asks for a resolution summary."""
        ticket_id, stage_id = _to_id(ticket_id), _to_id(stage_id)
        if not ticket_id or not stage_id:
            raise BadRequest()
        # the user's own rights: record rules decide what they may read
        ticket = request.env["helpdesk.ticket"].browse(ticket_id)
        try:
            ticket._psa_portal_check_customer()
        except (AccessError, MissingError) as exc:
            raise Forbidden(
                request.env._("You may only close your own tickets.")
            ) from exc
        page = f"/my/ticket/{ticket.id}"
        stage = request.env["helpdesk.ticket.stage"].browse(stage_id)
        if stage not in ticket._psa_portal_close_stages():
            # not a button the page offers (closed ticket, other stage)
            return request.redirect(page, code=302)
        resolution = kw.get("resolution")
        if (
            ticket._psa_portal_needs_resolution(stage)
            and not (resolution or "").strip()
        ):
            return request.redirect(f"{page}?psa_close_error=resolution", code=302)
        ticket._psa_portal_close(stage, resolution)
        return request.redirect(page, code=302)

    @http.route(
        "/ticket/psa_validation",
        type="http",
        auth="user",
        methods=["POST"],
        csrf=True,
    )
    def support_ticket_psa_validation(self, ticket_id=None, answer=None, **kw):
        """The customer accepts or rejects the solution sent on their ticket
        (``answer``: ``accept`` or ``reject``; SPEC §8)."""
        ticket_id = _to_id(ticket_id)
        if not ticket_id or answer not in ("accept", "reject"):
            raise BadRequest()
        ticket = request.env["helpdesk.ticket"].browse(ticket_id)
        try:
            ticket._psa_portal_validate(answer)
        except (AccessError, MissingError) as exc:
            raise Forbidden(
                request.env._("You may only answer on your own tickets.")
            ) from exc
        except UserError:
            # answered already: the page shows the ticket as it is
            return request.redirect(
                f"/my/ticket/{ticket_id}?psa_validation_error=1", code=302
            )
        return request.redirect(f"/my/ticket/{ticket_id}", code=302)

    def _prepare_submit_ticket_vals(self, **kw):
        # helpdesk_mgmt takes any category id (and its company) and any team
        # id of any company as posted: keep only those the form offered.
        if kw.get("category") and _to_id(kw["category"]) not in set(
            self._get_categories(**kw).ids
        ):
            kw = dict(kw, category="")
        if kw.get("team") and _to_id(kw["team"]) not in set(self._get_teams().ids):
            kw = dict(kw, team="")
        return super()._prepare_submit_ticket_vals(**kw)
