# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import PsaContractCommon


@tagged("post_install", "-at_install")
class TestPriority(PsaContractCommon):
    def _set_create_date(self, ticket, when):
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
            (when, ticket.id),
        )
        ticket.invalidate_recordset(["create_date"])

    def test_priority_from_matrix_and_star(self):
        ticket = self._ticket(user=self.agent, severity="1")
        self.assertEqual(ticket.psa_priority, "1")
        self.assertEqual(ticket.priority, "3", "P1 is the OCA 'very high' star")
        ticket.severity = "2"
        self.assertEqual((ticket.psa_priority, ticket.priority), ("2", "2"))
        ticket.severity = "3"
        self.assertEqual((ticket.psa_priority, ticket.priority), ("3", "1"))
        # the tier decides: Basic makes S1 a P2
        self.contract.service_tier_id = self.tier_basic
        ticket.severity = "1"
        self.assertEqual(ticket.psa_priority, "2")
        # editing the matrix recomputes
        self.tier_basic.matrix_ids.filtered(lambda m: m.severity == "1").priority = "1"
        self.assertEqual(ticket.psa_priority, "1")

    def test_without_contract_severity_maps_one_to_one(self):
        ticket = self._ticket(
            user=self.agent, partner_id=self.other_contact.id, severity="2"
        )
        self.assertEqual(ticket.psa_priority, "2")

    def test_matrix_cells_cannot_be_missing(self):
        Tier = self.env["psa.service.tier"]
        with self.assertRaises(ValidationError):
            Tier.create(
                {
                    "name": "Broken",
                    "matrix_ids": [Command.create({"severity": "1", "priority": "1"})],
                }
            )
        with self.assertRaises(ValidationError):
            self.tier_premium.matrix_ids.filtered(lambda m: m.severity == "3").unlink()
        self.assertEqual(len(self.tier_premium.matrix_ids), 3, "nothing changed")
        # without cells a new tier starts with the identity matrix
        tier = Tier.create({"name": "Fresh"})
        self.assertEqual(
            sorted(tier.matrix_ids.mapped(lambda m: (m.severity, m.priority))),
            [("1", "1"), ("2", "2"), ("3", "3")],
        )

    def test_override_by_supervisor_with_reason(self):
        ticket = self._ticket(user=self.agent, severity="3", team_id=self.team_l1.id)
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).write(
                {"psa_priority_override": "1", "psa_priority_override_reason": "VIP"}
            )
        with self.assertRaises(AccessError):
            ticket.with_user(self.analyst).write(
                {"psa_priority_override": "1", "psa_priority_override_reason": "VIP"}
            )
        with self.assertRaises(ValidationError):
            ticket.with_user(self.manager).write({"psa_priority_override": "1"})
        with self.assertRaises(ValidationError):
            ticket.with_user(self.manager).write(
                {"psa_priority_override": "1", "psa_priority_override_reason": "  "}
            )
        self.assertEqual(ticket.psa_priority, "3", "nothing changed")
        ticket.with_user(self.manager).write(
            {"psa_priority_override": "2", "psa_priority_override_reason": "Audit"}
        )
        self.assertEqual((ticket.psa_priority, ticket.priority), ("2", "2"))
        # survives recomputation of its inputs
        ticket.severity = "1"
        self.assertEqual(ticket.psa_matrix_priority, "1")
        self.assertEqual(ticket.psa_priority, "2")
        # the team leader is a supervisor too; clearing restores the derived P
        ticket.with_user(self.leader).write({"psa_priority_override": False})
        self.assertEqual(ticket.psa_priority, "1")
        self.assertFalse(ticket.psa_priority_override_reason)

    def test_override_is_tracked(self):
        env = self.env(context=dict(self.env.context, tracking_disable=False))
        ticket = (
            env["helpdesk.ticket"]
            .with_user(self.agent)
            .create(
                {
                    "name": "Tracked",
                    "description": "<p>x</p>",
                    "partner_id": self.contact.id,
                    "severity": "3",
                    "team_id": self.team_l1.id,
                }
            )
        )
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written at commit time
        ticket.with_user(self.manager).write(
            {"psa_priority_override": "1", "psa_priority_override_reason": "Audit"}
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = ticket.with_env(self.env).message_ids.tracking_value_ids
        by_field = {v.field_id.name: v for v in tracked}
        self.assertIn("psa_priority_override", by_field)
        self.assertEqual(
            by_field["psa_priority_override_reason"].new_value_char, "Audit"
        )
        self.assertEqual(by_field["psa_priority"].old_value_char, "P3 - Normal")
        self.assertEqual(by_field["psa_priority"].new_value_char, "P1 - Immediate")
        message = by_field["psa_priority_override"].mail_message_id
        self.assertEqual(message.author_id, self.manager.partner_id, "who")

    def test_aging_raises_priority_on_business_hours(self):
        self.env["psa.priority.aging.rule"].create(
            [
                {"from_priority": "3", "to_priority": "2", "hours": 16},
                {
                    "from_priority": "2",
                    "to_priority": "1",
                    "hours": 24,
                    "tier_ids": [Command.set(self.tier_basic.ids)],
                },
            ]
        )
        ticket = self._ticket(user=self.agent, severity="3")
        # opened Monday 2026-03-02 09:00; Wednesday 03-04 is a holiday
        self._set_create_date(ticket, "2026-03-02 09:00:00")
        Ticket = self.env["helpdesk.ticket"]
        with freeze_time("2026-03-03 16:00:00"):
            # Monday 9-17 (7 h) + Tuesday 8-16 (7 h) = 14 business hours
            Ticket._cron_psa_priority_aging()
            self.assertEqual(ticket.psa_priority, "3")
        with freeze_time("2026-03-05 09:00:00"):
            # + Tuesday 16-17 (1 h), holiday, Thursday 8-9 (1 h) = 16 h
            Ticket._cron_psa_priority_aging()
            self.assertEqual(ticket.psa_aging_priority, "2")
            self.assertEqual((ticket.psa_priority, ticket.priority), ("2", "2"))
        with freeze_time("2026-03-20 09:00:00"):
            # the P2 → P1 rule is for Basic only: Premium stays P2
            Ticket._cron_psa_priority_aging()
            self.assertEqual(ticket.psa_priority, "2")
            self.contract.service_tier_id = self.tier_basic
            Ticket._cron_psa_priority_aging()
            self.assertEqual(ticket.psa_priority, "1", "rules chain P3 → P2 → P1")

    def test_aging_rule_validation(self):
        Rule = self.env["psa.priority.aging.rule"]
        with self.assertRaises(ValidationError):
            Rule.create({"from_priority": "2", "to_priority": "3", "hours": 8})
        with self.assertRaises(ValidationError):
            Rule.create({"from_priority": "3", "to_priority": "2", "hours": 0})

    def test_new_p1_alerts_leader_and_managers(self):
        ticket = self._ticket(user=self.agent, severity="1", team_id=self.team_l1.id)
        alerted = ticket.activity_ids.user_id
        self.assertIn(self.leader, alerted)
        self.assertIn(self.manager, alerted)
        self.assertNotIn(self.agent, alerted)
        note = ticket.message_ids.filtered(lambda m: "P1" in (m.body or ""))
        self.assertIn(self.leader.partner_id, note.partner_ids)
        # a ticket that becomes P1 later alerts too, once
        other = self._ticket(user=self.agent, severity="3", team_id=self.team_l1.id)
        self.assertFalse(other.activity_ids)
        other.severity = "1"
        self.assertIn(self.leader, other.activity_ids.user_id)
        count = len(other.activity_ids)
        other.name = "still P1"
        other.severity = "1"
        self.assertEqual(len(other.activity_ids), count)

    def test_p1_alert_notifies_as_the_policy_says(self):
        """Without alerts by email the people get their activity and the note
        names them, notifying nobody; with them, the note notifies them. A
        batch logs its notes together, one per ticket."""
        tickets = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .create(
                [
                    {
                        "name": f"Down {i}",
                        "description": "Operation stopped",
                        "partner_id": self.contact.id,
                        "team_id": self.team_l1.id,
                        "severity": "1",
                    }
                    for i in range(3)
                ]
            )
        )
        system = self.env.ref("base.partner_root")
        for ticket in tickets:
            self.assertIn(self.leader, ticket.activity_ids.user_id)
            note = ticket.message_ids.filtered(lambda m: "P1" in (m.body or ""))
            self.assertEqual(len(note), 1)
            self.assertIn(self.leader.partner_id, note.partner_ids)
            self.assertFalse(note.notification_ids)
            self.assertIn(self.leader.name, note.body)
            self.assertEqual(note.author_id, system, "the system's, not the agent's")
        self.assertTrue(tickets[0].psa_sla_policy_id)
        tickets[0].psa_sla_policy_id.sudo().alert_by_email = True
        ticket = self._ticket(user=self.agent, severity="1", team_id=self.team_l1.id)
        note = ticket.message_ids.filtered(lambda m: "P1" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn(
            self.leader.partner_id, note.sudo().notification_ids.res_partner_id
        )
        self.assertEqual(note.author_id, system)

    def test_p1_alert_without_activities_notifies(self):
        """Where activities are not made (``mail_activity_automation_skip``),
        the note is the alert: it notifies the people it names, whatever the
        policy's 'Alerts by email'."""
        self.assertFalse(self.policy.alert_by_email)
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .with_context(mail_activity_automation_skip=True)
            .create(
                {
                    "name": "Down",
                    "description": "Operation stopped",
                    "partner_id": self.contact.id,
                    "team_id": self.team_l1.id,
                    "severity": "1",
                }
            )
        )
        self.assertEqual(ticket.psa_priority, "1")
        self.assertFalse(ticket.activity_ids)
        note = ticket.message_ids.filtered(lambda m: "P1" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn(
            self.leader.partner_id, note.sudo().notification_ids.res_partner_id
        )

    def test_p1_alert_of_a_portal_ticket_is_the_systems(self):
        """A customer opening a P1 ticket on the portal does not write the
        internal alert: the note, and the email it sends with alerts by
        email, come from the system."""
        portal = new_test_user(
            self.env,
            login="psa_portal_p1",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        self.policy.sudo().alert_by_email = True
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(portal)
            .sudo()
            .create(
                {
                    "name": "Everything is down",
                    "description": "<p>Operation stopped</p>",
                    "partner_id": self.contact.id,
                    "team_id": self.team_l1.id,
                    "severity": "1",
                }
            )
        )
        self.assertEqual(ticket.psa_priority, "1")
        note = ticket.message_ids.filtered(lambda m: "P1" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.env.ref("base.partner_root"))
        self.assertIn(
            self.leader.partner_id, note.sudo().notification_ids.res_partner_id
        )
        self.assertNotIn(self.contact.name, note.sudo().email_from or "")

    def test_p1_alert_escapes_names(self):
        """The customer's and the people's names are text in the activities
        and the note, never markup."""
        self.customer.name = '<a href="https://evil.example">Pay here</a> & Co'
        self.leader.name = "<b>Lead</b>"
        ticket = self._ticket(user=self.agent, severity="1", team_id=self.team_l1.id)
        activity = ticket.activity_ids.filtered(lambda a: a.user_id == self.leader)
        self.assertEqual(len(activity), 1)
        self.assertNotIn("<a", activity.note)
        self.assertIn("&lt;a href=", activity.note)
        note = ticket.message_ids.filtered(lambda m: "P1" in (m.body or ""))
        self.assertNotIn("<b>", note.body)
        self.assertIn("&lt;b&gt;Lead&lt;/b&gt;", note.body)

    def test_not_entitled_p1_goes_to_commercial_not_alarm(self):
        ticket = self._ticket(
            user=self.agent, partner_id=self.other_contact.id, severity="1"
        )
        self.assertEqual(ticket.psa_priority, "1")
        self.assertFalse(ticket.activity_ids)

    def test_incident_cannot_sit_in_backlog(self):
        backlog = self.env["helpdesk.ticket.stage"].create(
            {"name": "Backlog (test)", "psa_backlog": True}
        )
        ticket = self._ticket(user=self.agent, request_type="incident")
        with self.assertRaises(ValidationError):
            ticket.stage_id = backlog
        with self.assertRaises(ValidationError):
            self._ticket(user=self.agent, request_type="incident", stage_id=backlog.id)
        change = self._ticket(user=self.agent, request_type="change")
        change.stage_id = backlog
        with self.assertRaises(ValidationError):
            change.request_type = "incident"
        # a stage holding incidents cannot become a backlog
        with self.assertRaises(ValidationError):
            ticket.stage_id.with_user(self.manager).psa_backlog = True
