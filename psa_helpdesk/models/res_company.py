# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

# The support settings of a company: each is a record of that company (or
# shared by all companies), read from the ticket's or installation's company,
# never from the user's session (SPEC §7).
PSA_COMPANY_SETTINGS = (
    "psa_commercial_team_id",
    "psa_escalation_stage_id",
    "psa_problem_close_stage_id",
    "psa_upgrade_template_project_id",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    psa_commercial_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Commercial team",
        check_company=True,
        help="Team that receives the tickets of customers without an active "
        "contract covering the product (commercial manager's team).",
    )
    psa_escalation_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="Stage of tickets escalated to development",
        check_company=True,
        help="Tickets escalated to development move to this stage. Leave empty "
        "to keep their stage.",
    )
    psa_problem_close_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="Stage of incidents resolved by a problem",
        check_company=True,
        domain="[('closed', '=', True)]",
        help="Incidents closed from their problem ticket move to this stage. "
        "Leave empty to use the first closed stage of their team.",
    )
    psa_upgrade_template_project_id = fields.Many2one(
        "project.project",
        string="Upgrade project template",
        check_company=True,
        help="'Request upgrade' on an installation copies this project, with "
        "its tasks.",
    )

    @api.constrains(*PSA_COMPANY_SETTINGS)
    def _check_psa_settings_company(self):
        """Each support setting of a company is a record of that company or
        shared by all companies: a commercial team of another company would
        move the company's tickets there.

        :raise ValidationError: naming the setting and the other company"""
        for company in self:
            for fname in PSA_COMPANY_SETTINGS:
                # sudo: the company of a configured record, whoever saves
                other = company[fname].sudo().company_id
                if other and other != company:
                    raise ValidationError(
                        self.env._(
                            "%(setting)s of %(company)s must be of %(company)s "
                            "or shared by all companies, not of %(other)s.",
                            setting=self._fields[fname].string,
                            company=company.name,
                            other=other.name,
                        )
                    )
