# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Integrity of the SLA evidence (SPEC §4, §7): a running clock keeps the
target it started with whatever is edited or written afterwards, except its
ticket's own SLA terms; a ticket closed without being solved is never met;
a calendar without working time loses no ticket and hides nothing.

Every rule is tried the way a client does it over RPC: ``create`` and
``write`` as the least-privileged user who may do it (an agent), after the
configuration was edited by a support manager. The calendar works Monday to
Friday 8-12 and 13-17 UTC; Monday 2026-03-02 09:00 is the start, Wednesday
2026-03-04 a public holiday."""

from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import PsaContractCommon

MONDAY_9 = datetime(2026, 3, 2, 9)
# 16 business hours from Monday 09:00: Monday 7, Tuesday 8, (Wednesday is a
# holiday), Thursday 1
P3_RESOLUTION_DUE = datetime(2026, 3, 5, 9)
P3_RESPONSE_DUE = datetime(2026, 3, 2, 14)  # 4 business hours

INBOUND_EMAIL = """Return-Path: <{email_from}>
To: {to}
From: {email_from}
Subject: {subject}
Message-ID: {msg_id}
{extra}Date: Mon, 02 Mar 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

The tax receipts do not print since this morning.
"""


class IntegrityCommon(PsaContractCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        cls.stage_waiting = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_cancelled = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_cancelled"
        )
        cls.stage_rejected = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected")
        cls.policy.write(
            {
                "pause_stage_ids": [Command.set(cls.stage_waiting.ids)],
                "target_ids": [
                    Command.create(
                        {
                            "priority": priority,
                            "response_hours": response,
                            "resolution_hours": resolution,
                            "update_hours": update,
                        }
                    )
                    for priority, response, resolution, update in (
                        ("1", 1, 8, 2),
                        ("2", 2, 12, 4),
                        ("3", 4, 16, 8),
                    )
                ],
            }
        )
        cls.colleague = cls.env["res.partner"].create(
            {"name": "Pedro Colleague", "parent_id": cls.customer.id}
        )

    def _open(self, **vals):
        """A ticket of the covered customer, created by an agent (RPC)."""
        vals.setdefault("team_id", self.team_l1.id)
        vals.setdefault("installation_id", self.installation.id)
        vals.setdefault("request_type", "incident")
        return self._ticket(user=self.agent, **vals)

    def _clock(self, ticket, metric, cycle=None):
        clocks = ticket.psa_sla_ids.filtered(
            lambda c: c.metric == metric and (cycle is None or c.cycle == cycle)
        )
        return clocks.sorted("id")[-1:]

    def _target(self, priority):
        return self.policy.target_ids.filtered(lambda t: t.priority == priority)

    def _retarget_notes(self, ticket):
        return ticket.message_ids.filtered(
            lambda m: "SLA targets changed" in (m.body or "")
        )

    def _agent_reply(self, ticket):
        ticket.with_user(self.agent).message_post(
            body="We are on it.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )


@tagged("post_install", "-at_install")
class TestFrozenTargets(IntegrityCommon):
    """Issue 12.1: a policy edit never reaches a running clock through a
    write on its ticket; only the ticket's own terms retarget it."""

    def _edit_policy(self):
        """A support manager makes every P3 and P2 target longer."""
        self._target("3").with_user(self.manager).write(
            {"response_hours": 10, "resolution_hours": 40, "update_hours": 24}
        )
        self._target("2").with_user(self.manager).write({"resolution_hours": 20})

    def test_unrelated_writes_keep_targets(self):
        self.contract.service_tier_id = self.tier_basic  # S2 and S3 are P3
        writes = {
            "team": {"team_id": self.team_l2.id},
            "contact": {"partner_id": self.colleague.id},
            "severity keeping the priority": {"severity": "2"},
            "unrelated fields": {
                "name": "Receipts do not print",
                "description": "<p>Since the update</p>",
                "user_id": self.agent.id,
            },
        }
        with freeze_time(MONDAY_9):
            tickets = {name: self._open() for name in writes}
        for ticket in tickets.values():
            self.assertEqual(ticket.psa_priority, "3")
            self.assertEqual(self._clock(ticket, "resolution").target_hours, 16)
        with freeze_time("2026-03-02 09:30:00"):
            self._edit_policy()
        for name, vals in writes.items():
            ticket = tickets[name]
            with self.subTest(write=name), freeze_time("2026-03-02 10:30:00"):
                ticket.with_user(self.agent).write(vals)
                self.assertEqual(ticket.psa_priority, "3")
                resolution = self._clock(ticket, "resolution")
                response = self._clock(ticket, "response")
                self.assertEqual(resolution.target_hours, 16)
                self.assertEqual(resolution.deadline, P3_RESOLUTION_DUE)
                self.assertEqual(resolution.status, "running")
                self.assertEqual(response.target_hours, 4)
                self.assertEqual(response.deadline, P3_RESPONSE_DUE)
                self.assertEqual(ticket.psa_sla_deadline, P3_RESPONSE_DUE)
                self.assertFalse(self._retarget_notes(ticket), "nothing logged")
        self.assertEqual(tickets["team"].team_id, self.team_l2)
        self.assertEqual(tickets["contact"].partner_id, self.colleague)

    def test_priority_change_takes_current_target(self):
        with freeze_time(MONDAY_9):
            ticket = self._open()
        resolution = self._clock(ticket, "resolution")
        with freeze_time("2026-03-02 09:30:00"):
            self._edit_policy()
        # Severity S2 is P2 under the contract's tier: the clocks are
        # retargeted with the policy's target for P2 as it is now (20 h),
        # from the original start.
        with freeze_time("2026-03-02 11:00:00"):
            ticket.with_user(self.agent).write({"severity": "2"})
        self.assertEqual(ticket.psa_priority, "2")
        self.assertEqual(resolution.priority, "2")
        self.assertEqual(resolution.target_hours, 20)
        self.assertEqual(resolution.start_date, MONDAY_9)
        self.assertEqual(resolution.consumed_hours, 2)
        # Monday 7 h, Tuesday 8 h, Thursday 8-12 and 13-14
        self.assertEqual(resolution.deadline, datetime(2026, 3, 5, 14))
        note = self._retarget_notes(ticket)
        self.assertEqual(len(note), 1)
        self.assertIn("P3 16:00", note.body)
        self.assertIn("P2 20:00", note.body)

    def test_update_interval_kept_until_priority_changes(self):
        with freeze_time(MONDAY_9):
            ticket = self._open()
        with freeze_time("2026-03-02 10:00:00"):
            self._agent_reply(ticket)
        self.assertEqual(self._clock(ticket, "update").target_hours, 8)
        with freeze_time("2026-03-02 10:30:00"):
            self._edit_policy()
        # The next update interval is the one that was running ...
        with freeze_time("2026-03-02 11:00:00"):
            self._agent_reply(ticket)
        update = self._clock(ticket, "update")
        self.assertEqual(update.target_hours, 8)
        self.assertEqual(update.deadline, datetime(2026, 3, 3, 11))
        # ... and a customer reply resuming a pause leaves the targets alone.
        with freeze_time("2026-03-02 12:30:00"):
            ticket.with_user(self.agent).stage_id = self.stage_waiting
        with freeze_time("2026-03-02 14:00:00"):
            ticket.message_post(
                body="Here is the log.",
                author_id=self.contact.id,
                message_type="email",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertNotEqual(ticket.stage_id, self.stage_waiting)
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.target_hours, 16)
        self.assertEqual(resolution.paused_hours, 1)
        self.assertEqual(resolution.deadline, datetime(2026, 3, 5, 10))
        self.assertFalse(self._retarget_notes(ticket))

    def test_new_tickets_get_the_edited_policy(self):
        with freeze_time("2026-03-02 08:00:00"):
            self._edit_policy()
        with freeze_time(MONDAY_9):
            ticket = self._open()
        self.assertEqual(self._clock(ticket, "resolution").target_hours, 40)

    def test_manager_gives_another_policy(self):
        """A documented action: the ticket gets another policy."""
        other = self.policy.copy({"name": "Premium policy (test)"})
        other.target_ids.filtered(lambda t: t.priority == "3").resolution_hours = 8
        with freeze_time(MONDAY_9):
            ticket = self._open()
        with freeze_time("2026-03-02 10:00:00"):
            ticket.with_user(self.manager).psa_sla_policy_id = other
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.policy_id, other)
        self.assertEqual(resolution.target_hours, 8)
        self.assertEqual(resolution.deadline, datetime(2026, 3, 3, 9))
        self.assertTrue(self._retarget_notes(ticket))


