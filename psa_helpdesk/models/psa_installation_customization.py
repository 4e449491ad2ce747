# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PsaInstallationCustomization(models.Model):
    """A module customised for one installation, with what was changed."""

    _name = "psa.installation.customization"
    _description = "Customised module of an installation"
    _order = "installation_id, module_id"

    installation_id = fields.Many2one(
        "psa.installation", required=True, ondelete="cascade", index=True
    )
    product_id = fields.Many2one(related="installation_id.product_id")
    module_id = fields.Many2one(
        "psa.product.module",
        required=True,
        domain="[('product_id', '=', product_id)]",
    )
    name = fields.Char(
        string="Customisation",
        required=True,
        help="Short description of what was customised.",
    )
    notes = fields.Text(help="Details: scope, reference of the change request...")
    delivery_date = fields.Date()
    company_id = fields.Many2one(related="installation_id.company_id", store=True)

    _sql_constraints = [
        (
            "module_installation_uniq",
            "unique(installation_id, module_id)",
            (
                "This module is already listed as customised for the "
                "installation: add the details to the existing line."
            ),
        )
    ]

    @api.constrains("module_id", "installation_id")
    def _check_module_product(self):
        for line in self:
            if line.module_id.product_id != line.installation_id.product_id:
                raise ValidationError(
                    self.env._(
                        "Module %(module)s does not belong to %(product)s.",
                        module=line.module_id.display_name,
                        product=line.installation_id.product_id.display_name,
                    )
                )
