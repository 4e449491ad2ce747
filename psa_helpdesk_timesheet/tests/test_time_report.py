# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Timesheets of tickets (helpdesk_mgmt_timesheet) in the time per stage and
level report: one *Time spent* row per line, in the stage the ticket was in
when the work started; the stage and level rows unchanged; company-bound."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.psa_helpdesk.tests.common import PsaCommon, new_company_user


def monday(hour, minute=0):
    """Monday 2 March 2026, naive UTC."""
    return datetime(2026, 3, 2, hour, minute)


@tagged("post_install", "-at_install")
class TestTimeReport(PsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._entitle([(cls.customer, cls.product)])
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        cls.project = cls.env["project.project"].create(
            {"name": "Municipal support (test)", "allow_timesheets": True}
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Municipal support (test)",
                "allow_timesheet": True,
                "default_project_id": cls.project.id,
                "user_ids": [Command.set(cls.agent.ids)],
            }
        )
        cls.worker = new_test_user(
            cls.env,
            login="psa_ts_worker",
            groups="psa_helpdesk.group_psa_agent,hr_timesheet.group_hr_timesheet_user",
        )
        cls.env["hr.employee"].create(
            {"name": "Worker (test)", "user_id": cls.worker.id}
        )
        cls.team.user_ids |= cls.worker

    def _log(self, ticket, start, hours):
        return (
            self.env["account.analytic.line"]
            .with_user(self.worker)
            .create(
                {
                    "name": "Work on the ticket",
                    "ticket_id": ticket.id,
                    "project_id": ticket.project_id.id,
                    "date_time": start,
                    "unit_amount": hours,
                }
            )
        )

    def _rows(self, ticket, user=None, **domain):
        self.env.flush_all()
        Report = self.env["psa.ticket.time.report"].with_user(user or self.analyst)
        return Report.search(
            [("ticket_id", "=", ticket.id)]
            + [(name, "=", value) for name, value in domain.items()]
        )

    def _ticket_in_progress(self):
        """Monday 9:00 opened (New), 10:00 In progress."""
        with freeze_time(monday(9)):
            ticket = self._ticket(
                user=self.agent,
                team_id=self.team.id,
                project_id=self.project.id,
                installation_id=self.installation.id,
            )
        with freeze_time(monday(10)):
            ticket.with_user(self.agent).stage_id = self.stage_progress
        return ticket

    def test_time_spent_per_stage(self):
        ticket = self._ticket_in_progress()
        segment_rows = self._rows(ticket)
        segment_values = segment_rows.read(["dimension", "stage_id", "business_hours"])
        with freeze_time(monday(12)):
            self._log(ticket, monday(9, 30), 0.5)  # while New
            self._log(ticket, monday(11), 2.0)  # In progress (current)
            self._log(ticket, monday(11, 30), 1.25)
        self.assertEqual(ticket.total_hours, 3.75)
        spent = self._rows(ticket, dimension="timesheet")
        self.assertEqual(len(spent), 3)
        self.assertEqual(sum(spent.mapped("timesheet_hours")), ticket.total_hours)
        groups = dict(
            self.env["psa.ticket.time.report"]
            .with_user(self.analyst)
            ._read_group(
                [("ticket_id", "=", ticket.id), ("dimension", "=", "timesheet")],
                ["stage_id"],
                ["timesheet_hours:sum"],
            )
        )
        self.assertEqual(groups, {self.stage_new: 0.5, self.stage_progress: 3.25})
        self.assertEqual(set(spent.mapped("team_id")), {self.team})
        self.assertEqual(set(spent.mapped("partner_id")), {self.customer})
        self.assertEqual(spent.mapped("date_start")[-1:], [monday(9, 30)])
        # the stage and level rows are unchanged, without time spent
        self.assertEqual(
            (self._rows(ticket) - spent).read(
                ["dimension", "stage_id", "business_hours"]
            ),
            segment_values,
        )
        self.assertFalse(any((self._rows(ticket) - spent).mapped("timesheet_hours")))

    def test_other_company_sees_no_time_spent(self):
        ticket = self._ticket_in_progress()
        with freeze_time(monday(12)):
            self._log(ticket, monday(11), 2.0)
        _company, outsider = new_company_user(
            self.env,
            "Other support (test)",
            "psa_ts_outsider",
            "psa_helpdesk.group_psa_analyst",
        )
        self.assertTrue(self._rows(ticket, dimension="timesheet"))
        self.assertFalse(self._rows(ticket, user=outsider))

    def test_agent_cannot_read_the_report(self):
        """The report stays the analysts' (psa_helpdesk's access rights)."""
        ticket = self._ticket_in_progress()
        self.env.flush_all()
        Report = self.env["psa.ticket.time.report"].with_user(self.worker)
        with self.assertRaises(AccessError):
            Report.search([("ticket_id", "=", ticket.id)])
