# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .common import PsaContractCommon


@tagged("post_install", "-at_install")
class TestEntitlement(PsaContractCommon):
    def _customer_messages(self, ticket):
        customer = ticket.partner_id
        return ticket.message_ids.filtered(
            lambda m: m.message_type == "comment" and customer in m.partner_ids
        )

    def test_covered_ticket_is_entitled(self):
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        self.assertEqual(ticket.installation_id, self.installation)
        self.assertEqual(ticket.contract_id, self.contract)
        self.assertTrue(ticket.psa_entitled)
        self.assertTrue(ticket.psa_sla_applies)
        self.assertEqual(ticket.team_id, self.team_l1, "not routed")
        self.assertFalse(self._customer_messages(ticket))

    def test_uncovered_ticket_is_created_marked_routed_and_answered(self):
        ticket = self._ticket(user=self.agent, partner_id=self.other_contact.id)
        self.assertTrue(ticket.exists(), "nothing is lost")
        self.assertFalse(ticket.contract_id)
        self.assertFalse(ticket.psa_entitled)
        self.assertFalse(ticket.psa_sla_applies)
        self.assertEqual(ticket.team_id, self.team_commercial)
        answer = self._customer_messages(ticket.sudo())
        self.assertEqual(len(answer), 1, "polite automatic answer to the customer")
        self.assertIn("support contract", answer.body)
        note = ticket.message_ids.filtered(lambda m: "not entitled" in str(m.body))
        self.assertIn(self.team_commercial.name, note.body)

    def test_routing_keeps_a_chosen_team_and_its_project(self):
        """Routing gives a team nobody chose: the team (and the project the
        team or the caller gave) of whoever creates the ticket is kept, as
        helpdesk_mgmt promises; the ticket is still not entitled, kept out
        of the clocks and answered. An email to a team's alias is routed:
        the alias's team is the channel's, not a choice."""
        project = self.env["project.project"].create({"name": "Team L1 work"})
        for values in (
            {"team_id": self.team_l1.id},
            {"team_id": self.team_l1.id, "project_id": project.id},
        ):
            ticket = self._ticket(
                user=self.agent, partner_id=self.other_contact.id, **values
            )
            self.assertEqual(ticket.team_id, self.team_l1, "the agent's choice")
            self.assertEqual(ticket.project_id.id, values.get("project_id", False))
            self.assertFalse(ticket.psa_entitled)
            self.assertFalse(ticket.sudo().psa_sla_ids)
            self.assertEqual(len(self._customer_messages(ticket.sudo())), 1)
        # a team given as the context's default is a choice too
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .with_context(default_team_id=self.team_l1.id)
            .create(
                {
                    "name": "From the team's kanban",
                    "description": "<p>x</p>",
                    "partner_id": self.other_contact.id,
                }
            )
        )
        self.assertEqual(ticket.team_id, self.team_l1)
        # the portal: a team the customer picked is kept, none is routed
        portal = new_test_user(
            self.env,
            login="psa_portal_team",
            groups="base.group_portal",
            partner_id=self.other_contact.id,
        )
        Portal = self.env["helpdesk.ticket"].with_user(portal).sudo()
        values = {
            "name": "From the portal",
            "description": "<p>x</p>",
            "partner_id": portal.partner_id.id,
        }
        picked = Portal.create(dict(values, team_id=self.team_l1.id))
        self.assertEqual(picked.team_id, self.team_l1)
        self.assertEqual(Portal.create(values).team_id, self.team_commercial)
        # an email to the team's alias: the alias's team is routed
        ticket = (
            self.env["helpdesk.ticket"]
            .with_context(psa_alias_team_id=self.team_l1.id)
            .create(dict(values, team_id=self.team_l1.id))
        )
        self.assertEqual(ticket.team_id, self.team_commercial)
        self.assertFalse(ticket.env.context.get("default_team_id"))

    def test_no_commercial_team_no_routing(self):
        """A company without commercial team routes nothing: the ticket
        without contract stays where helpdesk_mgmt puts it (no team, or the
        assignee's team), still marked and answered."""
        self.company.psa_commercial_team_id = False
        ticket = self._ticket(user=self.agent, partner_id=self.other_contact.id)
        self.assertFalse(ticket.psa_entitled)
        self.assertNotEqual(ticket.team_id, self.team_commercial)
        self.assertEqual(len(self._customer_messages(ticket.sudo())), 1)

    def test_expired_or_other_product_contract_does_not_entitle(self):
        self.contract.date_end = "2021-01-01"
        self.assertEqual(self.contract.state, "expired")
        self.assertFalse(self._ticket(user=self.agent).psa_entitled)
        # an active contract for another product only
        self._contract(product_ids=[(6, 0, self.other_product.ids)])
        self.assertFalse(self._ticket(user=self.agent).psa_entitled)

    def test_ticket_without_product_waits_for_it(self):
        """Without a product no contract covers (SPEC §2); a customer under
        contract is not routed nor answered as one without contract: its
        ticket waits for the installation."""
        ticket = self._ticket(
            user=self.agent, installation_id=False, team_id=self.team_l1.id
        )
        self.assertFalse(ticket.psa_product_id)
        self.assertFalse(ticket.contract_id)
        self.assertFalse(ticket.psa_entitled)
        self.assertTrue(ticket.psa_entitlement_pending)
        self.assertEqual(ticket.team_id, self.team_l1, "not routed")
        self.assertFalse(self._customer_messages(ticket.sudo()), "no answer")
        ticket.with_user(self.agent).installation_id = self.installation
        self.assertEqual(ticket.contract_id, self.contract)
        self.assertTrue(ticket.psa_entitled)
        self.assertFalse(ticket.psa_entitlement_pending)
        # a customer without contract: not entitled, not pending
        ticket = self._ticket(
            user=self.agent, partner_id=self.other_contact.id, installation_id=False
        )
        self.assertFalse(ticket.psa_entitled)
        self.assertFalse(ticket.psa_entitlement_pending)

    def test_entitlement_from_every_channel(self):
        # mail gateway
        Ticket = self.env["helpdesk.ticket"]
        ticket = Ticket.message_new(
            {
                "subject": "Help",
                "body": "<p>It broke</p>",
                "author_id": self.other_contact.id,
                "email_from": "otto@other.example",
            }
        )
        self.assertFalse(ticket.psa_entitled)
        self.assertEqual(ticket.team_id, self.team_commercial)
        ticket = Ticket.message_new(
            {"subject": "Help", "body": "<p>x</p>", "author_id": self.contact.id}
        )
        self.assertTrue(ticket.psa_entitled)
        # portal: the controller creates with sudo as the portal user
        portal = new_test_user(
            self.env,
            login="psa_portal",
            groups="base.group_portal",
            partner_id=self.other_contact.id,
        )
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(portal)
            .sudo()
            .create(
                {
                    "name": "From the portal",
                    "description": "<p>x</p>",
                    "partner_id": portal.partner_id.id,
                }
            )
        )
        self.assertFalse(ticket.psa_entitled)
        self.assertEqual(ticket.team_id, self.team_commercial)
        # form
        with Form(self.env["helpdesk.ticket"].with_user(self.agent)) as form:
            form.name = "From the form"
            form.description = "<p>x</p>"
            form.partner_id = self.contact
        self.assertTrue(form.record.psa_entitled)

    def test_manager_grants_exception(self):
        ticket = self._ticket(user=self.agent, partner_id=self.other_contact.id)
        wizard = (
            self.env["psa.entitlement.exception.wizard"]
            .with_user(self.manager)
            .with_context(active_model="helpdesk.ticket", active_id=ticket.id)
            .create({"reason": "Renewal signed yesterday", "team_id": self.team_l1.id})
        )
        wizard.action_grant()
        self.assertTrue(ticket.psa_entitled)
        self.assertTrue(ticket.psa_sla_applies)
        self.assertEqual(ticket.psa_entitlement_user_id, self.manager)
        self.assertEqual(ticket.team_id, self.team_l1)
        self.assertIn("Renewal signed yesterday", ticket.message_ids[:1].body or "")
        with self.assertRaises(UserError):
            self.env["psa.entitlement.exception.wizard"].with_user(self.manager).create(
                {"ticket_id": ticket.id, "reason": "again"}
            ).action_grant()

    def test_exception_tells_whether_clocks_start(self):
        """Issue 16, point 5: no contract and a team without a policy: the
        wizard says no clock starts, and none does; choosing a policy starts
        them."""
        self.team_l1.psa_sla_policy_id = False
        ticket = self._ticket(user=self.agent, partner_id=self.other_contact.id)
        Wizard = self.env["psa.entitlement.exception.wizard"].with_user(self.manager)
        wizard = Wizard.with_context(
            active_model="helpdesk.ticket", active_id=ticket.id
        ).create({"reason": "Goodwill", "team_id": self.team_l1.id})
        self.assertFalse(wizard.sla_policy_id)
        wizard.action_grant()
        self.assertTrue(ticket.psa_entitled)
        self.assertFalse(ticket.psa_sla_ids, "no policy: no clock")
        self.assertIn("No SLA clock runs", ticket.message_ids[:1].body)
        # with the policy the manager chose, the clocks run
        other = self._ticket(user=self.agent, partner_id=self.other_contact.id)
        wizard = Wizard.create(
            {"ticket_id": other.id, "reason": "Goodwill", "team_id": self.team_l1.id}
        )
        self.assertFalse(wizard.sla_policy_id)
        self.assertFalse(wizard.sla_starts)
        policy = self.env["psa.sla.policy"].create(
            {
                "name": "Goodwill policy",
                "resource_calendar_id": self.calendar.id,
                "target_ids": [
                    Command.create(
                        {"priority": p, "response_hours": 4, "resolution_hours": 40}
                    )
                    for p in ("1", "2", "3")
                ],
            }
        )
        wizard.sla_policy_id = policy
        self.assertTrue(wizard.sla_starts)
        wizard.action_grant()
        self.assertEqual(other.psa_sla_policy_id, policy)
        self.assertTrue(other.psa_sla_ids)
        self.assertIn("Goodwill policy", other.message_ids[:1].body)

    def test_agent_cannot_grant_exception(self):
        ticket = self._ticket(user=self.agent, partner_id=self.other_contact.id)
        with self.assertRaises(AccessError):
            self.env["psa.entitlement.exception.wizard"].with_user(self.analyst).create(
                {"ticket_id": ticket.id, "reason": "please"}
            )
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).write({"psa_entitlement_exception": True})
        with self.assertRaises(AccessError):
            self._ticket(
                user=self.agent,
                partner_id=self.other_contact.id,
                psa_entitlement_exception=True,
            )
        self.assertFalse(ticket.psa_entitled)

    def test_account_leader_assigned(self):
        self.customer.psa_account_leader_id = self.leader
        self.assertEqual(self.contact.psa_account_leader_id, self.leader, "synced")
        ticket = self._ticket(user=self.agent, user_id=False)
        self.assertEqual(ticket.psa_account_leader_id, self.leader)
        self.assertEqual(ticket.user_id, self.leader, "assignee when none given")
        self.assertIn(self.leader.partner_id, ticket.message_partner_ids)
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self.assertEqual(ticket.user_id, self.agent, "an explicit assignee wins")
        self.assertEqual(ticket.psa_account_leader_id, self.leader)
        self.assertIn(self.leader.partner_id, ticket.message_partner_ids)
