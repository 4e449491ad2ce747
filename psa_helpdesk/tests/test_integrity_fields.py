# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Integrity of the SLA evidence (SPEC §7), ticket fields: who may write
entitlement, contract, every priority field, the clocks' bookkeeping and the
installation snapshot (``FIELD_RIGHTS`` in models/helpdesk_ticket.py), through
every path a person has: the form, RPC ``write``/``create``/``web_save``, the
wizards. A refusal is an error, and nothing changes."""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from ..models.helpdesk_ticket import FIELD_RIGHTS
from .common import PsaContractCommon


@tagged("post_install", "-at_install")
class TestTicketFieldRights(PsaContractCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.developer = new_test_user(
            cls.env, login="fr_developer", groups="psa_helpdesk.group_psa_developer"
        )
        # other contracts of the same customer that must not entitle
        overlap = {"allow_overlap": True}
        cls.expired = cls._contract(name="Expired", date_end="2021-01-01", **overlap)
        cls.other_product_contract = cls._contract(
            name="Payroll only",
            product_ids=[Command.set(cls.other_product.ids)],
            **overlap,
        )
        cls.cancelled = cls._contract(name="Cancelled", **overlap)
        cls.cancelled.action_cancel()
        cls.unsigned = cls._contract(name="Unsigned", confirmed=False, **overlap)
        # the customer loses its covering contract: its tickets are not entitled
        cls.contract.action_cancel()

    def _snapshot(self, ticket):
        ticket.invalidate_recordset()
        ticket = ticket.sudo()
        return (
            ticket.contract_id,
            ticket.psa_entitled,
            ticket.psa_priority,
            ticket.priority,
            len(ticket.psa_sla_ids),
            len(ticket.activity_ids),
        )

    def test_contract_write_refused_to_agents_and_analysts(self):
        """An agent or analyst cannot entitle a ticket by writing a contract
        that does not cover it (another product, expired, cancelled,
        unsigned): RPC write, create and web_save."""
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        self.assertFalse(ticket.psa_entitled)
        before = self._snapshot(ticket)
        for user in (self.agent, self.analyst):
            for contract in (
                self.expired,
                self.other_product_contract,
                self.cancelled,
                self.unsigned,
            ):
                with self.subTest(user=user.login, contract=contract.name):
                    with self.assertRaises(AccessError):
                        ticket.with_user(user).write({"contract_id": contract.id})
                    self.assertEqual(self._snapshot(ticket), before)
                    with self.assertRaises(AccessError):
                        ticket.with_user(user).web_save(
                            {"contract_id": contract.id}, specification={}
                        )
                    self.assertEqual(self._snapshot(ticket), before)
                    count = self.env["helpdesk.ticket"].search_count([])
                    with self.assertRaises(AccessError):
                        self._ticket(user=user, contract_id=contract.id)
                    self.assertEqual(
                        self.env["helpdesk.ticket"].search_count([]), count
                    )

    def test_contract_by_manager_must_cover(self):
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        for contract in (self.expired, self.other_product_contract, self.unsigned):
            with self.subTest(contract=contract.name):
                with self.assertRaises(ValidationError):
                    ticket.with_user(self.manager).write({"contract_id": contract.id})
                self.assertFalse(ticket.contract_id)
        # another active contract covering the product: a manager's choice
        second = self._contract(name="Second", allow_overlap=True)
        ticket.with_user(self.manager).write({"contract_id": second.id})
        self.assertTrue(ticket.psa_entitled)

    def test_agent_form_keeps_working(self):
        """The form sends the computed contract and stars back: the values
        the rules give are accepted."""
        self._contract(name="Active again", allow_overlap=True)
        with Form(self.env["helpdesk.ticket"].with_user(self.agent)) as form:
            form.name = "Invoices rejected"
            form.description = "<p>Since this morning</p>"
            form.partner_id = self.contact
            form.severity = "2"
        ticket = form.save()
        self.assertTrue(ticket.psa_entitled)
        self.assertEqual((ticket.psa_priority, ticket.priority), ("2", "2"))
        with Form(ticket.with_user(self.agent)) as form:
            form.severity = "1"
        self.assertEqual((ticket.psa_priority, ticket.priority), ("1", "3"))

    def test_system_fields_refused_to_every_user(self):
        """Fields only the addon writes: refused to agents, analysts,
        developers and managers alike, over write and create."""
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        samples = {
            "psa_product_id": self.other_product.id,
            "psa_version_id": self.other_version.id,
            "psa_environment": "test",
            "psa_module_ids": [Command.set(self.other_module.ids)],
            "psa_customized_module_ids": [Command.set(self.other_module.ids)],
            "psa_customization_notes": "forged",
            "psa_snapshot_date": "2020-01-01 00:00:00",
            "psa_service_tier_id": self.tier_basic.id,
            "commercial_partner_id": self.other_customer.id,
            "psa_entitled": True,
            "psa_sla_applies": True,
            "psa_entitlement_pending": True,
            "psa_entitlement_exception": True,
            "psa_entitlement_reason": "forged",
            "psa_entitlement_user_id": self.manager.id,
            "psa_matrix_priority": "1",
            "psa_aging_priority": "1",
            "psa_priority": "1",
            "psa_sla_cycle": 7,
            "psa_sla_resume_stage_id": ticket.stage_id.id,
            "psa_sla_status": "met",
            "psa_sla_deadline": "2030-01-01 00:00:00",
            "psa_sla_update_late": True,
            "psa_segment_since": {},
            "psa_sla_error": True,
            "psa_auto_answer_email": "forged@example.com",
            "psa_auto_answer_date": "2020-01-01 00:00:00",
            "psa_automatic_origin": "auto_reply",
            "psa_article_id": self.env["document.page"]
            .create(
                {
                    "name": "Forged",
                    "psa_kind": "solution",
                    "psa_product_id": self.product.id,
                }
            )
            .id,
            "psa_validation_state": "accepted",
            "psa_validation_sent": "2020-01-01 00:00:00",
            "psa_validation_deadline": "2020-01-01 00:00:00",
            "psa_validation_date": "2020-01-01 00:00:00",
            "psa_validation_hours": 1.0,
            "psa_no_documentation": True,
        }
        system = {f for f, right in FIELD_RIGHTS.items() if right == "system"}
        self.assertEqual(set(samples), system, "every system field is tried")
        before = self._snapshot(ticket)
        for user in (self.agent, self.analyst, self.manager):
            for fname, value in samples.items():
                with self.subTest(user=user.login, field=fname):
                    with self.assertRaises(AccessError):
                        ticket.with_user(user).write({fname: value})
                    self.assertEqual(self._snapshot(ticket), before)
        with self.assertRaises(AccessError):
            self._ticket(user=self.manager, psa_aging_priority="1")
        # a developer may not write tickets at all
        with self.assertRaises(AccessError):
            ticket.with_user(self.developer).write({"psa_aging_priority": "1"})

    def test_aging_priority_cannot_raise_p1_alerts(self):
        """An agent cannot make a ticket P1 by writing the aging priority:
        no P1 alert, no override recorded."""
        self._contract(name="Active again", allow_overlap=True)
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id, severity="3")
        self.assertTrue(ticket.psa_entitled)
        activities = len(ticket.sudo().activity_ids)
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).write({"psa_aging_priority": "1"})
        self.assertEqual(ticket.psa_priority, "3")
        self.assertEqual(len(ticket.sudo().activity_ids), activities)

    def test_stars_follow_p(self):
        """The OCA stars cannot contradict P, by list, kanban or RPC."""
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id, severity="3")
        self.assertEqual((ticket.psa_priority, ticket.priority), ("3", "1"))
        for user in (self.agent, self.analyst, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    ticket.with_user(user).write({"priority": "3"})
                self.assertEqual(ticket.priority, "1")
        ticket.with_user(self.agent).write({"priority": "1"})  # the same: fine
        high = self.env["helpdesk.ticket"].search(
            [("id", "=", ticket.id), ("priority", "=", "3")]
        )
        self.assertFalse(high, "not listed by helpdesk_mgmt's high priority filter")

    def test_no_ticket_contradicts_its_priority(self):
        """Demo tickets and tickets that existed before the installation
        follow P too."""
        Ticket = self.env["helpdesk.ticket"].with_context(active_test=False)
        for ticket in Ticket.search([("psa_priority", "!=", False)]):
            self.assertEqual(
                ticket.priority,
                {"1": "3", "2": "2", "3": "1"}[ticket.psa_priority],
                ticket.display_name,
            )

    def test_exception_only_through_the_wizard(self):
        """The entitlement exception, its reason and who granted it: written
        by the exception action only, author and reason from it."""
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        for user in (self.agent, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    ticket.with_user(user).write(
                        {
                            "psa_entitlement_exception": True,
                            "psa_entitlement_reason": "x",
                            "psa_entitlement_user_id": self.leader.id,
                        }
                    )
                self.assertFalse(ticket.psa_entitled)
        Wizard = self.env["psa.entitlement.exception.wizard"]
        with self.assertRaises(AccessError):
            Wizard.with_user(self.agent).create(
                {"ticket_id": ticket.id, "reason": "Agent"}
            ).action_grant()
        Wizard.with_user(self.manager).create(
            {"ticket_id": ticket.id, "reason": "Renewal being signed"}
        ).action_grant()
        self.assertTrue(ticket.psa_entitled)
        self.assertEqual(ticket.psa_entitlement_user_id, self.manager)

    def test_override_needs_a_supervisor(self):
        self._contract(name="Active again", allow_overlap=True)
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        values = {"psa_priority_override": "1", "psa_priority_override_reason": "VIP"}
        for user in (self.agent, self.analyst):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                ticket.with_user(user).write(values)
        ticket.with_user(self.leader).write(values)
        self.assertEqual(ticket.psa_priority, "1")


@tagged("post_install", "-at_install")
class TestEntitlementWaitsForProduct(PsaContractCommon):
    """A ticket without product is covered by no contract (SPEC §2): a
    customer with several installations does not look covered for a product
    no contract covers; once the product is known, the clocks count from the
    ticket's creation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.target_ids = [
            Command.create(
                {
                    "priority": p,
                    "response_hours": 4,
                    "resolution_hours": 16,
                    "update_hours": 8,
                }
            )
            for p in ("1", "2", "3")
        ]
        # a second installation, of a product no contract covers
        cls.payroll = cls.env["psa.installation"].create(
            {
                "partner_id": cls.customer.id,
                "product_id": cls.other_product.id,
                "version_id": cls.other_version.id,
                "environment": cls.installation.environment,
            }
        )

    def test_several_installations_wait_for_the_product(self):
        with freeze_time("2026-03-02 09:00:00"):  # Monday, calendar 8-12 13-17
            ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        # the database sets the creation time: pin it to the frozen time
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
            ("2026-03-02 09:00:00", ticket.id),
        )
        ticket.invalidate_recordset(["create_date"])
        self.assertFalse(ticket.installation_id, "two installations: none guessed")
        self.assertFalse(ticket.psa_entitled)
        self.assertTrue(ticket.psa_entitlement_pending)
        self.assertEqual(ticket.team_id, self.team_l1, "not routed to commercial")
        self.assertFalse(ticket.sudo().psa_sla_ids)
        with freeze_time("2026-03-02 11:00:00"):
            ticket.with_user(self.agent).installation_id = self.payroll
        self.assertFalse(ticket.psa_entitled, "no contract covers payroll")
        self.assertFalse(ticket.psa_entitlement_pending)
        with freeze_time("2026-03-02 14:30:00"):
            ticket.with_user(self.agent).installation_id = self.installation
        self.assertTrue(ticket.psa_entitled)
        response = ticket.sudo().psa_sla_ids.filtered(lambda c: c.metric == "response")
        self.assertEqual(str(response.start_date), "2026-03-02 09:00:00")
        # 9-12 and 13-14:30: 4.5 business hours, past the 4 h target
        self.assertAlmostEqual(response.consumed_hours, 4.5)
        self.assertEqual(response.status, "breached")


