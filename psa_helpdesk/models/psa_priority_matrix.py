# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..const import PRIORITIES, SEVERITIES, SEVERITY_HELP


class PsaPriorityMatrix(models.Model):
    """One cell of a tier's priority matrix: severity → priority."""

    _name = "psa.priority.matrix"
    _description = "Priority matrix cell"
    _order = "tier_id, severity"

    tier_id = fields.Many2one(
        "psa.service.tier", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="tier_id.company_id", store=True)
    severity = fields.Selection(SEVERITIES, required=True, help=SEVERITY_HELP)
    priority = fields.Selection(PRIORITIES, required=True)

    _sql_constraints = [
        (
            "tier_severity_uniq",
            "unique(tier_id, severity)",
            "A tier has one priority per severity.",
        )
    ]

    @api.constrains("tier_id", "severity")
    def _check_tier_complete(self):
        # Deleting or moving a cell must not leave its tier incomplete.
        self.tier_id._check_matrix_complete()

    def unlink(self):
        tiers = self.tier_id
        res = super().unlink()
        tiers.exists()._check_matrix_complete()
        return res
