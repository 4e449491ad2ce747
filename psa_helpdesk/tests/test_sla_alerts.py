# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time
from markupsafe import escape

from odoo.fields import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import format_datetime

from odoo.addons.psa_helpdesk.models.psa_sla_alert import ALERT_ROLES, PsaSlaAlert

from .common import PsaContractCommon, new_company_user

_logger = logging.getLogger(__name__)
ALERT_LOGGER = "odoo.addons.psa_helpdesk.models.psa_sla_alert"


class PsaSlaAlertCommon(PsaContractCommon):
    """The contract world with SLA targets on its policy. The calendar works
    Mon-Fri 8-12 and 13-17 UTC; Monday 2026-03-02 a P3 ticket opened at 8:00
    has its resolution at risk at 15:00 (75 %), second warning at 15:12
    (90 %) and breaches at 17:00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_waiting = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.policy.write(
            {
                "pause_stage_ids": [Command.set(cls.stage_waiting.ids)],
                "target_ids": [
                    Command.create(
                        {"priority": p, "response_hours": r, "resolution_hours": h}
                    )
                    for p, r, h in (("1", 1, 4), ("2", 1, 4), ("3", 2, 8))
                ],
            }
        )
        cls.Sla = cls.env["psa.ticket.sla"]
        cls.Alert = cls.env["psa.sla.alert"]
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")

    def _new(self, **vals):
        vals.setdefault("team_id", self.team_l1.id)
        vals.setdefault("user_id", self.agent.id)
        return self._ticket(user=self.agent, **vals)

    def _clock(self, ticket, metric):
        return ticket.psa_sla_ids.filtered(lambda c: c.metric == metric).sorted("id")[
            -1:
        ]

    def _reply(self, ticket):
        ticket.with_user(self.agent).message_post(
            body="We are on it.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def _alert_activities(self, ticket):
        return ticket.activity_ids.filtered(
            lambda a: (
                a.activity_type_id == self.todo
                and a.summary
                and a.summary.startswith("SLA")
            )
        )

    def _alert_notes(self, ticket):
        return ticket.message_ids.filtered(
            lambda m: (
                m.subtype_id == self.env.ref("mail.mt_note")
                and "SLA" in (m.body or "")
                and "Alerted" in (m.body or "")
            )
        )


@tagged("post_install", "-at_install")
class TestSlaAlerts(PsaSlaAlertCommon):
    def test_alert_chain_at_75_90_and_breach(self):
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
        with freeze_time("2026-03-02 08:30:00"):
            self._reply(ticket)  # the response is met: only resolution alerts
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.warning_1_date, datetime(2026, 3, 2, 15))
        self.assertEqual(resolution.warning_2_date, datetime(2026, 3, 2, 16, 12))
        self.assertEqual(resolution.deadline, datetime(2026, 3, 2, 17))

        with freeze_time("2026-03-02 14:59:00"):
            self.Sla._cron_refresh_status()
        self.assertFalse(self._alert_activities(ticket), "nothing due yet")

        with freeze_time("2026-03-02 15:00:00"):
            self.Sla._cron_refresh_status()
        self.assertEqual(resolution.status, "at_risk")
        self.assertEqual(resolution.warning_1_alert_date, datetime(2026, 3, 2, 15))
        first = self._alert_activities(ticket)
        self.assertEqual(first.user_id, self.agent, "warning 1: the assignee")
        self.assertEqual(first.date_deadline, resolution.deadline.date())
        self.assertIn("first warning", first.summary)
        notes = self._alert_notes(ticket)
        self.assertEqual(len(notes), 1)
        self.assertIn("Resolution", notes.body)
        self.assertIn("02:00 business hours left", notes.body)
        deadline = format_datetime(self.env, resolution.deadline, "UTC", "short")
        self.assertIn(f"due {escape(deadline)} (UTC)", notes.body)

        with freeze_time("2026-03-02 16:12:00"):
            self.Sla._cron_refresh_status()
        second = self._alert_activities(ticket) - first
        self.assertEqual(second.user_id, self.agent | self.leader)
        self.assertEqual(len(second), 2)

        with freeze_time("2026-03-03 08:30:00"):  # half a business hour late
            self.Sla._cron_refresh_status()
        self.assertEqual(resolution.status, "breached")
        breach = self._alert_activities(ticket) - first - second
        self.assertIn(self.agent, breach.user_id)
        self.assertIn(self.leader, breach.user_id)
        self.assertIn(self.manager, breach.user_id, "support managers at breach")
        self.assertNotIn(self.analyst, breach.user_id)
        self.assertNotIn(self.commercial, breach.user_id)
        self.assertEqual(len(breach), len(breach.user_id), "one per person")
        notes = self._alert_notes(ticket)
        self.assertEqual(len(notes), 3)
        self.assertIn("late by 00:30 business hours", notes[0].body)

        # Running the action again (same time, later) sends nothing twice.
        count, note_count = len(self._alert_activities(ticket)), len(notes)
        with freeze_time("2026-03-03 08:30:00"):
            self.Sla._cron_refresh_status()
        with freeze_time("2026-03-03 10:00:00"):
            self.Sla._cron_refresh_status()
        self.assertEqual(len(self._alert_activities(ticket)), count)
        self.assertEqual(len(self._alert_notes(ticket)), note_count)

    def test_manager_of_another_company_not_alerted(self):
        _other_company, foreign_manager = new_company_user(
            self.env,
            "Other Co (test)",
            "psa_manager_other",
            "psa_helpdesk.group_psa_manager",
        )
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
        with freeze_time("2026-03-02 17:30:00"):
            self.Sla._cron_refresh_status()
        users = self._alert_activities(ticket).user_id
        self.assertIn(self.manager, users)
        self.assertNotIn(foreign_manager, users)

    def test_unassigned_ticket_alerts_team_leader(self):
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new(user_id=False)
            ticket.user_id = False
        with freeze_time("2026-03-02 09:35:00"):  # response at 75 %
            self.Sla._cron_refresh_status()
        self.assertEqual(self._alert_activities(ticket).user_id, self.leader)

    def test_recipients_per_role(self):
        """One helper says whom to alert on each ticket, for the roles asked,
        in the order of the roles; every ticket gets an entry."""
        assigned = self._new()
        unassigned = self._new(user_id=False)
        unassigned.user_id = False
        tickets = assigned | unassigned
        managers = (
            self.env.ref("psa_helpdesk.group_psa_manager")
            .users.filtered(
                lambda u: u.active and not u.share and self.company in u.company_ids
            )
            .sorted("id")
        )
        self.assertIn(self.manager, managers)
        recipients = self.Alert._recipients(tickets, ("assignee",))
        self.assertEqual(set(recipients), set(tickets.ids))
        self.assertEqual(recipients[assigned.id], self.agent)
        self.assertEqual(recipients[unassigned.id], self.leader, "stands in")
        recipients = self.Alert._recipients(tickets, ALERT_ROLES)
        self.assertEqual(
            recipients[assigned.id][:2].ids, (self.agent | self.leader).ids
        )
        self.assertEqual(recipients[assigned.id], self.agent | self.leader | managers)
        self.assertEqual(recipients[unassigned.id], self.leader | managers, "once")
        recipients = self.Alert._recipients(tickets, ("team_leader",))
        self.assertEqual(recipients[assigned.id], self.leader)
        with self.assertRaises(ValueError):
            self.Alert._recipients(tickets, ("customer",))

    def test_recipients_only_who_may_read_the_ticket(self):
        """Active internal users of the ticket's company who can read it."""
        _other_company, foreign_agent = new_company_user(
            self.env,
            "Other Co (test)",
            "psa_agent_other",
            "psa_helpdesk.group_psa_agent",
        )
        developer = new_test_user(
            self.env,
            login="psa_developer_alert",
            groups="psa_helpdesk.group_psa_developer",
        )
        ticket = self._new()
        for assignee in (foreign_agent, developer):
            # written in SQL: an assignee of another company is refused since
            # (SPEC §7), the alerts still skip one assigned before
            self.env.cr.execute(
                "UPDATE helpdesk_ticket SET user_id = %s WHERE id = %s",
                (assignee.id, ticket.id),
            )
            ticket.invalidate_recordset(["user_id"])
            recipients = self.Alert._recipients(ticket, ("assignee", "team_leader"))
            self.assertEqual(recipients[ticket.id], self.leader, assignee.login)
        ticket.user_id = self.agent
        self.agent.active = False
        recipients = self.Alert._recipients(ticket, ("assignee", "team_leader"))
        self.assertEqual(recipients[ticket.id], self.leader, "inactive: not alerted")

    def test_late_start_sends_one_alert(self):
        """A clock past several levels at once (the action did not run, or
        the clock was retargeted late) sends one alert, the widest, and the
        lower levels count as sent."""
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
            self._reply(ticket)
        with freeze_time("2026-03-03 09:00:00"):
            self.Sla._cron_refresh_status()
        resolution = self._clock(ticket, "resolution")
        self.assertTrue(resolution.warning_1_alert_date)
        self.assertTrue(resolution.warning_2_alert_date)
        self.assertTrue(resolution.breach_alert_date)
        self.assertEqual(len(self._alert_notes(ticket)), 1)
        activities = self._alert_activities(ticket)
        self.assertIn(self.manager, activities.user_id)
        with freeze_time("2026-03-03 10:00:00"):
            self.Sla._cron_refresh_status()
        self.assertEqual(self._alert_activities(ticket), activities)

    def test_paused_and_finished_clocks_do_not_alert(self):
        with freeze_time("2026-03-02 08:00:00"):
            paused = self._new()
            done = self._new()
            self._reply(paused)
            self._reply(done)
        with freeze_time("2026-03-02 10:00:00"):
            paused.with_user(self.agent).stage_id = self.stage_waiting
            done.with_user(self.agent).stage_id = self.stage_done
        with freeze_time("2026-03-05 10:00:00"):
            self.Sla._cron_refresh_status()
        self.assertFalse(self._alert_activities(paused))
        self.assertFalse(self._alert_activities(done))
        self.assertFalse(self._alert_notes(paused | done))

    def test_priority_change_alerts_at_new_time(self):
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
            self._reply(ticket)
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.warning_1_date, datetime(2026, 3, 2, 15))
        # S2 is P2 on the premium tier: 4 h resolution from 8:00.
        cron = self.env.ref("psa_helpdesk.psa_ticket_sla_cron_refresh")
        Trigger = self.env["ir.cron.trigger"]
        with freeze_time("2026-03-02 09:00:00"):
            # no earlier run pending: the change itself wakes the action
            Trigger.search([("cron_id", "=", cron.id)]).unlink()
            ticket.with_user(self.agent).severity = "2"
            ticket.flush_recordset()
        self.assertEqual(resolution.priority, "2")
        self.assertEqual(resolution.warning_1_date, datetime(2026, 3, 2, 11))
        self.assertEqual(resolution.deadline, datetime(2026, 3, 2, 12))
        triggers = Trigger.search([("cron_id", "=", cron.id)])
        self.assertIn(datetime(2026, 3, 2, 11), triggers.mapped("call_at"))
        with freeze_time("2026-03-02 10:59:00"):
            self.Sla._cron_refresh_status()
        self.assertFalse(self._alert_activities(ticket))
        with freeze_time("2026-03-02 11:00:00"):
            self.Sla._cron_refresh_status()
        self.assertEqual(self._alert_activities(ticket).user_id, self.agent)
        self.assertEqual(resolution.warning_1_alert_date, datetime(2026, 3, 2, 11))

    def test_cron_scheduled_at_next_alert(self):
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
            self._reply(ticket)
        cron = self.env.ref("psa_helpdesk.psa_ticket_sla_cron_refresh")
        Trigger = self.env["ir.cron.trigger"]
        with freeze_time("2026-03-02 15:00:00"):
            Trigger.search([("cron_id", "=", cron.id)]).unlink()
            self.Sla._cron_refresh_status()
        self.assertEqual(
            Trigger.search([("cron_id", "=", cron.id)]).mapped("call_at"),
            [datetime(2026, 3, 2, 16, 12)],
            "woken at the second warning",
        )
        self.assertTrue(ticket)

    def test_time_come_during_the_run_wakes_it_again(self):
        """A run that takes long (a backlog): the second warning came while
        it went on. The next run is woken at once for it, not at the
        deadline; that run wakes the one after at the deadline, once."""
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
            self._reply(ticket)
        resolution = self._clock(ticket, "resolution")
        cron = self.env.ref("psa_helpdesk.psa_ticket_sla_cron_refresh")
        Trigger = self.env["ir.cron.trigger"]
        Alert = type(self.Alert)
        send = Alert._send_due_alerts

        with freeze_time("2026-03-02 15:00:00") as frozen:

            def slow(alerts, *args, **kwargs):
                result = send(alerts, *args, **kwargs)
                frozen.move_to("2026-03-02 16:30:00")
                return result

            Trigger.search([("cron_id", "=", cron.id)]).unlink()
            with patch.object(Alert, "_send_due_alerts", slow):
                self.Sla._cron_refresh_status()
            self.assertEqual(
                Trigger.search([("cron_id", "=", cron.id)]).mapped("call_at"),
                [datetime(2026, 3, 2, 16, 12)],
                "due already: the cron runs again at once",
            )
        self.assertFalse(resolution.warning_2_alert_date)
        with freeze_time("2026-03-02 16:31:00"):
            Trigger.search([("cron_id", "=", cron.id)]).unlink()
            self.Sla._cron_refresh_status()
        self.assertEqual(resolution.warning_2_alert_date, datetime(2026, 3, 2, 16, 31))
        self.assertEqual(
            Trigger.search([("cron_id", "=", cron.id)]).mapped("call_at"),
            [datetime(2026, 3, 2, 17, 0)],
        )

    def test_email_where_configured(self):
        self.leader.email = "leader@example.com"
        self.agent.email = "agent@example.com"
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
        response = self._clock(ticket, "response")
        Mail = self.env["mail.mail"]
        before = Mail.search([("model", "=", "psa.ticket.sla")])
        with freeze_time("2026-03-02 09:35:00"):  # response at 75 %
            self.Sla._cron_refresh_status()
        self.assertTrue(self._alert_notes(ticket), "alerted")
        self.assertFalse(
            Mail.search([("model", "=", "psa.ticket.sla")]) - before,
            "no email unless the policy says so",
        )
        self.policy.alert_by_email = True
        with freeze_time("2026-03-02 09:50:00"):  # response at 90 %
            self.Sla._cron_refresh_status()
        mails = Mail.search([("model", "=", "psa.ticket.sla")]) - before
        self.assertEqual(mails.mapped("res_id"), response.ids)
        self.assertEqual(
            mails.recipient_ids, (self.agent | self.leader).partner_id, "warning 2"
        )
        self.assertIn("second warning", mails.subject)
        self.assertIn(ticket.number, mails.subject)
        self.assertIn("business hours left", mails.body_html)

    def test_bad_record_logged_and_skipped(self):
        with freeze_time("2026-03-02 08:00:00"):
            tickets = [self._new(name=f"T{i}") for i in range(3)]
        bad = tickets[1]
        original = PsaSlaAlert._prepare_alert

        def prepare_alert(alert_model, clock, *args, **kwargs):
            if clock.ticket_id == bad:
                raise ValueError("boom")
            return original(alert_model, clock, *args, **kwargs)

        with (
            freeze_time("2026-03-02 09:35:00"),
            patch.object(PsaSlaAlert, "_prepare_alert", prepare_alert),
            self.assertLogs(ALERT_LOGGER, level="ERROR") as logs,
        ):
            self.Sla._cron_refresh_status()
        self._check_bad_skipped(tickets, bad, logs)

    def test_bad_record_at_delivery_logged_and_skipped(self):
        """The batch is delivered in one go; when that fails, alert by alert,
        so only the bad one is skipped."""
        with freeze_time("2026-03-02 08:00:00"):
            tickets = [self._new(name=f"T{i}") for i in range(3)]
        bad = tickets[1]
        original = PsaSlaAlert._create_alert_records

        def create_alert_records(alert_model, alerts):
            result = original(alert_model, alerts)
            if any(alert["ticket"] == bad for alert in alerts):
                raise ValueError("boom")  # after the records: all undone
            return result

        with (
            freeze_time("2026-03-02 09:35:00"),
            patch.object(PsaSlaAlert, "_create_alert_records", create_alert_records),
            self.assertLogs(ALERT_LOGGER, level="ERROR") as logs,
        ):
            self.Sla._cron_refresh_status()
        self._check_bad_skipped(tickets, bad, logs)

    def test_alert_copies_equal_orm(self):
        """In a batch, the first activity and note are made by the ORM, the
        others copied by SQL: each copy holds what the ORM would have stored
        from the same values, the people alerted follow the tickets as the
        ORM makes them follow, and existing subscriptions are kept."""
        self.maxDiff = None
        self.leader.write({"tz": "America/New_York", "name": "Lee <Leader> & Co"})
        with freeze_time("2026-03-02 08:00:00"):
            tickets = self.env["helpdesk.ticket"].concat(
                *(self._new(name=f"T{i}") for i in range(3))
            )
        # The leader already follows the last ticket, for comments only.
        comment = self.env.ref("mail.mt_comment")
        tickets[2].message_subscribe(self.leader.partner_id.ids, comment.ids)
        batches = []
        original = PsaSlaAlert._create_alert_records

        def create_alert_records(alert_model, alerts):
            batches.append(alerts)
            return original(alert_model, alerts)

        with (
            freeze_time("2026-03-03 09:00:00"),  # both clocks breached
            patch.object(PsaSlaAlert, "_create_alert_records", create_alert_records),
        ):
            self.Sla._cron_refresh_status()
            self.assertEqual(len(batches), 1)
            alerts = batches[0]
            self.assertEqual(len(alerts), 6, "two clocks per ticket")
            # Made in the order of the alerts: the originals first.
            activities = self.env["mail.activity"].search(
                [("res_model", "=", "helpdesk.ticket"), ("res_id", "in", tickets.ids)],
                order="id",
            )
            notes = self.env["mail.message"].search(
                [
                    ("model", "=", "helpdesk.ticket"),
                    ("res_id", "in", tickets.ids),
                    ("subtype_id", "=", self.env.ref("mail.mt_note").id),
                    ("body", "ilike", "Alerted"),
                ],
                order="id",
            )
            todos = [(alert, user) for alert in alerts for user in alert["users"]]
            self.assertEqual(len(activities), len(todos))
            self.assertEqual(len(notes), len(alerts))
            # On the tickets, as their people see them.
            as_agent = tickets.with_user(self.agent)
            self.assertEqual(as_agent.activity_ids, activities)
            self.assertEqual(set(as_agent.mapped("activity_state")), {"overdue"})
            self.assertTrue(all(as_agent.mapped("my_activity_date_deadline")))
            self.assertEqual(as_agent.message_ids & notes, notes)
            self.assertIn("Lee &lt;Leader&gt; &amp; Co", notes[-1].body)
            self.assertIn("Lee &lt;Leader&gt; &amp; Co", activities[-1].note)
            Activity = self.env["mail.activity"].with_context(
                mail_activity_quick_update=True
            )
            columns = self._columns(Activity)
            for activity, (alert, user) in zip(activities, todos, strict=True):
                orm = Activity.create(
                    {
                        "res_model_id": self.env["ir.model"]._get_id("helpdesk.ticket"),
                        "res_id": alert["ticket"].id,
                        "activity_type_id": self.todo.id,
                        "automated": True,
                        "summary": alert["summary"],
                        "note": alert["note"],
                        "user_id": user.id,
                        "date_deadline": alert["deadlines"][user.id],
                    }
                )
                self.assertEqual(
                    self._values(activity, columns), self._values(orm, columns)
                )
            self.assertEqual(
                set(
                    activities.filtered(lambda a: a.user_id == self.leader).mapped(
                        "user_tz"
                    )
                ),
                {"America/New_York"},
            )
            columns = [c for c in self._columns(notes) if c != "message_id"]
            for note, alert in zip(notes, alerts, strict=True):
                ticket = alert["ticket"]
                orm = ticket._message_log_batch({ticket.id: alert["note"]})
                self.assertEqual(
                    self._values(note, columns), self._values(orm, columns)
                )

        # Followers as the ORM makes them (message_subscribe, which
        # mail.activity.create calls) on another ticket.
        with freeze_time("2026-03-03 09:00:00"):
            other = self._new(name="Other")
        alerted = activities.user_id.partner_id
        self.assertIn(self.manager.partner_id, alerted)
        other.message_subscribe(alerted.ids)
        expected = {
            follower.partner_id: follower.subtype_ids
            for follower in other.message_follower_ids
        }
        for ticket in tickets:
            followers = {
                follower.partner_id: follower.subtype_ids
                for follower in ticket.message_follower_ids
            }
            for partner in alerted:
                if ticket == tickets[2] and partner == self.leader.partner_id:
                    self.assertEqual(followers[partner], comment, "kept")
                else:
                    self.assertEqual(followers[partner], expected[partner])

    def _columns(self, records):
        return [
            name
            for name, field in records._fields.items()
            if field.store and field.column_type and name != "id"
        ]

    def _values(self, record, columns):
        return {name: record[name] for name in columns}

    def _check_bad_skipped(self, tickets, bad, logs):
        self.assertEqual(len(logs.output), 1)
        self.assertIn("SLA alert of clock", logs.output[0])
        self.assertIn(f"(ticket {bad.id})", logs.output[0])
        for ticket in (tickets[0], tickets[2]):
            self.assertEqual(len(self._alert_activities(ticket)), 1)
            self.assertEqual(len(self._alert_notes(ticket)), 1)
            self.assertTrue(self._clock(ticket, "response").warning_1_alert_date)
        self.assertFalse(self._alert_activities(bad))
        self.assertFalse(self._alert_notes(bad))
        self.assertFalse(self._clock(bad, "response").warning_1_alert_date)
        # The next run alerts it, once; the others get nothing twice.
        with freeze_time("2026-03-02 09:40:00"):
            self.Sla._cron_refresh_status()
        for ticket in tickets:
            self.assertEqual(len(self._alert_activities(ticket)), 1)
            self.assertEqual(len(self._alert_notes(ticket)), 1)

    def test_alert_not_sent_again_after_cancel_and_reopen(self):
        """The first warning of a clock went; the ticket is cancelled and
        reopened a minute later: the clock carried on is not alerted again
        for that level."""
        stage_cancelled = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        stage_progress = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
        with freeze_time("2026-03-02 08:30:00"):
            self._reply(ticket)
        with freeze_time("2026-03-02 15:00:00"):
            self.Sla._cron_refresh_status()
        self.assertEqual(len(self._alert_notes(ticket)), 1)
        activities = len(self._alert_activities(ticket))
        with freeze_time("2026-03-02 15:05:00"):
            ticket.with_user(self.agent).stage_id = stage_cancelled
        with freeze_time("2026-03-02 15:06:00"):
            ticket.with_user(self.agent).stage_id = stage_progress
        with freeze_time("2026-03-02 15:07:00"):
            self.Sla._cron_refresh_status()
        self.assertEqual(len(self._alert_notes(ticket)), 1)
        self.assertEqual(len(self._alert_activities(ticket)), activities)


