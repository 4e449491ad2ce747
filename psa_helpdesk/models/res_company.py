# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    psa_commercial_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Commercial team",
        help="Team that receives the tickets of customers without an active "
        "contract covering the product (commercial manager's team).",
    )
