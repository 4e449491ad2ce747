# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class PsaProduct(models.Model):
    """A software product the company sells and supports."""

    _name = "psa.product"
    _description = "Software product"
    _inherit = ["mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short unique code of the product, used in reports and task titles.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Html()
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to share the product between all companies.",
    )
    development_project_id = fields.Many2one(
        "project.project",
        string="Development project",
        check_company=True,
        tracking=True,
        help="Project where the development team fixes this product's bugs. "
        "Tickets escalated to development become tasks of this project.",
    )
    version_ids = fields.One2many("psa.product.version", "product_id", "Versions")
    module_ids = fields.One2many("psa.product.module", "product_id", "Modules")
    latest_version_id = fields.Many2one(
        "psa.product.version",
        compute="_compute_latest_version_id",
        string="Latest version",
    )
    installation_count = fields.Integer(compute="_compute_installation_count")

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "Another product already uses this code.",
        )
    ]

    @api.depends("version_ids.version_key")
    def _compute_latest_version_id(self):
        for product in self:
            versions = product.version_ids.sorted("version_key", reverse=True)
            product.latest_version_id = versions[:1]

    def _compute_installation_count(self):
        counts = dict(
            self.env["psa.installation"]._read_group(
                [("product_id", "in", self.ids)], ["product_id"], ["__count"]
            )
        )
        for product in self:
            product.installation_count = counts.get(product, 0)

    def action_view_installations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "psa_helpdesk.psa_installation_action"
        )
        action["domain"] = [("product_id", "=", self.id)]
        action["context"] = {"default_product_id": self.id}
        return action
