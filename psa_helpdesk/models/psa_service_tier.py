# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..const import SEVERITIES


class PsaServiceTier(models.Model):
    """Level of service sold in a contract (e.g. Premium, Standard, Basic). Its
    matrix turns a ticket's severity into the priority the team works it with."""

    _name = "psa.service.tier"
    _description = "Service tier"
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    matrix_ids = fields.One2many(
        "psa.priority.matrix",
        "tier_id",
        string="Priority matrix",
        copy=True,
        help="For each severity, the priority of tickets of this tier.",
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A service tier with this name already exists.",
        )
    ]

    @api.constrains("matrix_ids")
    def _check_matrix_complete(self):
        severities = {key for key, _label in SEVERITIES}
        for tier in self:
            missing = severities - set(tier.matrix_ids.mapped("severity"))
            if missing:
                raise ValidationError(
                    self.env._(
                        "The priority matrix of tier %(tier)s has no cell for "
                        "severity %(severities)s: every severity needs a priority.",
                        tier=tier.display_name,
                        severities=", ".join(f"S{s}" for s in sorted(missing)),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("matrix_ids"):
                # A new tier starts with the identity matrix (S1 → P1 ...), so
                # it is complete from the first save and can be tuned later.
                vals["matrix_ids"] = [
                    fields.Command.create({"severity": key, "priority": key})
                    for key, _label in SEVERITIES
                ]
        return super().create(vals_list)

    def _priority_for(self, severity):
        """Priority ('1'..'3') of ``severity`` in this tier; without a tier the
        severity maps one to one (S1 → P1)."""
        if not self:
            return severity
        self.ensure_one()
        cell = self.matrix_ids.filtered(lambda m: m.severity == severity)[:1]
        return cell.priority or severity
