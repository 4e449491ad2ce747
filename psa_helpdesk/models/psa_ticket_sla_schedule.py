# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The SLA engine's scheduled action: statuses that change with time, the
alerts that are due (``psa.sla.alert``), the retry of clocks whose calendar
had no working time, and the wake-up of the action at the next due time.
The clocks themselves are in ``psa_ticket_sla.py``."""

from odoo import api, fields, models

from ..tools.business_time import NoWorkingTime, to_aware
from ..tools.cron import DEFAULT_BATCH_SIZE, run_in_batches


class PsaTicketSla(models.Model):
    _inherit = "psa.ticket.sla"

    # ------------------------------------------------------------------
    # Calendars without working time
    # ------------------------------------------------------------------

    def _report_no_working_time(self):
        """These live clocks (``self``) got no deadline: their calendar has
        no working time. Their tickets, unless already flagged, are flagged
        "SLA not computed" (``psa_sla_error``), get a note, and the support
        managers a to-do naming the calendar to fix. Nothing is refused:
        the ticket, the email, the customer's reply go through."""
        tickets = self.ticket_id.filtered(lambda t: not t.psa_sla_error)
        if not tickets:
            return
        tickets.write({"psa_sla_error": True})
        calendars = {
            ticket.id: self.filtered(
                lambda c, ticket=ticket: c.ticket_id == ticket
            ).calendar_id
            for ticket in tickets
        }
        managers = self.env["psa.sla.alert"]._recipients(tickets, ("support_managers",))
        for ticket in tickets:
            calendar = ", ".join(calendars[ticket.id].mapped("display_name"))
            ticket.message_post(
                body=self.env._(
                    "SLA deadlines not computed: calendar %(calendar)s has no "
                    "working time. The clocks run without deadline until the "
                    "calendar is fixed, then their deadlines are computed "
                    "from their start; the support managers were asked to "
                    "fix it.",
                    calendar=calendar,
                ),
                subtype_xmlid="mail.mt_note",
            )
            for user in managers[ticket.id]:
                ticket.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=user.id,
                    summary=self.env._("Fix calendar %(calendar)s", calendar=calendar),
                    note=self.env._(
                        "The SLA deadlines of %(ticket)s cannot be computed: "
                        "calendar %(calendar)s has no working time. Give it "
                        "working hours (or give the contract another "
                        "calendar); the deadlines are computed at the next "
                        "run of the SLA status action.",
                        ticket=ticket.display_name,
                        calendar=calendar,
                    ),
                )

    @api.model
    def _retry_no_working_time(self, batch_size=DEFAULT_BATCH_SIZE):
        """Open tickets flagged "SLA not computed": compute the deadlines of
        their live clocks again, in batches (a failing ticket is logged and
        skipped, not its batch)."""
        tickets = self.env["helpdesk.ticket"].search(
            [
                ("psa_sla_error", "=", True),
                ("stage_id.closed", "=", False),
                ("duplicate_id", "=", False),
            ]
        )
        run_in_batches(
            tickets,
            self._compute_missing_deadlines,
            batch_size=batch_size,
            what="SLA deadlines of tickets flagged 'SLA not computed'",
        )

    @api.model
    def _compute_missing_deadlines(self, tickets):
        """The live clocks of ``tickets`` without deadline get one when their
        calendar has working time again; a clock whose ticket now counts on
        other terms (its contract was given another calendar) takes them
        first (``_retarget``, logged). Tickets left without a clock in
        trouble lose their flag, with a note."""
        now = fields.Datetime.now()
        cache = self._business_time_cache()
        contexts = tickets._psa_sla_context()
        for ticket in tickets:
            clocks = self._live_clocks(ticket).filtered(lambda c: not c.deadline)
            clocks._retarget(contexts[ticket.id], now, cache)
            clocks = clocks.filtered(lambda c: not c.end_date)
            failed = clocks.filtered(
                lambda c: not c.paused_since and not c.deadline
            )._schedule()
            # A paused clock gets its deadline when it resumes: it is enough
            # that its calendar has working time again.
            for clock in clocks.filtered("paused_since"):
                try:
                    cache.add(clock._calendar_key(), to_aware(now), 1.0)
                except NoWorkingTime:
                    failed |= clock
            if failed:
                continue
            ticket.psa_sla_error = False
            ticket.message_post(
                body=self.env._(
                    "SLA deadlines computed: the calendar has working time again."
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_refresh_status(self, batch_size=DEFAULT_BATCH_SIZE):
        """Clocks left without deadline by a calendar without working time
        get one if it was fixed; running clocks whose warning or deadline
        time has come change status, then the alerts that are due go
        (``psa.sla.alert``); then the cron is scheduled for the next such
        time: the first one after the start of this run, so that a time
        that came while the run went on (a long backlog) makes it run again
        at once rather than wait for the periodic schedule."""
        # sudo: the scheduled action runs as the superuser anyway; a manual
        # run does the same engine work (writes clocks, reads penalty terms).
        engine = self.sudo()
        start = fields.Datetime.now()
        engine._retry_no_working_time(batch_size=batch_size)
        engine._refresh_due_statuses(batch_size=batch_size)
        self.env["psa.sla.alert"].sudo()._send_due_alerts(batch_size=batch_size)
        engine._schedule_next_refresh(since=start)

    @api.model
    def _refresh_due_statuses(self, batch_size=DEFAULT_BATCH_SIZE):
        """Refresh the status of running clocks whose warning or deadline
        has come, in batches; a failing clock is logged and skipped."""
        now = fields.Datetime.now()
        domain = [
            ("end_date", "=", False),
            ("paused_since", "=", False),
            "|",
            ("deadline", "<=", now),
            "&",
            ("status", "=", "running"),
            ("warning_1_date", "<=", now),
        ]
        run_in_batches(
            self.search(domain),
            lambda batch: batch._refresh_status(),
            batch_size=batch_size,
            what="SLA status refresh",
        )

    @api.model
    def _schedule_next_refresh(self, since=None):
        """Wake the refresh cron up when the next running clock changes
        status (first warning, second warning not alerted yet, deadline)
        after ``since`` (naive UTC; default now). A time already past (it
        came after ``since``, while the run that calls this went on) wakes
        the cron at once; each such time does so once, as the next run
        starts after it."""
        cron = self.env.ref(
            "psa_helpdesk.psa_ticket_sla_cron_refresh", raise_if_not_found=False
        )
        if not cron:
            return
        now = since or fields.Datetime.now()
        base = [("end_date", "=", False), ("paused_since", "=", False)]
        upcoming = [
            self.search(
                base + [("status", "=", "running"), ("warning_1_date", ">", now)],
                order="warning_1_date",
                limit=1,
            ).warning_1_date,
            self.search(
                base
                + [("warning_2_alert_date", "=", False), ("warning_2_date", ">", now)],
                order="warning_2_date",
                limit=1,
            ).warning_2_date,
            self.search(
                base + [("status", "!=", "breached"), ("deadline", ">", now)],
                order="deadline",
                limit=1,
            ).deadline,
        ]
        upcoming = [date for date in upcoming if date]
        if upcoming:
            cron._trigger(at=min(upcoming))
