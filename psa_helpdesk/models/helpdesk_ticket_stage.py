# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    psa_backlog = fields.Boolean(
        string="Backlog",
        help="Parking stage for requests planned for later (change requests, "
        "suggestions). Incidents may not be put here.",
    )
    psa_resolution_required = fields.Boolean(
        string="Resolution required",
        default=True,
        help="Closing a ticket in this stage requires a resolution summary "
        "(which the customer receives). Only meaningful for closing stages; "
        "untick it for stages such as Cancelled or Rejected.",
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