@tagged("post_install", "-at_install")
class TestSlaAlertQueries(PsaSlaAlertCommon):
    def _create(self, count):
        return self.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Ticket {i}",
                    "description": "<p>x</p>",
                    "partner_id": self.contact.id,
                    "team_id": self.team_l1.id,
                    "user_id": self.agent.id,
                }
                for i in range(count)
            ]
        )

    def _queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        count = self.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.cr.sql_log_count - count

    def test_alert_run_queries_flat_per_ticket(self):
        """The alert run of a batch costs the same queries for 5 and for 20
        tickets: data read for the batch, alerts delivered in bulk."""
        measured = {}
        for count in (2, 5, 20):  # 2: warm-up of the registry caches
            with freeze_time("2026-03-02 08:00:00"):
                self._create(count)
            with freeze_time("2026-03-02 17:30:00"):  # every level due: breach
                measured[count] = self._queries(self.Alert._send_due_alerts)
        _logger.info("Queries of the alert run for 2/5/20 tickets: %s", measured)
        # The first activity and note by the ORM, the others copied in one
        # INSERT each, followers in one per person alerted: per batch, not
        # per ticket.
        self.assertEqual(measured[20], measured[5])
        with freeze_time("2026-03-02 08:00:00"):
            tickets = self._create(20)
        with freeze_time("2026-03-02 17:30:00"):
            self.env.flush_all()
            self.env.invalidate_all()
            with self.assertQueryCount(measured[20]):
                self.Alert._send_due_alerts()
                self.env.flush_all()
        self.assertEqual(len(tickets.activity_ids), 20 * 2 * len(self._chain()))

    def _chain(self):
        """Who a breach alerts here: assignee, leader, support managers."""
        group = self.env.ref("psa_helpdesk.group_psa_manager")
        managers = group.users.filtered(
            lambda u: u.active and not u.share and self.company in u.company_ids
        )
        return self.agent | self.leader | managers

    def test_ticket_list_read_queries_flat(self):
        with freeze_time("2026-03-02 08:00:00"):
            tickets = self._create(20)
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)
        spec = {
            "name": {},
            "psa_sla_status": {},
            "psa_sla_deadline": {},
            "psa_sla_remaining_hours": {},
            "psa_sla_update_late": {},
        }

        def read(count):
            domain = [("id", "in", tickets[:count].ids)]
            return lambda: Ticket.web_search_read(domain, spec)

        with freeze_time("2026-03-02 10:00:00"):
            read(5)()
            q5 = self._queries(read(5))
            q20 = self._queries(read(20))
        _logger.info("Queries of the ticket list read for 5/20 tickets: %s/%s", q5, q20)
        self.assertEqual(q5, q20)
