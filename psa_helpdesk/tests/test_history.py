# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PsaCommon


@tagged("post_install", "-at_install")
class TestHistory(PsaCommon):
    """Time segments per stage, team, assignee and priority, in wall-clock
    and business hours, and the chatter tracking of those fields."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        Team = cls.env["helpdesk.ticket.team"]
        cls.team_a = Team.create(
            {"name": "L1 desk", "user_ids": [Command.set(cls.agent.ids)]}
        )
        cls.team_b = Team.create(
            {"name": "L2 analysts", "user_ids": [Command.set(cls.analyst.ids)]}
        )
        # Monday to Friday, 08-12 and 13-17, in UTC to keep the arithmetic plain
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Support hours",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"{day} {period}",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for hour_from, hour_to, period in (
                        (8, 12, "morning"),
                        (13, 17, "afternoon"),
                    )
                ],
            }
        )
        cls.company.resource_calendar_id = cls.calendar

    def _new_ticket(self, **vals):
        values = {"team_id": self.team_a.id, "user_id": self.agent.id}
        values.update(vals)
        return self._ticket(user=self.agent, **values)

    def _segments(self, ticket, dimension):
        return ticket.psa_segment_ids.filtered(
            lambda s: s.dimension == dimension
        ).sorted("id")

    def test_dimensions(self):
        dimensions = self.env["psa.ticket.segment"]._psa_dimensions()
        self.assertEqual(dimensions["stage"], "stage_id")
        self.assertEqual(dimensions["team"], "team_id")
        self.assertEqual(dimensions["user"], "user_id")
        self.assertEqual(dimensions["priority"], "priority")
        # support level only once the field exists (issue 3)
        self.assertEqual(
            "level" in dimensions,
            "support_level" in self.env["helpdesk.ticket"]._fields,
        )

    @freeze_time("2026-03-02 09:00:00")
    def test_history_starts_on_create(self):
        """Opening a ticket writes no segment: every dimension's current
        segment starts now, kept on the ticket and shown on its form."""
        ticket = self._new_ticket()
        self.assertFalse(ticket.psa_segment_ids)
        for dimension in ("stage", "team", "user", "priority"):
            self.assertEqual(
                str(ticket._psa_segment_start(dimension)), "2026-03-02 09:00:00"
            )
        current = ticket.with_user(self.agent).psa_history_current
        for text in (self.stage_new.name, "L1 desk", self.agent.name, "Medium"):
            self.assertIn(text, current)

    def test_stage_time_wall_and_business(self):
        with freeze_time("2026-03-02 09:00:00"):  # Monday
            ticket = self._new_ticket()
        with freeze_time("2026-03-02 15:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_progress
        new = self._segments(ticket, "stage")
        self.assertEqual(len(new), 1)
        self.assertEqual(new.stage_id, self.stage_new)
        self.assertEqual(new.value, self.stage_new.display_name)
        self.assertEqual(str(new.date_start), "2026-03-02 09:00:00")
        self.assertEqual(str(new.date_end), "2026-03-02 15:00:00")
        self.assertAlmostEqual(new.wall_hours, 6.0)
        # business hours are counted with the change (the calendar's working
        # time is cached): nothing left for the scheduled action
        self.assertFalse(new.business_pending)
        self.assertAlmostEqual(new.business_hours, 5.0)  # 9-12 and 13-15
        # the current segment starts at the change
        self.assertEqual(str(ticket._psa_segment_start("stage")), "2026-03-02 15:00:00")
        # the other dimensions did not move
        self.assertFalse(self._segments(ticket, "team"))
        self.assertFalse(self._segments(ticket, "user"))
        self.assertEqual(str(ticket._psa_segment_start("team")), "2026-03-02 09:00:00")
        # the next change ends the segment that started at the first one
        with freeze_time("2026-03-03 10:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_new
        _new, progress = self._segments(ticket, "stage")
        self.assertEqual(progress.stage_id, self.stage_progress)
        self.assertEqual(str(progress.date_start), "2026-03-02 15:00:00")
        self.assertAlmostEqual(progress.wall_hours, 19.0)
        self.assertAlmostEqual(progress.business_hours, 4.0)  # 15-17, 8-10
        # a segment still pending (recorded by an earlier version) is
        # counted by the scheduled action
        progress.sudo().write({"business_hours": 0.0, "business_pending": True})
        self.env["psa.ticket.segment"]._cron_business_hours()
        self.assertFalse(progress.business_pending)
        self.assertAlmostEqual(progress.business_hours, 4.0)

    def test_weekend_not_business_time(self):
        with freeze_time("2026-03-06 16:00:00"):  # Friday
            ticket = self._new_ticket()
        with freeze_time("2026-03-09 10:00:00"):  # Monday
            # the stars follow P: a new severity moves them
            ticket.with_user(self.agent).severity = "1"
        old = self._segments(ticket, "priority")
        self.assertEqual(old.value, "Medium")
        self.assertAlmostEqual(old.wall_hours, 66.0)
        self.assertAlmostEqual(old.business_hours, 3.0)  # Fri 16-17, Mon 8-10
        self.assertIn("Very High", ticket.psa_history_current)

    def test_team_change_moves_team_and_assignee(self):
        """helpdesk_mgmt drops an assignee who is not in the new team: both
        dimensions end a segment, in one write on several tickets."""
        with freeze_time("2026-03-02 09:00:00"):
            tickets = self._new_ticket() | self._new_ticket(name="Another one")
        with freeze_time("2026-03-02 11:30:00"):
            tickets.with_user(self.analyst).write({"team_id": self.team_b.id})
        for ticket in tickets:
            self.assertFalse(ticket.user_id)
            old_team = self._segments(ticket, "team")
            self.assertEqual(old_team.team_id, self.team_a)
            self.assertAlmostEqual(old_team.wall_hours, 2.5)
            old_user = self._segments(ticket, "user")
            self.assertEqual(old_user.user_id, self.agent)
            self.assertEqual(str(old_user.date_end), "2026-03-02 11:30:00")
            for dimension in ("team", "user"):
                self.assertEqual(
                    str(ticket._psa_segment_start(dimension)), "2026-03-02 11:30:00"
                )
            self.assertFalse(self._segments(ticket, "stage"))
            self.assertEqual(
                str(ticket._psa_segment_start("stage")), "2026-03-02 09:00:00"
            )

    def test_unrelated_write_keeps_segments(self):
        ticket = self._new_ticket()
        ticket.with_user(self.agent).stage_id = self.stage_progress
        count = len(ticket.psa_segment_ids)
        since = dict(ticket.psa_segment_since)
        ticket.with_user(self.agent).write({"description": "<p>More details</p>"})
        ticket.with_user(self.agent).write({"user_id": self.agent.id})
        self.assertEqual(len(ticket.psa_segment_ids), count)
        self.assertEqual(ticket.psa_segment_since, since)

    def test_segment_cannot_end_before_start(self):
        ticket = self._new_ticket()
        with (
            self.assertRaisesRegex(IntegrityError, "date_order"),
            mute_logger("odoo.sql_db"),
        ):
            self.env["psa.ticket.segment"].create(
                {
                    "ticket_id": ticket.id,
                    "dimension": "stage",
                    "date_start": "2026-03-02 10:00:00",
                    "date_end": "2026-03-02 09:00:00",
                }
            )

    def test_changes_tracked_in_chatter(self):
        ticket = self._new_ticket().with_context(tracking_disable=False)
        # tracking starts once the creation is committed
        self.env.flush_all()
        self.env.cr.precommit.run()
        ticket.with_user(self.analyst).write(
            # the stars follow P: a new severity moves them
            {"team_id": self.team_b.id, "severity": "2"}
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = (
            self.env["mail.tracking.value"]
            .search(
                [
                    ("mail_message_id.model", "=", "helpdesk.ticket"),
                    ("mail_message_id.res_id", "=", ticket.id),
                ]
            )
            .field_id.mapped("name")
        )
        for fname in ("team_id", "user_id", "priority"):
            self.assertIn(fname, tracked)

    def test_agent_reads_but_does_not_write_history(self):
        ticket = self._new_ticket()
        ticket.with_user(self.agent).stage_id = self.stage_progress
        segments = ticket.with_user(self.agent).psa_segment_ids
        self.assertTrue(segments)
        self.assertTrue(segments.mapped("value"))
        with self.assertRaises(AccessError):
            segments[:1].write({"wall_hours": 1.0})
        with self.assertRaises(AccessError):
            self.env["psa.ticket.segment"].with_user(self.agent).create(
                {
                    "ticket_id": ticket.id,
                    "dimension": "stage",
                    "date_start": "2026-01-01 00:00:00",
                }
            )

    def test_history_action(self):
        ticket = self._new_ticket()
        action = ticket.with_user(self.analyst).action_psa_open_history()
        self.assertEqual(action["res_model"], "psa.ticket.segment")
        self.assertEqual(action["domain"], [("ticket_id", "=", ticket.id)])

    def test_existing_tickets_get_history(self):
        """Tickets that existed before the module start their history when it
        is installed."""
        ticket = self._new_ticket()
        other = self._new_ticket(name="Started already")
        other_since = dict(other.psa_segment_since)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET psa_segment_since = NULL WHERE id = %s",
            [ticket.id],
        )
        ticket.invalidate_recordset(["psa_segment_since"])
        with freeze_time("2026-04-01 08:00:00"):
            self.env["helpdesk.ticket"]._psa_init_segment_since()
        self.assertEqual(
            set(ticket.psa_segment_since),
            set(self.env["psa.ticket.segment"]._psa_dimensions()),
        )
        self.assertEqual(
            set(ticket.psa_segment_since.values()), {"2026-04-01 08:00:00"}
        )
        self.assertEqual(other.psa_segment_since, other_since)
