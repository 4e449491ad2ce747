# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


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

    contract_ids = fields.One2many(
        "psa.contract",
        "partner_id",
        string="Contracts",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )
    psa_contract_count = fields.Integer(
        compute="_compute_psa_contract_state",
        string="Contracts count",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )
    psa_has_active_contract = fields.Boolean(
        compute="_compute_psa_contract_state",
        search="_search_psa_has_active_contract",
        string="Under contract",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
        help="The customer company has an active support contract today.",
    )
    psa_account_leader_id = fields.Many2one(
        "res.users",
        string="Account leader",
        domain="[('share', '=', False)]",
        groups="base.group_user",
        help="Person in charge of this customer: follows its new tickets and "
        "is their assignee when they arrive without one.",
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["psa_account_leader_id"]

    def _compute_psa_contract_state(self):
        Contract = self.env["psa.contract"]
        customers = self.commercial_partner_id
        counts = dict(
            Contract._read_group(
                [("partner_id", "in", customers.ids)], ["partner_id"], ["__count"]
            )
        )
        active = {
            partner
            for (partner,) in Contract._read_group(
                Contract._active_domain() + [("partner_id", "in", customers.ids)],
                ["partner_id"],
            )
        }
        for partner in self:
            partner.psa_contract_count = counts.get(partner.commercial_partner_id, 0)
            partner.psa_has_active_contract = partner.commercial_partner_id in active

    def _search_psa_has_active_contract(self, operator, value):
        if operator not in ("=", "!="):
            raise NotImplementedError(self.env._("Unsupported search on contracts."))
        Contract = self.env["psa.contract"]
        customers = Contract.search(Contract._active_domain()).partner_id
        positive = (operator == "=") == bool(value)
        return [
            ("commercial_partner_id", "in" if positive else "not in", customers.ids)
        ]

    def action_view_psa_contracts(self):
        self.ensure_one()
        customer = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "psa_helpdesk.psa_contract_action"
        )
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"default_partner_id": customer.id}
        return action

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
