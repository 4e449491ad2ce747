# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import PsaCommon

_logger = logging.getLogger(__name__)

# Wall-clock times in Buenos Aires (UTC-3) as the naive UTC the ORM stores.
# 2026-03-02 is a Monday; Tuesday 2026-03-24 is a public holiday.


def ba(*args):
    """A Buenos Aires time as naive UTC."""
    year, month, day, hour, *rest = args
    return datetime(year, month, day, hour, *rest) + timedelta(hours=3)


@tagged("post_install", "-at_install")
class TestTicketSla(PsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "BA 9-18",
                "tz": "America/Argentina/Buenos_Aires",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"D{day}",
                            "dayofweek": str(day),
                            "hour_from": 9,
                            "hour_to": 18,
                        }
                    )
                    for day in range(5)
                ],
            }
        )
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Día de la Memoria",
                "calendar_id": cls.calendar.id,
                "date_from": ba(2026, 3, 24, 0),
                "date_to": ba(2026, 3, 24, 23, 59, 59),
            }
        )
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        cls.stage_waiting = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.policy = cls.env["psa.sla.policy"].create(
            {
                "name": "Gold",
                "resource_calendar_id": cls.calendar.id,
                "p1_round_the_clock": True,
                "pause_stage_ids": [Command.set(cls.stage_waiting.ids)],
                "target_ids": [
                    Command.create(
                        {
                            "priority": "1",
                            "response_hours": 1,
                            "resolution_hours": 8,
                            "update_hours": 2,
                        }
                    ),
                    Command.create(
                        {
                            "priority": "2",
                            "response_hours": 1,
                            "resolution_hours": 6,
                            "update_hours": 4,
                        }
                    ),
                    Command.create(
                        {
                            "priority": "3",
                            "response_hours": 2,
                            "resolution_hours": 12,
                            "update_hours": 4,
                        }
                    ),
                ],
            }
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Municipal support",
                "psa_sla_policy_id": cls.policy.id,
                "user_ids": [Command.set(cls.agent.ids)],
            }
        )
        cls.plain_team = cls.env["helpdesk.ticket.team"].create(
            {"name": "No SLA", "user_ids": [Command.set(cls.agent.ids)]}
        )
        # The customer is entitled: a contract covering the product, whose
        # tier maps severity S1..S3 to P1..P3. It names no policy or calendar
        # of its own, so the team's policy and the policy's calendar apply.
        cls.contract = cls._entitle([(cls.customer, cls.product)])

    def _new(self, **vals):
        vals.setdefault("team_id", self.team.id)
        return self._ticket(user=self.agent, **vals)

    def _clock(self, ticket, metric, cycle=None):
        clocks = ticket.psa_sla_ids.filtered(
            lambda c: c.metric == metric and (cycle is None or c.cycle == cycle)
        )
        return clocks.sorted("id")[-1:]

    def _agent_reply(self, ticket, user=None):
        ticket.with_user(user or self.agent).message_post(
            body="We are on it.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def _customer_reply(self, ticket):
        ticket.message_post(
            body="Here is the log.",
            author_id=self.contact.id,
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )

    def test_deadlines_across_weekend_and_holiday(self):
        with freeze_time(ba(2026, 3, 20, 16)):  # Friday 16:00
            ticket = self._new()
        self.assertEqual(ticket.psa_sla_policy_id, self.policy)
        self.assertEqual(ticket.psa_sla_cycle, 1)
        response = self._clock(ticket, "response")
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(response.deadline, ba(2026, 3, 20, 18))
        # Friday 2h, Monday 9h, Tuesday is a holiday, Wednesday 1h.
        self.assertEqual(resolution.deadline, ba(2026, 3, 25, 10))
        self.assertEqual(resolution.target_hours, 12)
        self.assertEqual(resolution.status, "running")
        self.assertEqual(ticket.psa_sla_status, "running")
        self.assertEqual(ticket.psa_sla_deadline, ba(2026, 3, 20, 18))
        self.assertFalse(self._clock(ticket, "update"), "starts at the first reply")
        with freeze_time(ba(2026, 3, 23, 10)):  # Monday 10:00
            ticket.invalidate_recordset(["psa_sla_remaining_hours"])
            # The response is late by Monday's first hour.
            self.assertEqual(ticket.psa_sla_remaining_hours, -1)
            self.assertEqual(resolution.remaining_hours, 9)

    def test_no_policy_no_clock(self):
        ticket = self._new(team_id=self.plain_team.id)
        self.assertFalse(ticket.psa_sla_ids)
        self.assertFalse(ticket.psa_sla_status)

    def test_not_entitled_no_clock_until_exception(self):
        self.contract.product_ids = self.other_product
        with freeze_time(ba(2026, 3, 2, 10)):
            ticket = self._new()
        self.assertFalse(ticket.psa_entitled)
        self.assertFalse(ticket.psa_sla_ids, "kept out of the SLA clocks")
        # A manager's exception starts the clocks from that moment.
        with freeze_time(ba(2026, 3, 2, 11)):
            self.env["psa.entitlement.exception.wizard"].with_user(self.manager).create(
                {"ticket_id": ticket.id, "reason": "Goodwill during renewal"}
            ).action_grant()
            ticket.with_user(self.manager).psa_sla_policy_id = self.policy
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.start_date, ba(2026, 3, 2, 11))

    def test_first_response_only_on_public_agent_reply(self):
        with freeze_time(ba(2026, 3, 2, 10)):
            ticket = self._new()
        response = self._clock(ticket, "response")
        with freeze_time(ba(2026, 3, 2, 10, 30)):
            ticket.with_user(self.agent).message_post(
                body="Internal: check the logs", subtype_xmlid="mail.mt_note"
            )
            self.assertEqual(response.status, "running")
            self._customer_reply(ticket)
            self.assertEqual(response.status, "running")
            self.assertFalse(self._clock(ticket, "update"))
        with freeze_time(ba(2026, 3, 2, 11)):
            self._agent_reply(ticket)
        self.assertEqual(response.status, "met")
        self.assertEqual(response.reached_date, ba(2026, 3, 2, 11))
        self.assertEqual(response.consumed_hours, 1)
        update = self._clock(ticket, "update")
        self.assertEqual(update.status, "running")
        self.assertEqual(update.deadline, ba(2026, 3, 2, 15))
        # The next public reply is an update: a new update clock starts.
        with freeze_time(ba(2026, 3, 2, 16)):  # an hour late
            self._agent_reply(ticket)
        self.assertEqual(update.status, "met_late")
        self.assertAlmostEqual(update.overrun_hours, 1)
        self.assertEqual(response.reached_date, ba(2026, 3, 2, 11), "not rewritten")
        new_update = self._clock(ticket, "update")
        self.assertNotEqual(new_update, update)
        self.assertEqual(new_update.deadline, ba(2026, 3, 3, 11))

    def test_new_clock_takes_the_contract_terms_of_now(self):
        """A new clock takes the contract's calendar and currency as they
        are when it starts. The manager gives the contract its own calendar
        (the evening shift, 14-22) and another currency after the ticket's
        first clocks;
        the update clock the first reply starts counts on that calendar and
        owes its penalties in that currency; clearing the calendar goes back
        to the policy's."""
        with freeze_time(ba(2026, 3, 2, 10)):
            ticket = self._new()
        response = self._clock(ticket, "response")
        self.assertEqual(response.calendar_id, self.calendar)
        self.assertEqual(response.currency_id, self.env.company.currency_id)
        evening = self.calendar.copy({"name": "BA 14-22"})
        evening.attendance_ids.write({"hour_from": 14, "hour_to": 22})
        other_currency = self.env["res.currency"].create(
            {"name": "PSX", "symbol": "¤", "rounding": 0.01}
        )
        self.contract.with_user(self.manager).write(
            {"resource_calendar_id": evening.id, "currency_id": other_currency.id}
        )
        with freeze_time(ba(2026, 3, 2, 11)):
            self._agent_reply(ticket)
        update = self._clock(ticket, "update")
        self.assertEqual(update.calendar_id, evening)
        self.assertEqual(update.currency_id, other_currency)
        # 4 business hours from 11:00 on the evening shift: 14:00-18:00
        self.assertEqual(update.deadline, ba(2026, 3, 2, 18))
        self.contract.with_user(self.manager).resource_calendar_id = False
        with freeze_time(ba(2026, 3, 2, 12)):
            self._agent_reply(ticket)
        self.assertEqual(self._clock(ticket, "update").calendar_id, self.calendar)

    def test_consumed_so_far_of_a_running_clock(self):
        """Issue 16, point 12: a running clock shows the business time
        consumed up to now, more than its target once late (not the 0
        recorded when it started); a finished one its recorded time."""
        with freeze_time(ba(2026, 3, 2, 10)):
            ticket = self._new()
        response = self._clock(ticket, "response")
        with freeze_time(ba(2026, 3, 2, 13)):  # 3 business hours: late
            response.invalidate_recordset(["remaining_hours", "consumed_now_hours"])
            self.assertEqual(response.consumed_hours, 0)
            self.assertAlmostEqual(response.consumed_now_hours, 3)
            self._agent_reply(ticket)
        self.assertEqual(response.status, "met_late")
        with freeze_time(ba(2026, 3, 3, 13)):
            response.invalidate_recordset(["remaining_hours", "consumed_now_hours"])
            self.assertAlmostEqual(response.consumed_now_hours, 3, msg="finished")

    def test_update_overdue_flag(self):
        with freeze_time(ba(2026, 3, 2, 10)):
            ticket = self._new()
            self._agent_reply(ticket)
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)
        with freeze_time(ba(2026, 3, 2, 13)):
            ticket.invalidate_recordset(["psa_sla_update_overdue"])
            self.assertFalse(ticket.psa_sla_update_overdue)
            self.assertNotIn(
                ticket, Ticket.search([("psa_sla_update_overdue", "=", True)])
            )
        with freeze_time(ba(2026, 3, 2, 15, 1)):
            ticket.invalidate_recordset(["psa_sla_update_overdue"])
            self.assertTrue(ticket.psa_sla_update_overdue)
            self.assertIn(
                ticket, Ticket.search([("psa_sla_update_overdue", "=", True)])
            )
        # The stored flag (kanban colour) follows when the status action
        # marks the update clock breached, and clears at the next reply.
        self.assertFalse(ticket.psa_sla_update_late)
        with freeze_time(ba(2026, 3, 2, 15, 1)):
            self.env["psa.ticket.sla"]._cron_refresh_status()
        self.assertTrue(ticket.psa_sla_update_late)
        self.assertIn(ticket, Ticket.search([("psa_sla_update_late", "=", True)]))
        with freeze_time(ba(2026, 3, 2, 15, 30)):
            self._agent_reply(ticket)
        self.assertFalse(ticket.psa_sla_update_late)

    def test_pause_and_resume(self):
        with freeze_time(ba(2026, 3, 2, 10)):  # Monday 10:00
            ticket = self._new()
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.deadline, ba(2026, 3, 3, 13))
        with freeze_time(ba(2026, 3, 2, 12)):
            ticket.with_user(self.agent).stage_id = self.stage_progress
            ticket.with_user(self.agent).stage_id = self.stage_waiting
        self.assertEqual(resolution.status, "paused")
        self.assertEqual(resolution.consumed_hours, 2)
        self.assertEqual(ticket.psa_sla_status, "paused")
        self.assertFalse(ticket.psa_sla_deadline, "no running clock")
        self.assertEqual(ticket.psa_sla_resume_stage_id, self.stage_progress)
        # Nothing moves while paused, even when the deadline passes.
        with freeze_time(ba(2026, 3, 4, 12)):
            self.env["psa.ticket.sla"]._cron_refresh_status()
            self.assertEqual(resolution.status, "paused")
        # Paused Monday 12-18 and Tuesday 9-12: 9 business hours.
        with freeze_time(ba(2026, 3, 3, 12)):
            ticket.with_user(self.agent).stage_id = self.stage_progress
        self.assertEqual(resolution.status, "running")
        self.assertEqual(resolution.paused_hours, 9)
        # The deadline moved by 9 business hours: Tuesday 13:00 → Wed 13:00.
        self.assertEqual(resolution.deadline, ba(2026, 3, 4, 13))
        self.assertEqual(ticket.psa_sla_status, "breached", "response was due Mon 12")

    def test_customer_reply_resumes(self):
        with freeze_time(ba(2026, 3, 2, 10)):
            ticket = self._new(stage_id=self.stage_progress.id)
            self._agent_reply(ticket)
        with freeze_time(ba(2026, 3, 2, 11)):
            ticket.with_user(self.agent).stage_id = self.stage_waiting
        update = self._clock(ticket, "update")
        self.assertEqual(update.status, "paused")
        with freeze_time(ba(2026, 3, 3, 10)):
            self._customer_reply(ticket)
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertEqual(update.status, "running")
        self.assertEqual(update.paused_hours, 8)
        self.assertEqual(update.deadline, ba(2026, 3, 3, 13))

    def test_priority_raised_mid_ticket(self):
        with freeze_time(ba(2026, 3, 2, 10)):
            ticket = self._new()
        resolution = self._clock(ticket, "resolution")
        start = resolution.start_date
        self.assertEqual(ticket.psa_priority, "3")
        # Severity S2 makes it P2 through the contract's matrix.
        with freeze_time(ba(2026, 3, 2, 14)):
            ticket.with_user(self.agent).severity = "2"
        self.assertEqual(ticket.psa_priority, "2")
        self.assertEqual(resolution.priority, "2")
        self.assertEqual(resolution.target_hours, 6)
        self.assertEqual(resolution.start_date, start)
        self.assertEqual(resolution.consumed_hours, 4)
        # 6 business hours from the original start: Monday 16:00.
        self.assertEqual(resolution.deadline, ba(2026, 3, 2, 16))
        note = ticket.message_ids.filtered(lambda m: "SLA targets changed" in m.body)
        self.assertIn("12:00", note.body)
        self.assertIn("06:00", note.body)
        # P1 counts round the clock: 4 business hours consumed, 4 left 24×7.
        with freeze_time(ba(2026, 3, 2, 15)):
            ticket.with_user(self.agent).severity = "1"
        self.assertEqual(ticket.psa_priority, "1")
        self.assertTrue(resolution.round_the_clock)
        self.assertEqual(resolution.consumed_hours, 5)
        self.assertEqual(resolution.deadline, ba(2026, 3, 2, 18))

    def test_priority_raised_past_a_warning_wakes_the_alerts_now(self):
        """Raised to P1 at 10:50, a ticket opened at 10:00 has its first
        response counted on P1's target (1 hour round the clock): its first
        warning (75 %, 10:45) has passed, unsent. The alert action runs now,
        not at its next scheduled run."""
        with freeze_time(ba(2026, 3, 2, 10)):
            ticket = self._new()
        cron = self.env.ref("psa_helpdesk.psa_ticket_sla_cron_refresh")
        Trigger = self.env["ir.cron.trigger"].sudo()
        with freeze_time(ba(2026, 3, 2, 10, 50)):
            Trigger.search([("cron_id", "=", cron.id)]).unlink()
            ticket.with_user(self.agent).severity = "1"
            self.env.flush_all()
            response = self._clock(ticket, "response")
            self.assertEqual(response.priority, "1")
            self.assertEqual(response.warning_1_date, ba(2026, 3, 2, 10, 45))
            self.assertFalse(response.warning_1_alert_date)
            self.assertEqual(response.status, "at_risk")
            due = Trigger.search(
                [("cron_id", "=", cron.id), ("call_at", "<=", ba(2026, 3, 2, 10, 50))]
            )
            self.assertEqual(len(due), 1, Trigger.search([]).mapped("call_at"))
            # the next status change (the second warning, 10:54) is scheduled
            # too: the run woken now may end after it
            self.assertIn(
                ba(2026, 3, 2, 10, 54),
                Trigger.search([("cron_id", "=", cron.id)]).mapped("call_at"),
            )
            # another request on it before the run adds no trigger due now
            response._trigger_refresh()
            self.env.flush_all()
            self.assertEqual(
                Trigger.search_count(
                    [
                        ("cron_id", "=", cron.id),
                        ("call_at", "<=", ba(2026, 3, 2, 10, 50)),
                    ]
                ),
                1,
            )
            self.env["psa.ticket.sla"]._cron_refresh_status()
        self.assertTrue(response.warning_1_alert_date)

    def test_policy_change_by_manager_only(self):
        other = self.policy.copy({"name": "Other"})
        ticket = self._new()
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).psa_sla_policy_id = other
        ticket.with_user(self.manager).psa_sla_policy_id = other
        self.assertEqual(self._clock(ticket, "resolution").policy_id, other)
        # Moving the ticket to a team without policy (the form sends the
        # unchanged policy along) is allowed to agents.
        ticket.with_user(self.agent).write(
            {"team_id": self.plain_team.id, "psa_sla_policy_id": other.id}
        )

    def test_met_late_and_reopen(self):
        with freeze_time(ba(2026, 3, 2, 10)):
            ticket = self._new()
        response = self._clock(ticket, "response")
        resolution = self._clock(ticket, "resolution")
        # Due Tuesday 13:00 (Monday 8h + Tuesday 4h); closed 2 hours late.
        self.assertEqual(resolution.deadline, ba(2026, 3, 3, 13))
        with freeze_time(ba(2026, 3, 3, 15)):
            ticket.with_user(self.agent).stage_id = self.stage_done
        self.assertEqual(resolution.status, "met_late")
        self.assertEqual(resolution.overrun_hours, 2)
        self.assertEqual(resolution.consumed_hours, 14)
        self.assertEqual(response.status, "breached", "never answered, and late")
        self.assertFalse(response.reached_date)
        self.assertEqual(ticket.psa_sla_status, "breached")
        finished = (response | resolution).read()
        # Reopened: a second cycle with new clocks; the first is kept as is.
        with freeze_time(ba(2026, 3, 4, 10)):
            ticket.with_user(self.agent).stage_id = self.stage_progress
        self.assertEqual(ticket.psa_sla_cycle, 2)
        new_resolution = self._clock(ticket, "resolution", cycle=2)
        self.assertEqual(new_resolution.start_date, ba(2026, 3, 4, 10))
        self.assertEqual(new_resolution.status, "running")
        self.assertEqual(ticket.psa_sla_status, "running")
        with freeze_time(ba(2026, 3, 4, 11)):
            self._agent_reply(ticket)
            ticket.with_user(self.agent).stage_id = self.stage_waiting
            ticket.with_user(self.agent).stage_id = self.stage_done
        self.assertEqual(new_resolution.status, "met")
        self.assertEqual(ticket.psa_sla_status, "met")
        self.assertEqual((response | resolution).read(), finished)

    def test_not_solved_closing_and_reopening_restarts_no_clock(self):
        """Marked a duplicate (closed as not solved) 10 minutes before its
        response deadline and unmarked a minute later: the cancelled clocks
        stay cancelled (finished records are not rewritten), and the new
        cycle's clocks go on from where they stopped, the minute closed
        included: the deadlines do not move (SPEC §4, §7)."""
        with freeze_time(ba(2026, 3, 2, 9)):
            ticket = self._new()
            original = self._new(name="The same problem")
        response = self._clock(ticket, "response")
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(response.deadline, ba(2026, 3, 2, 11))
        with freeze_time(ba(2026, 3, 2, 10, 50)):
            ticket.with_user(self.agent).duplicate_id = original
        self.assertEqual(response.status, "cancelled")
        with freeze_time(ba(2026, 3, 2, 10, 51)):
            ticket.with_user(self.agent).duplicate_id = False
        self.assertEqual(response.status, "cancelled")
        new_response = self._clock(ticket, "response", cycle=2)
        new_resolution = self._clock(ticket, "resolution", cycle=2)
        self.assertEqual(new_response.start_date, ba(2026, 3, 2, 9))
        self.assertEqual(new_response.deadline, ba(2026, 3, 2, 11))
        self.assertAlmostEqual(new_response.consumed_hours, 1 + 51 / 60)
        self.assertEqual(new_resolution.start_date, resolution.start_date)
        self.assertEqual(new_resolution.deadline, resolution.deadline)
        # the same through a closing stage that does not solve
        cancelled = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        with freeze_time(ba(2026, 3, 2, 10, 55)):
            ticket.with_user(self.agent).stage_id = cancelled
        with freeze_time(ba(2026, 3, 2, 11, 5)):
            ticket.with_user(self.agent).stage_id = self.stage_new
        third = self._clock(ticket, "response", cycle=3)
        self.assertEqual(third.start_date, ba(2026, 3, 2, 9))
        self.assertEqual(third.status, "breached", "its deadline passed meanwhile")

    def test_finished_clocks_not_rewritten_on_target_change(self):
        with freeze_time(ba(2026, 3, 2, 10)):
            ticket = self._new()
        with freeze_time(ba(2026, 3, 2, 11)):
            self._agent_reply(ticket)
        response = self._clock(ticket, "response")
        before = response.read()
        other = self.policy.copy({"name": "Other"})
        other.target_ids.filtered(lambda t: t.priority == "3").response_hours = 0.5
        with freeze_time(ba(2026, 3, 2, 12)):
            ticket.with_user(self.manager).psa_sla_policy_id = other
        self.assertEqual(response.read(), before)
        self.assertEqual(self._clock(ticket, "resolution").policy_id, other)

    def test_status_refresh_cron(self):
        with freeze_time(ba(2026, 3, 2, 9)):
            ticket = self._new()
        resolution = self._clock(ticket, "resolution")
        # Warnings at 75 % (9h) and 90 %: Monday 18:00 and Tuesday 10:48.
        self.assertEqual(resolution.warning_1_date, ba(2026, 3, 2, 18))
        with freeze_time(ba(2026, 3, 3, 9, 30)):
            self.env["psa.ticket.sla"]._cron_refresh_status()
        self.assertEqual(resolution.status, "at_risk")
        with freeze_time(ba(2026, 3, 3, 13)):
            self.env["psa.ticket.sla"]._cron_refresh_status()
        self.assertEqual(resolution.status, "breached")
        self.assertAlmostEqual(resolution.overrun_hours, 1)
        self.assertEqual(ticket.psa_sla_status, "breached")

    def test_agent_reads_but_cannot_write_clocks(self):
        ticket = self._new()
        clock = self._clock(ticket, "resolution").with_user(self.agent)
        self.assertEqual(clock.status, "running")
        with self.assertRaises(AccessError):
            clock.write({"status": "met"})
        with self.assertRaises(AccessError):
            clock.read(["penalty_amount"])
        clock.with_user(self.manager).read(["penalty_amount"])

    def test_portal_customer_reply(self):
        portal = new_test_user(self.env, login="psa_portal", groups="base.group_portal")
        portal.partner_id.parent_id = self.customer
        with freeze_time(ba(2026, 3, 2, 10)):
            ticket = self._new(
                stage_id=self.stage_waiting.id, partner_id=portal.partner_id.id
            )
        self.assertEqual(self._clock(ticket, "resolution").status, "paused")
        with freeze_time(ba(2026, 3, 2, 11)):
            ticket.with_user(portal).message_post(
                body="Done, please check",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(self._clock(ticket, "resolution").status, "running")
        self.assertEqual(ticket.stage_id.closed, False)
        self.assertNotEqual(ticket.stage_id, self.stage_waiting)

    def _queries(self, func):
        count = self.cr.sql_log_count
        func()
        return self.cr.sql_log_count - count

    def test_query_counts_do_not_grow_per_ticket(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)

        def create(count, team):
            vals = [
                {
                    "name": f"Ticket {i}",
                    "description": "<p>x</p>",
                    "partner_id": self.contact.id,
                    "team_id": team.id,
                }
                for i in range(count)
            ]
            return lambda: Ticket.create(vals).flush_recordset()

        with freeze_time(ba(2026, 3, 2, 10)):
            # Warm up caches (xml ids, access rules) first.
            create(2, self.team)()
            create(2, self.plain_team)()
            sla_5 = self._queries(create(5, self.team))
            sla_20 = self._queries(create(20, self.team))
            plain_5 = self._queries(create(5, self.plain_team))
            plain_20 = self._queries(create(20, self.plain_team))
        _logger.info(
            "Queries to create 5/20 tickets: with SLA %s/%s, without %s/%s",
            sla_5,
            sla_20,
            plain_5,
            plain_20,
        )
        # The SLA adds the same number of queries for 5 and for 20 tickets.
        self.assertEqual(sla_20 - plain_20, sla_5 - plain_5)
        tickets = Ticket.search([("team_id", "=", self.team.id)])

        def remaining(count):
            batch = tickets[:count]

            def compute():
                batch.invalidate_recordset()
                batch.psa_sla_ids.invalidate_recordset()
                batch.mapped("psa_sla_remaining_hours")

            return compute

        with freeze_time(ba(2026, 3, 2, 12)):
            remaining(5)()
            # Clocks of the tickets, the calendar's attendances and holidays:
            # the same queries for 5 and for 20 tickets.
            with self.assertQueryCount(6):
                remaining(5)()
            with self.assertQueryCount(6):
                remaining(20)()
