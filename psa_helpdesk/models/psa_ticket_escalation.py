# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..const import SUPPORT_LEVELS


class PsaTicketEscalation(models.Model):
    """One escalation of a ticket: who moved it, when, from which level and
    team to which, and why.

    An audit row: written only by the Escalate action
    (``psa.ticket.escalate.wizard``), which checks the user's right to
    escalate the ticket and sets the author and the date itself; every role
    only reads it (no create, write or unlink right), and it goes only with
    its ticket."""

    _name = "psa.ticket.escalation"
    _description = "Ticket escalation"
    _order = "date desc, id desc"
    _check_company_auto = True

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Escalated by",
        required=True,
        default=lambda self: self.env.user,
        readonly=True,
    )
    from_level = fields.Selection(SUPPORT_LEVELS, readonly=True)
    to_level = fields.Selection(SUPPORT_LEVELS, readonly=True)
    from_team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    to_team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    from_user_id = fields.Many2one("res.users", string="From assignee", readonly=True)
    to_user_id = fields.Many2one("res.users", string="To assignee", readonly=True)
    reason = fields.Text(required=True, readonly=True)
