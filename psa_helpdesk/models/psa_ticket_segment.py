# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import pytz

from odoo import api, fields, models

# What the history measures: one line per dimension, key → (ticket field,
# label). A dimension whose field does not exist on helpdesk.ticket (e.g. the
# support level before it is installed) is skipped at runtime.
SEGMENT_DIMENSIONS = {
    "stage": ("stage_id", "Stage"),
    "team": ("team_id", "Team"),
    "user": ("user_id", "Assignee"),
    "priority": ("priority", "Priority"),
    "level": ("support_level", "Support level"),
    "severity": ("severity", "Severity"),
}


class PsaTicketSegment(models.Model):
    """A stretch of time a ticket spent with one value of one dimension (in a
    stage, with a team, with an assignee, ...). Opened when the ticket gets the
    value, closed when it loses it; the durations are written on closing and
    never recomputed, so changing a calendar later does not rewrite history."""

    _name = "psa.ticket.segment"
    _description = "Ticket history segment"
    _order = "ticket_id, date_start, id"
    _rec_name = "value"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    # customer and product: filters of the history and of the time report
    commercial_partner_id = fields.Many2one(
        related="ticket_id.commercial_partner_id",
        string="Customer",
        store=True,
        index="btree_not_null",
    )
    psa_product_id = fields.Many2one(
        related="ticket_id.psa_product_id",
        string="Product",
        store=True,
        index="btree_not_null",
    )
    dimension = fields.Selection(
        [(key, label) for key, (_fname, label) in SEGMENT_DIMENSIONS.items()],
        required=True,
        index=True,
    )
    value_key = fields.Char(
        string="Value key",
        help="Technical value: the record id or the selection key.",
    )
    value = fields.Char(help="The value as it was named at the time.")
    # Set only for the dimension they name, to group reports by the real record
    stage_id = fields.Many2one("helpdesk.ticket.stage", index="btree_not_null")
    team_id = fields.Many2one("helpdesk.ticket.team", index="btree_not_null")
    user_id = fields.Many2one("res.users", string="Assignee", index="btree_not_null")
    date_start = fields.Datetime(string="Start", required=True, index=True)
    date_end = fields.Datetime(string="End", index=True)
    wall_hours = fields.Float(
        string="Hours (wall clock)", aggregator="sum", readonly=True
    )
    business_hours = fields.Float(
        aggregator="sum",
        readonly=True,
        help="Working hours of the company's calendar between start and end.",
    )

    @api.model
    def _psa_value_of(self, ticket, fname):
        """(key, label, record id or False) of ``ticket.fname``."""
        field = ticket._fields[fname]
        value = ticket[fname]
        if field.type == "many2one":
            return (str(value.id) if value else False, value.display_name, value.id)
        if field.type == "selection":
            labels = dict(field._description_selection(self.env))
            return (value or False, labels.get(value, value) if value else False, False)
        return (str(value) if value else False, str(value) if value else False, False)

    @api.model
    def _psa_open(self, tickets, dimensions, start):
        """Open one segment per ticket and dimension ({key: ticket field})."""
        vals_list = []
        for ticket in tickets:
            for dimension, fname in dimensions.items():
                key, label, rec_id = self._psa_value_of(ticket, fname)
                vals = {
                    "ticket_id": ticket.id,
                    "dimension": dimension,
                    "value_key": key,
                    "value": label,
                    "date_start": start,
                }
                if rec_id and fname in self._fields:
                    vals[fname] = rec_id
                vals_list.append(vals)
        return self.create(vals_list)

    def _psa_close(self, end):
        """Close open segments at ``end``: wall time, and business time on the
        ticket company's working calendar."""
        for segment in self.filtered(lambda s: not s.date_end):
            start = segment.date_start
            wall = max((end - start).total_seconds(), 0.0) / 3600.0
            calendar = segment.ticket_id.company_id.resource_calendar_id
            business = 0.0
            if calendar and end > start:
                business = calendar.get_work_hours_count(
                    pytz.utc.localize(start),
                    pytz.utc.localize(end),
                    compute_leaves=True,
                )
            segment.write(
                {"date_end": end, "wall_hours": wall, "business_hours": business}
            )
        return True

    @api.model
    def _psa_init_open_segments(self):
        """Open the segments of tickets that existed before this module: their
        history starts now. Called once at installation."""
        tickets = (
            self.env["helpdesk.ticket"]
            .with_context(active_test=False)
            .search([("psa_segment_ids", "=", False)])
        )
        self._psa_open(
            tickets, tickets._psa_segment_dimensions(), fields.Datetime.now()
        )
