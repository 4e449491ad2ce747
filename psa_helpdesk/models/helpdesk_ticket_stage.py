# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    psa_resolution_required = fields.Boolean(
        string="Resolution required",
        default=True,
        help="Closing a ticket in this stage requires a resolution summary "
        "(which the customer receives). Only meaningful for closing stages; "
        "untick it for stages such as Cancelled or Rejected.",
    )