@tagged("post_install", "-at_install")
class TestTicketRightsOtherPaths(PsaContractCommon):
    """The rights hold on the paths around write: default_* keys of the
    context, copy, the policy cleared, the level written directly, the
    customer rewritten."""

    def test_context_defaults_are_values(self):
        for key, value in (
            ("default_psa_entitlement_exception", True),
            ("default_psa_aging_priority", "1"),
            ("default_psa_sla_cycle", 7),
            ("default_priority", "3"),
        ):
            with self.subTest(key=key):
                count = self.env["helpdesk.ticket"].search_count([])
                with self.assertRaises(AccessError):
                    self.env["helpdesk.ticket"].with_user(self.agent).with_context(
                        **{key: value}
                    ).create(
                        {
                            "name": "Forged",
                            "description": "<p>x</p>",
                            "partner_id": self.contact.id,
                            "severity": "3",
                        }
                    )
                self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)

    def test_copy_by_an_agent(self):
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        copy = ticket.with_user(self.agent).copy()
        self.assertEqual(copy.installation_id, ticket.installation_id)
        self.assertEqual(copy.psa_product_id, ticket.psa_product_id)
        self.assertEqual(copy.contract_id, ticket.contract_id)

    def test_policy_cannot_be_cleared(self):
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        self.assertEqual(ticket.psa_sla_policy_id, self.policy)
        for path in ("write", "web_save"):
            with self.subTest(path=path), self.assertRaises(AccessError):
                if path == "write":
                    ticket.with_user(self.agent).write({"psa_sla_policy_id": False})
                else:
                    ticket.with_user(self.agent).web_save(
                        {"psa_sla_policy_id": False}, specification={}
                    )
            self.assertEqual(ticket.psa_sla_policy_id, self.policy)

    def test_level_only_through_escalation(self):
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).write({"support_level": "3"})
        self.assertEqual(ticket.support_level, "1")
        # given at creation
        other = self._ticket(user=self.agent, support_level="2")
        self.assertEqual(other.support_level, "2")

    def test_customer_comes_from_the_contact(self):
        ticket = self._ticket(user=self.agent, partner_id=self.other_contact.id)
        self.assertFalse(ticket.psa_entitled)
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).write(
                {"commercial_partner_id": self.customer.id}
            )
        self.assertFalse(ticket.psa_entitled)
