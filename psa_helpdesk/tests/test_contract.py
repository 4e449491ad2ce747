# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import PsaContractCommon


@tagged("post_install", "-at_install")
class TestContract(PsaContractCommon):
    @freeze_time("2026-03-02")
    def test_state_derived_from_dates(self):
        contract = self._contract(
            partner_id=self.other_customer.id,
            product_ids=[Command.set(self.other_product.ids)],
            date_start="2026-03-10",
            date_end="2026-12-31",
            confirmed=False,
        )
        self.assertEqual(contract.state, "draft")
        contract.action_confirm()
        self.assertEqual(contract.state, "draft", "signed but not started")
        contract.date_start = "2026-01-01"
        self.assertEqual(contract.state, "active")
        contract.date_end = "2026-02-28"
        self.assertEqual(contract.state, "expired")
        contract.action_cancel()
        self.assertEqual(contract.state, "cancelled")
        contract.action_reset_draft()
        self.assertEqual(contract.state, "expired", "the dates still say so")
        contract.date_end = False
        self.assertEqual(contract.state, "draft", "not confirmed any more")

    def test_cron_moves_states_with_the_calendar(self):
        with freeze_time("2026-03-02"):
            contract = self._contract(
                partner_id=self.other_customer.id,
                product_ids=[Command.set(self.other_product.ids)],
                date_start="2026-03-05",
                date_end="2026-03-20",
            )
            self.assertEqual(contract.state, "draft")
        with freeze_time("2026-03-06"):
            self.env["psa.contract"]._cron_update_state()
            self.assertEqual(contract.state, "active")
        with freeze_time("2026-03-21"):
            self.env["psa.contract"]._cron_update_state()
            self.assertEqual(contract.state, "expired")

    def test_end_before_start_rejected(self):
        with self.assertRaises(ValidationError):
            self._contract(
                partner_id=self.other_customer.id,
                product_ids=[Command.set(self.other_product.ids)],
                date_start="2026-05-01",
                date_end="2026-04-30",
            )
        with self.assertRaises(ValidationError):
            self.contract.date_end = "2019-12-31"
        self.assertFalse(self.contract.date_end, "nothing changed")

    def test_overlap_rejected_unless_allowed(self):
        with self.assertRaises(ValidationError):
            self._contract(date_start="2025-01-01", date_end="2025-12-31")
        # another product of the same customer does not overlap
        self._contract(
            date_start="2025-01-01", product_ids=[Command.set(self.other_product.ids)]
        )
        # an explicitly overlapping contract is fine
        self._contract(date_start="2025-01-01", allow_overlap=True)
        # a cancelled or draft contract does not count
        self.contract.action_cancel()
        self._contract(date_start="2025-06-01", date_end="2025-12-31")

    def test_confirmed_contract_needs_products(self):
        with self.assertRaises(ValidationError):
            self._contract(
                partner_id=self.other_customer.id, product_ids=[Command.clear()]
            )

    def test_penalties_reserved_to_managers(self):
        self.contract.penalty_per_breach = 1000
        contract = self.contract.with_user(self.agent)
        self.assertEqual(contract.state, "active", "agents read the contract")
        with self.assertRaises(AccessError):
            contract.read(["penalty_per_breach"])
        with self.assertRaises(AccessError):
            contract.read(["penalty_per_hour"])
        self.assertNotIn("penalty_per_breach", contract.fields_get())
        self.assertEqual(self.contract.with_user(self.manager).penalty_per_breach, 1000)

    def test_agents_and_analysts_do_not_edit_contracts(self):
        for user in (self.agent, self.analyst):
            with self.assertRaises(AccessError):
                self.contract.with_user(user).write({"date_end": "2030-01-01"})
            with self.assertRaises(AccessError):
                self.env["psa.contract"].with_user(user).create(
                    {
                        "name": "X",
                        "partner_id": self.other_customer.id,
                        "service_tier_id": self.tier_basic.id,
                    }
                )

    def test_partner_contract_indicator(self):
        partner = self.contact.with_user(self.agent)
        self.assertTrue(partner.psa_has_active_contract)
        self.assertEqual(self.customer.psa_contract_count, 1)
        self.assertFalse(self.other_customer.psa_has_active_contract)
        found = self.env["res.partner"].search(
            [("psa_has_active_contract", "=", True), ("id", "in", self.contact.ids)]
        )
        self.assertEqual(found, self.contact)
        self.contract.action_cancel()
        self.customer.invalidate_recordset(["psa_has_active_contract"])
        self.assertFalse(self.customer.psa_has_active_contract)
