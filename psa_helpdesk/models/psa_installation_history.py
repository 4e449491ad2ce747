# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class PsaInstallationHistory(models.Model):
    """One version change of an installation: from, to, when, who, how.

    An audit row: written only by the version change of the installation
    (``psa.installation._log_version_change``) and the upgrade delivery,
    which names its project (``psa.installation._psa_deliver_upgrade``);
    every role only reads it, and it goes only with its installation."""

    _name = "psa.installation.history"
    _description = "Installation version history"
    _order = "date desc, id desc"

    installation_id = fields.Many2one(
        "psa.installation", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(
        related="installation_id.partner_id", store=True, string="Customer"
    )
    product_id = fields.Many2one(related="installation_id.product_id", store=True)
    from_version_id = fields.Many2one(
        "psa.product.version", string="From version", ondelete="restrict"
    )
    to_version_id = fields.Many2one(
        "psa.product.version", string="To version", required=True, ondelete="restrict"
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users", string="Changed by", required=True, default=lambda s: s.env.user
    )
    project_id = fields.Many2one(
        "project.project",
        string="Upgrade project",
        help="The implementation project that delivered this version, if any.",
    )
    company_id = fields.Many2one(related="installation_id.company_id", store=True)
