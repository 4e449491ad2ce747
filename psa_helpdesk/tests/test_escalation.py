# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import PsaContractCommon


@tagged("post_install", "-at_install")
class TestEscalation(PsaContractCommon):
    def _wizard(self, ticket, user, **vals):
        return (
            self.env["psa.ticket.escalate.wizard"]
            .with_user(user)
            .with_context(active_model="helpdesk.ticket", active_id=ticket.id)
            .create(vals)
        )

    def test_level_follows_team(self):
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        self.assertEqual(ticket.support_level, "1")
        ticket.team_id = self.team_l2
        self.assertEqual(ticket.support_level, "2")
        ticket.team_id = self.team_commercial
        self.assertEqual(ticket.support_level, "2", "a team without level keeps it")

    def test_agent_escalates_with_reason(self):
        ticket = self._ticket(
            user=self.agent, team_id=self.team_l1.id, user_id=self.agent.id
        )
        wizard = self._wizard(
            ticket, self.agent, to_team_id=self.team_l2.id, reason="Needs SQL"
        )
        self.assertEqual(wizard.to_level, "2", "next level proposed")
        wizard.action_escalate()
        self.assertEqual(ticket.support_level, "2")
        self.assertEqual(ticket.team_id, self.team_l2)
        self.assertEqual(ticket.user_id, self.analyst, "reassigned to the new team")
        log = ticket.psa_escalation_ids
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.from_level, log.to_level, log.from_team_id, log.to_team_id),
            ("1", "2", self.team_l1, self.team_l2),
        )
        self.assertEqual((log.user_id, log.from_user_id), (self.agent, self.agent))
        self.assertEqual(log.reason, "Needs SQL")
        self.assertIn("Needs SQL", ticket.message_ids[:1].body)

    def test_level_proposes_its_team(self):
        """Issue 16, point 8: in the form, the proposed level L2 proposes the
        L2 team; choosing L1 again proposes the ticket's own team."""
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        # the first L2 team by sequence (the database may hold others)
        self.team_l2.sequence = -1
        with Form(
            self.env["psa.ticket.escalate.wizard"]
            .with_user(self.agent)
            .with_context(active_model="helpdesk.ticket", active_id=ticket.id)
        ) as form:
            self.assertEqual(form.to_level, "2")
            self.assertEqual(form.to_team_id, self.team_l2)
            form.to_level = "1"
            self.assertEqual(form.to_team_id, self.team_l1)
            form.to_level = "2"
            form.reason = "Needs SQL"
        form.record.action_escalate()
        self.assertEqual(ticket.team_id, self.team_l2)

    def test_level_only_escalation_keeps_team(self):
        ticket = self._ticket(
            user=self.agent, team_id=self.team_l1.id, user_id=self.agent.id
        )
        self._wizard(ticket, self.agent, to_level="3", reason="Bug").action_escalate()
        self.assertEqual(
            (ticket.support_level, ticket.team_id, ticket.user_id),
            ("3", self.team_l1, self.agent),
        )

    def test_escalation_needs_change_and_reason(self):
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        with self.assertRaises(UserError):
            self._wizard(
                ticket, self.agent, to_level="1", reason="same"
            ).action_escalate()
        with self.assertRaises(UserError):
            self._wizard(ticket, self.agent, to_level="2", reason=" ").action_escalate()
        self.assertFalse(ticket.psa_escalation_ids)
        self.assertEqual(ticket.support_level, "1")

    def test_escalation_log_is_append_only(self):
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        self._wizard(ticket, self.agent, to_level="2", reason="x").action_escalate()
        log = ticket.psa_escalation_ids.with_user(self.agent)
        with self.assertRaises(AccessError):
            log.write({"reason": "rewritten"})
        with self.assertRaises(AccessError):
            log.unlink()