@tagged("post_install", "-at_install")
class TestClosingKinds(IntegrityCommon):
    """Issue 12.2: a ticket closed without being solved is never met."""

    def _report(self, ticket, model="psa.sla.report"):
        return (
            self.env[model]
            .with_user(self.analyst)
            .search([("ticket_id", "=", ticket.id)])
        )

    def _assert_cancelled(self, ticket):
        clocks = ticket.psa_sla_ids
        self.assertEqual(set(clocks.mapped("metric")), {"response", "resolution"})
        self.assertEqual(set(clocks.mapped("status")), {"cancelled"})
        self.assertFalse(any(clocks.mapped("reached_date")))
        self.assertEqual(
            clocks.with_user(self.manager).mapped("penalty_amount"), [0, 0]
        )
        self.assertEqual(ticket.psa_sla_status, "cancelled")
        for model in ("psa.sla.report", "psa.sla.module.report"):
            rows = self._report(ticket, model)
            self.assertTrue(rows)
            self.assertFalse(any(rows.mapped("met")))
            self.assertFalse(any(rows.mapped("breached")))
            self.assertEqual(sum(rows.mapped("finished_count")), 0)
            self.assertEqual(sum(rows.mapped("met_count")), 0)

    def test_not_solved_stages_cancel_clocks(self):
        self.assertEqual(self.stage_done.psa_close_kind, "solved")
        custom = self.env["helpdesk.ticket.stage"].create(
            {"name": "Withdrawn (test)", "closed": True, "psa_close_kind": "not_solved"}
        )
        for stage in (self.stage_cancelled, self.stage_rejected, custom):
            with self.subTest(stage=stage.name):
                with freeze_time(MONDAY_9):
                    ticket = self._open()
                # An incident, closed without resolution summary: allowed.
                with freeze_time("2026-03-02 11:00:00"):
                    ticket.with_user(self.agent).write({"stage_id": stage.id})
                self.assertTrue(ticket.closed)
                self._assert_cancelled(ticket)

    def test_solved_stage_meets_and_needs_resolution(self):
        with freeze_time(MONDAY_9):
            ticket = self._open()
        with freeze_time("2026-03-02 10:00:00"):
            self._agent_reply(ticket)
            with self.assertRaises(UserError):
                ticket.with_user(self.agent).write({"stage_id": self.stage_done.id})
            ticket.with_user(self.agent).write(
                {"stage_id": self.stage_done.id, "psa_resolution": "<p>Fixed</p>"}
            )
        self.assertEqual(self._clock(ticket, "resolution").status, "met")
        rows = self._report(ticket).filtered(lambda r: r.metric == "resolution")
        self.assertEqual(rows.met_count, 1)
        self.assertEqual(rows.compliance_rate, 100)

    def test_create_closed_as_not_solved(self):
        """A ticket created directly in Cancelled over RPC: no resolution
        asked, no clock."""
        ticket = self._open(stage_id=self.stage_cancelled.id)
        self.assertTrue(ticket.closed)
        self.assertFalse(ticket.psa_sla_ids)
        with self.assertRaises(UserError):
            self._open(stage_id=self.stage_done.id)

    def test_breach_survives_a_not_solved_closing(self):
        """Closing a late ticket as cancelled does not undo its breach."""
        self.contract.penalty_per_breach = 100
        with freeze_time(MONDAY_9):
            ticket = self._open()
        with freeze_time("2026-03-02 16:00:00"):  # response due at 14:00
            self.env["psa.ticket.sla"]._cron_refresh_status()
            ticket.with_user(self.agent).write({"stage_id": self.stage_cancelled.id})
        response = self._clock(ticket, "response")
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(response.status, "breached")
        self.assertEqual(response.with_user(self.manager).penalty_amount, 100)
        self.assertEqual(resolution.status, "cancelled")
        self.assertEqual(resolution.with_user(self.manager).penalty_amount, 0)

    def test_duplicate_wizard_cancels_whatever_the_stage(self):
        """helpdesk_mgmt's duplicate wizard, moving the duplicate to Done (a
        solved stage): no resolution summary asked, clocks cancelled."""
        self.company.write(
            {
                "helpdesk_mgmt_duplicate_tracking": True,
                "helpdesk_mgmt_duplicate_ticket_stage_id": self.stage_done.id,
            }
        )
        with freeze_time(MONDAY_9):
            original = self._open(name="Receipts do not print")
            ticket = self._open(name="Receipts do not print!")
        with freeze_time("2026-03-02 11:00:00"):
            action = ticket.with_user(self.agent).action_open_duplicate_wizard()
            wizard = Form(
                self.env[action["res_model"]]
                .with_user(self.agent)
                .with_context(**action["context"])
            )
            wizard.duplicate_of_id = original
            wizard.save().action_confirm()
        self.assertEqual(ticket.duplicate_id, original)
        self.assertEqual(ticket.stage_id, self.stage_done)
        self._assert_cancelled(ticket)
        self.assertEqual(self._clock(original, "resolution").status, "running")

    def test_duplicate_in_open_stage_then_unmarked(self):
        """Marked duplicate without a closing stage: cancelled at once;
        unmarked: a new cycle, like a reopening, whose clocks go on from the
        cancelled ones (the time marked included): unmarking never restarts
        a clock."""
        with freeze_time(MONDAY_9):
            original = self._open()
            ticket = self._open()
        with freeze_time("2026-03-02 11:00:00"):
            ticket.with_user(self.agent).write({"duplicate_id": original.id})
        self.assertFalse(ticket.closed)
        self._assert_cancelled(ticket)
        # an agent's reply on a duplicate starts no update clock
        with freeze_time("2026-03-02 11:30:00"):
            self._agent_reply(ticket)
        self.assertFalse(self._clock(ticket, "update"))
        with freeze_time("2026-03-02 12:00:00"):
            ticket.with_user(self.agent).write({"duplicate_id": False})
        self.assertEqual(ticket.psa_sla_cycle, 2)
        cancelled = self._clock(ticket, "resolution", cycle=1)
        resolution = self._clock(ticket, "resolution", cycle=2)
        self.assertEqual(cancelled.status, "cancelled")
        self.assertEqual(resolution.status, "running")
        self.assertEqual(resolution.start_date, MONDAY_9)
        self.assertEqual(resolution.deadline, cancelled.deadline)
        self.assertGreater(resolution.consumed_hours, cancelled.consumed_hours)

    def test_reopen_after_not_solved(self):
        with freeze_time(MONDAY_9):
            ticket = self._open()
        with freeze_time("2026-03-02 10:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_rejected
        with freeze_time("2026-03-03 10:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_progress
        self.assertEqual(ticket.psa_sla_cycle, 2)
        self.assertEqual(self._clock(ticket, "resolution", cycle=1).status, "cancelled")
        # rejected by mistake: the day closed counts, the customer still has
        # no answer (SPEC §7: closing and reopening restarts no clock)
        response = self._clock(ticket, "response", cycle=2)
        self.assertEqual(response.start_date, MONDAY_9)
        self.assertEqual(response.status, "breached")
        self.assertEqual(ticket.psa_sla_status, "breached")

    def test_not_solved_then_solved_then_reopened_restarts_nothing(self):
        """Cancelled 10 minutes before the response deadline, moved to a
        solving stage, reopened: cancelled then solved is a reopening solved
        at once, so the clocks carried from the cancelled ones stop there,
        and the last reopening starts afresh only after that real solving:
        the cancellation never gave the clocks a new start."""
        with freeze_time(MONDAY_9):
            ticket = self._open()
        response = self._clock(ticket, "response")
        self.assertEqual(response.deadline, datetime(2026, 3, 2, 14))
        with freeze_time("2026-03-02 13:50:00"):
            ticket.with_user(self.agent).stage_id = self.stage_cancelled
        with freeze_time("2026-03-02 13:51:00"):
            ticket.with_user(self.agent).write(
                {"stage_id": self.stage_done.id, "psa_resolution": "<p>x</p>"}
            )
        solved = self._clock(ticket, "resolution", cycle=2)
        self.assertEqual(solved.start_date, MONDAY_9)
        self.assertEqual(solved.status, "met")
        self.assertEqual(self._clock(ticket, "response", cycle=2).start_date, MONDAY_9)

    def test_reopening_keeps_the_terms_of_the_time_closed(self):
        """Closed as not solved on Friday as P3 (business hours), raised to
        P1 (24x7) while closed, reopened on Monday: the weekend closed counts
        on the business hours the clock had, not 24x7."""
        self.policy.p1_round_the_clock = True
        with freeze_time("2026-03-06 15:00:00"):  # Friday
            ticket = self._open()
        with freeze_time("2026-03-06 16:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_cancelled
        with freeze_time("2026-03-09 08:50:00"):  # Monday
            ticket.sudo().write({"severity": "1"})
        with freeze_time("2026-03-09 09:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_progress
        resolution = self._clock(ticket, "resolution", cycle=2)
        self.assertEqual(resolution.start_date, datetime(2026, 3, 6, 15))
        # Friday 15-17 and Monday 8-9: 3 business hours (24x7: 66)
        self.assertAlmostEqual(resolution.consumed_hours, 3.0)

    def test_compliance_ignores_cancelled_clocks(self):
        with freeze_time(MONDAY_9):
            solved = self._open()
            cancelled = self._open()
        with freeze_time("2026-03-02 10:00:00"):
            self._agent_reply(solved)
            solved.with_user(self.agent).write(
                {"stage_id": self.stage_done.id, "psa_resolution": "<p>Fixed</p>"}
            )
            cancelled.with_user(self.agent).stage_id = self.stage_cancelled
        for model in ("psa.sla.report", "psa.sla.module.report"):
            with self.subTest(model=model):
                groups = (
                    self.env[model]
                    .with_user(self.analyst)
                    .read_group(
                        [("ticket_id", "in", (solved | cancelled).ids)],
                        ["finished_count:sum", "met_count:sum", "compliance_rate:avg"],
                        [],
                    )
                )
                # the module report counts a clock once (its affected module)
                self.assertTrue(groups[0]["finished_count"])
                self.assertEqual(groups[0]["met_count"], groups[0]["finished_count"])
                self.assertEqual(groups[0]["compliance_rate"], 100)


@tagged("post_install", "-at_install")
class TestNoWorkingTime(IntegrityCommon):
    """Issue 12.3: a calendar without working time loses no ticket and
    hides nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.empty_calendar = cls.env["resource.calendar"].create(
            {"name": "No hours (test)", "tz": "UTC", "attendance_ids": []}
        )
        cls.assertFalse(cls, cls.empty_calendar.attendance_ids)
        cls.contract.resource_calendar_id = cls.empty_calendar

    def _assert_flagged(self, ticket):
        self.assertTrue(ticket.psa_sla_error)
        clocks = ticket.psa_sla_ids
        self.assertEqual(set(clocks.mapped("metric")), {"response", "resolution"})
        self.assertFalse(any(clocks.mapped("deadline")))
        self.assertEqual(set(clocks.mapped("status")), {"running"})
        self.assertFalse(ticket.psa_sla_deadline)
        note = ticket.message_ids.filtered(
            lambda m: "SLA deadlines not computed" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn(self.empty_calendar.name, note.body)
        todo = ticket.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertEqual(len(todo), 1)
        self.assertIn(self.empty_calendar.name, todo.summary)
        self.assertIn(
            ticket,
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .search([("psa_sla_error", "=", True)]),
        )

    def test_email_to_team_alias(self):
        alias_domain = self.env["mail.alias.domain"].create(
            {"name": "support.example.com", "bounce_alias": "bounce"}
        )
        self.company.alias_domain_id = alias_domain
        self.team_l1.write(
            {"alias_name": "l1-support", "alias_domain_id": alias_domain.id}
        )
        self.team_l1.alias_id.alias_contact = "everyone"
        self.contact.email = "laura@testville.example"
        email = INBOUND_EMAIL.format(
            to="l1-support@support.example.com",
            email_from="Laura Test <laura@testville.example>",
            subject="Tax receipts do not print",
            msg_id="<receipts-1@testville.example>",
            extra="",
        )
        with freeze_time(MONDAY_9):
            thread_id = self.env["mail.thread"].message_process(None, email)
        ticket = self.env["helpdesk.ticket"].browse(thread_id)
        self.assertEqual(ticket.team_id, self.team_l1)
        self.assertEqual(ticket.contract_id, self.contract)
        self._assert_flagged(ticket)
        self.assertNotEqual(self.team_l1.alias_id.alias_status, "invalid")

    def test_rpc_and_portal_creation(self):
        with freeze_time(MONDAY_9):
            by_agent = self._open()
        self._assert_flagged(by_agent)
        portal = new_test_user(
            self.env, login="psa_portal_integrity", groups="base.group_portal"
        )
        portal.partner_id.parent_id = self.customer
        with freeze_time(MONDAY_9):
            # as helpdesk_mgmt's /submitted/ticket does
            by_portal = (
                self.env["helpdesk.ticket"]
                .with_user(portal)
                .sudo()
                .create(
                    {
                        "name": "Receipts",
                        "description": "<p>They do not print</p>",
                        "partner_id": portal.partner_id.id,
                        "team_id": self.team_l1.id,
                    }
                )
            )
        self._assert_flagged(by_portal)

    def test_fixed_calendar_gets_deadlines_from_the_start(self):
        with freeze_time(MONDAY_9):
            ticket = self._open()
            self._assert_flagged(ticket)
            todos = ticket.activity_ids
            # the update clock cannot be scheduled either: flagged once
            self._agent_reply(ticket)
        self.assertEqual(ticket.activity_ids, todos)
        with freeze_time("2026-03-02 11:00:00"):
            self.env["psa.ticket.sla"]._cron_refresh_status()
        self.assertTrue(ticket.psa_sla_error, "still broken: still flagged")
        self.assertEqual(ticket.activity_ids, todos)
        # An administrator gives the calendar working hours.
        self.empty_calendar.attendance_ids = [
            Command.create(
                {
                    "name": f"D{day} {hour_from}",
                    "dayofweek": str(day),
                    "hour_from": hour_from,
                    "hour_to": hour_from + 4,
                }
            )
            for day in range(5)
            for hour_from in (8, 13)
        ]
        with freeze_time("2026-03-02 11:00:00"):
            self.env["psa.ticket.sla"]._cron_refresh_status()
        self.assertFalse(ticket.psa_sla_error)
        # Counted from the start (this calendar has no public holiday):
        # Monday 7 h, Tuesday 8 h, Wednesday 1 h.
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.start_date, MONDAY_9)
        self.assertEqual(resolution.deadline, datetime(2026, 3, 4, 9))
        self.assertEqual(resolution.status, "running")
        update = self._clock(ticket, "update")
        self.assertEqual(update.deadline, datetime(2026, 3, 3, 9))
        self.assertEqual(ticket.psa_sla_deadline, datetime(2026, 3, 3, 9))
        self.assertTrue(
            ticket.message_ids.filtered(
                lambda m: "SLA deadlines computed" in (m.body or "")
            )
        )

    def test_contract_given_another_calendar(self):
        with freeze_time(MONDAY_9):
            ticket = self._open()
        self.assertTrue(ticket.psa_sla_error)
        self.contract.with_user(self.manager).resource_calendar_id = self.calendar
        with freeze_time("2026-03-02 11:00:00"):
            self.env["psa.ticket.sla"]._cron_refresh_status()
        self.assertFalse(ticket.psa_sla_error)
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.calendar_id, self.calendar)
        self.assertEqual(resolution.deadline, P3_RESOLUTION_DUE)

    def test_customer_reply_on_broken_calendar(self):
        """A running ticket whose calendar lost its hours: the customer's
        reply resumes it (no error for the mail gateway), and the ticket is
        flagged."""
        self.contract.resource_calendar_id = self.calendar
        with freeze_time(MONDAY_9):
            ticket = self._open(stage_id=self.stage_progress.id)
        self.assertFalse(ticket.psa_sla_error)
        with freeze_time("2026-03-02 10:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_waiting
        self.calendar.attendance_ids = [Command.clear()]
        with freeze_time("2026-03-02 11:00:00"):
            ticket.message_post(
                body="Here is the log.",
                author_id=self.contact.id,
                message_type="email",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.stage_id, self.stage_progress)
        resolution = self._clock(ticket, "resolution")
        self.assertFalse(resolution.paused_since)
        self.assertFalse(resolution.deadline)
        self.assertTrue(ticket.psa_sla_error)
        # closing stops the clocks; the flag stays on the closed ticket
        with freeze_time("2026-03-02 12:00:00"):
            ticket.with_user(self.agent).write(
                {"stage_id": self.stage_done.id, "psa_resolution": "<p>Fixed</p>"}
            )
        self.assertTrue(resolution.end_date)
        self.assertTrue(ticket.psa_sla_error)

    @mute_logger("odoo.addons.psa_helpdesk.tools.cron")
    def test_retry_skips_a_failing_ticket(self):
        with freeze_time(MONDAY_9):
            bad = self._open()
            good = self._open()
        self.empty_calendar.attendance_ids = [
            Command.create(
                {"name": "Mon", "dayofweek": "0", "hour_from": 8, "hour_to": 17}
            )
        ]
        Clock = type(self.env["psa.ticket.sla"])
        original = Clock._retarget

        def retarget(clocks, context, now, cache, **kwargs):
            if clocks.ticket_id == bad:
                raise ValueError("boom")
            return original(clocks, context, now, cache, **kwargs)

        with (
            patch.object(Clock, "_retarget", retarget),
            freeze_time("2026-03-02 11:00:00"),
        ):
            self.env["psa.ticket.sla"]._cron_refresh_status()
        self.assertTrue(bad.psa_sla_error)
        self.assertFalse(good.psa_sla_error)
