# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    psa_commercial_team_id = fields.Many2one(
        related="company_id.psa_commercial_team_id", readonly=False
    )
    psa_escalation_stage_id = fields.Many2one(
        related="company_id.psa_escalation_stage_id", readonly=False
    )
    psa_problem_close_stage_id = fields.Many2one(
        related="company_id.psa_problem_close_stage_id", readonly=False
    )
    psa_upgrade_template_project_id = fields.Many2one(
        related="company_id.psa_upgrade_template_project_id", readonly=False
    )
