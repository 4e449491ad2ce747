# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..const import CLOSE_KINDS


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    psa_backlog = fields.Boolean(
        string="Backlog",
        help="Parking stage for requests planned for later (change requests, "
        "suggestions). Incidents may not be put here.",
    )
    psa_close_kind = fields.Selection(
        CLOSE_KINDS,
        string="Closes as",
        required=True,
        default="solved",
        help="Only meaningful for closing stages. Solved: the request was "
        "answered or fixed; the resolution clock stops as met, met late or "
        "breached, and incidents and change requests need a resolution "
        "summary, which the customer receives. Not solved (such as Cancelled "
        "or Rejected): the SLA clocks that are not late yet are cancelled "
        "and stay out of the compliance figures; no resolution summary is "
        "asked. A ticket marked as a duplicate always closes as not solved.",
    )

    @api.constrains("psa_backlog")
    def _check_psa_backlog_incidents(self):
        backlog = self.filtered("psa_backlog")
        if backlog and self.env["helpdesk.ticket"].search_count(
            [("stage_id", "in", backlog.ids), ("request_type", "=", "incident")],
            limit=1,
        ):
            raise ValidationError(
                self.env._(
                    "Incidents sit in this stage: it cannot become a backlog stage."
                )
            )
