# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class PsaProductModule(models.Model):
    """A functional module of a product (e.g. Payroll, Accounting)."""

    _name = "psa.product.module"
    _description = "Product module"
    _order = "product_id, sequence, name"
    _rec_names_search = ["name", "code"]

    product_id = fields.Many2one(
        "psa.product", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    description = fields.Text()
    company_id = fields.Many2one(related="product_id.company_id", store=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_product_uniq",
            "unique(product_id, code)",
            "Another module of this product already uses this code.",
        )
    ]

    @api.depends("product_id.code")
    def _compute_display_name(self):
        for module in self:
            module.display_name = (
                f"{module.product_id.code} / {module.name}"
                if module.product_id
                else module.name
            )
