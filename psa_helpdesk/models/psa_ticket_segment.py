# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import api, fields, models

from ..const import HISTORY_DIMENSIONS
from ..tools.business_time import to_aware
from ..tools.cron import DEFAULT_BATCH_SIZE, run_in_batches

_logger = logging.getLogger(__name__)


class PsaTicketSegment(models.Model):
    """A finished stretch of time a ticket spent with one value of one
    dimension (in a stage, with a team, with an assignee, ...). Written once,
    when the ticket loses the value, starting when it got it; the durations
    are never recomputed, so changing a calendar later does not rewrite
    history. The stretch in progress is not stored: its start is kept on the
    ticket (``psa_segment_since``), so opening a ticket writes no segment and
    a change writes exactly one per dimension that moved."""

    _name = "psa.ticket.segment"
    _description = "Ticket history segment"
    _order = "ticket_id, date_start, id"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    # Copied from the ticket when the segment is written (not related fields:
    # the history keeps who the ticket was for at the time, and writing
    # segments costs no recomputation)
    company_id = fields.Many2one("res.company", required=True, index=True)
    # customer and product: filters of the history and of the time report
    commercial_partner_id = fields.Many2one(
        "res.partner", string="Customer", index="btree_not_null"
    )
    psa_product_id = fields.Many2one(
        "psa.product", string="Product", index="btree_not_null"
    )
    dimension = fields.Selection(
        [(key, label) for key, (_fname, label) in HISTORY_DIMENSIONS.items()],
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
    date_end = fields.Datetime(string="End", required=True, index=True)
    wall_hours = fields.Float(
        string="Hours (wall clock)", aggregator="sum", readonly=True
    )
    business_hours = fields.Float(
        aggregator="sum",
        readonly=True,
        help="Working hours of the company's calendar between start and end.",
    )
    business_pending = fields.Boolean(
        readonly=True,
        index="btree_not_null",
        help="Business hours not counted yet: a scheduled action counts them "
        "in batches, off the path of the ticket change.",
    )

    _sql_constraints = [
        (
            "date_order",
            "CHECK (date_end >= date_start)",
            "A history segment cannot end before it starts.",
        ),
    ]

    @api.depends("dimension", "value")
    def _compute_display_name(self):
        for segment in self:
            segment.display_name = segment.value or segment.dimension

    @api.model_create_multi
    def create(self, vals_list):
        """Segments created without company, customer or product take them
        from their ticket (``_psa_record`` always gives them)."""
        missing = [vals for vals in vals_list if not vals.get("company_id")]
        if missing:
            tickets = self.env["helpdesk.ticket"].browse(
                {vals["ticket_id"] for vals in missing}
            )
            by_id = {ticket.id: ticket for ticket in tickets}
            for vals in missing:
                ticket = by_id[vals["ticket_id"]]
                vals["company_id"] = ticket.company_id.id
                vals.setdefault(
                    "commercial_partner_id", ticket.commercial_partner_id.id
                )
                vals.setdefault("psa_product_id", ticket.psa_product_id.id)
        return super().create(vals_list)

    @api.model
    def _psa_value_of(self, ticket, fname, labels=None):
        """(key, label, record id or False) of ``ticket.fname``; ``labels``
        caches the selection labels per field across calls."""
        return self._psa_describe(ticket._fields[fname], ticket[fname], labels)

    @api.model
    def _psa_describe(self, field, value, labels=None):
        """(key, label, record id or False) of ``value``, a value of the
        ticket field ``field`` (a record for a many2one)."""
        if field.type == "many2one":
            return (str(value.id) if value else False, value.display_name, value.id)
        if field.type == "selection":
            labels = {} if labels is None else labels
            if field.name not in labels:
                labels[field.name] = dict(field._description_selection(self.env))
            label = labels[field.name].get(value, value) if value else False
            return (value or False, label, False)
        return (str(value) if value else False, str(value) if value else False, False)

    @api.model
    def _psa_record(self, stretches, end):
        """Write the finished stretches, in one create, and wake up the
        scheduled action that counts their business hours.

        ``stretches``: ``(ticket, dimension, ticket field, value, start)``,
        ``value`` being what the ticket held from ``start`` to ``end``."""
        labels = {}  # selection labels, read once per field
        vals_list = []
        for ticket, dimension, fname, value, start in stretches:
            key, label, rec_id = self._psa_describe(
                ticket._fields[fname], value, labels
            )
            start = min(start, end)
            vals = {
                "ticket_id": ticket.id,
                "company_id": ticket.company_id.id,
                "commercial_partner_id": ticket.commercial_partner_id.id,
                "psa_product_id": ticket.psa_product_id.id,
                "dimension": dimension,
                "value_key": key,
                "value": label,
                "date_start": start,
                "date_end": end,
                "wall_hours": (end - start).total_seconds() / 3600.0,
                # counted by the scheduled action; 0 until then, not NULL,
                # so that averages count the stretch
                "business_hours": 0.0,
                "business_pending": True,
            }
            if rec_id and fname in self._fields:
                vals[fname] = rec_id
            vals_list.append(vals)
        segments = self.create(vals_list)
        pending = self.env.cr.precommit.data
        if segments and not pending.get("psa_segment_hours_triggered"):
            cron = self.env.ref(
                "psa_helpdesk.psa_ticket_segment_cron_business_hours",
                raise_if_not_found=False,
            )
            if cron:
                # Once per transaction. sudo: scheduling the system's own
                # bookkeeping, whoever moved the ticket.
                cron.sudo()._trigger()
            pending["psa_segment_hours_triggered"] = True
        return segments

    def _psa_count_business_hours(self):
        """Business hours of the segments (all finished) on their ticket
        company's calendar, with the SLA engine's business-time arithmetic:
        one fetch of working time per calendar for the whole batch."""
        cache = self.env["psa.ticket.sla"]._business_time_cache()
        by_calendar = self.grouped(
            lambda s: s.ticket_id.company_id.resource_calendar_id
        )
        for calendar, group in by_calendar.items():
            if calendar:
                cache.prepare(
                    calendar,
                    to_aware(min(group.mapped("date_start"))),
                    to_aware(max(group.mapped("date_end"))),
                )
            for segment in group:
                business = (
                    max(
                        cache.elapsed(
                            calendar,
                            to_aware(segment.date_start),
                            to_aware(segment.date_end),
                        ),
                        0.0,
                    )
                    if calendar and segment.date_end > segment.date_start
                    else 0.0
                )
                segment.write({"business_hours": business, "business_pending": False})
        return True

    @api.model
    def _cron_business_hours(self, batch_size=DEFAULT_BATCH_SIZE):
        """Scheduled action: count the business hours of finished segments,
        in batches; a failing segment is logged and left for the next run."""
        run_in_batches(
            self.search([("business_pending", "=", True)]),
            lambda batch: batch._psa_count_business_hours(),
            batch_size=batch_size,
            what="Business hours of ticket history",
        )
        return True
