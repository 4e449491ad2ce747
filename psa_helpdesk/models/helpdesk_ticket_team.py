# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..const import SUPPORT_LEVELS


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"
    # its SLA policy and leader are of its company (or shared): a policy of
    # another company would break the creation of every ticket of the team
    _check_company_auto = True

    support_level = fields.Selection(
        SUPPORT_LEVELS,
        help="Level this team works at. A ticket moved to the team takes it.",
    )
    psa_sla_policy_id = fields.Many2one(
        "psa.sla.policy",
        string="Default SLA policy",
        check_company=True,
        help="Service levels of new tickets of this team when nothing more "
        "specific (a contract) gives one.",
    )
