# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Demo data helpers: only called by the demo files (``<function>`` tags of
``demo/psa_sla_history_demo.xml``), never by the addon itself. They give demo
tickets a past: clocks that have been running for hours or days, the history
of the stages they went through, answers of their agents."""

from datetime import timedelta

from odoo import api, fields, models


class PsaDemoData(models.AbstractModel):
    _name = "psa.demo.data"
    _description = "PSA demo data helpers"

    @api.model
    def _backdate_sla_clocks(self, ticket_hours):
        """Make the clocks of some tickets look as if they had been running
        for a while. ``ticket_hours`` maps ticket ids to wall-clock hours:
        their live clocks start that much earlier, their deadlines are
        computed again in business time, then the scheduled action runs as it
        would have (statuses, alerts, penalties)."""
        Clock = self.env["psa.ticket.sla"]
        clocks = Clock.browse()
        for ticket_id, hours in ticket_hours.items():
            shift = timedelta(hours=hours)
            for clock in Clock.search(
                [("ticket_id", "=", ticket_id), ("end_date", "=", False)]
            ):
                clock.write(
                    {
                        fname: clock[fname] - shift
                        for fname in ("start_date", "checkpoint_date", "paused_since")
                        if clock[fname]
                    }
                )
                clocks |= clock
        clocks.filtered(lambda c: not c.paused_since)._schedule()
        Clock.with_context(psa_cron_no_commit=True)._cron_refresh_status()

    @api.model
    def _backdate_ticket_history(self, history):
        """Give tickets a past. ``history`` maps ticket ids to ``(hours open,
        [(earlier stage id, hours in it), ...])``: every dimension's current
        segment starts ``hours open`` ago, except the stage, which went
        through the earlier stages first; their finished segments are
        recorded and their business hours counted."""
        now = fields.Datetime.now()
        Ticket = self.env["helpdesk.ticket"]
        Segment = self.env["psa.ticket.segment"]
        dimensions = Segment._psa_dimensions()
        Stage = self.env["helpdesk.ticket.stage"]
        finished = []
        for ticket_id, (hours_open, stages) in history.items():
            ticket = Ticket.browse(ticket_id)
            start = now - timedelta(hours=hours_open)
            since = dict.fromkeys(dimensions, start)
            for stage_id, hours in stages:
                end = start + timedelta(hours=hours)
                finished.append((ticket, Stage.browse(stage_id), start, end))
                start = end
            since["stage"] = start
            ticket.write({"psa_segment_since": Segment._psa_since_stamp(since)})
        for ticket, stage, start, end in finished:
            Segment._psa_record([(ticket, "stage", "stage_id", stage, start)], end)
        Segment.with_context(psa_cron_no_commit=True)._cron_business_hours()

    @api.model
    def _agents_reply(self, ticket_ids):
        """The assignee of each ticket answers the customer (a public
        message), which stops the first-response clock."""
        admin = self.env.ref("base.user_admin")
        for ticket in self.env["helpdesk.ticket"].browse(ticket_ids):
            ticket.with_user(ticket.user_id or admin).message_post(
                body=self.env._("We are reviewing it and will keep you posted."),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
