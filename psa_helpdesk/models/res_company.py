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
    psa_escalation_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="Stage of tickets escalated to development",
        help="Tickets escalated to development move to this stage. Leave empty "
        "to keep their stage.",
    )
    psa_problem_close_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="Stage of incidents resolved by a problem",
        domain="[('closed', '=', True)]",
        help="Incidents closed from their problem ticket move to this stage. "
        "Leave empty to use the first closed stage of their team.",
    )
    psa_upgrade_template_project_id = fields.Many2one(
        "project.project",
        string="Upgrade project template",
        help="'Request upgrade' on an installation copies this project, with "
        "its tasks.",
    )
