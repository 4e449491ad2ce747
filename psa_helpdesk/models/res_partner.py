# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    installation_ids = fields.One2many(
        "psa.installation",
        "partner_id",
        string="Installations",
        groups="base.group_user",
    )
    psa_installation_count = fields.Integer(
        compute="_compute_psa_installation_count",
        string="Installations count",
        groups="base.group_user",
    )

    def _compute_psa_installation_count(self):
        counts = dict(
            self.env["psa.installation"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.psa_installation_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def action_view_psa_installations(self):
        self.ensure_one()
        customer = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "psa_helpdesk.psa_installation_action"
        )
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"default_partner_id": customer.id}
        return action
