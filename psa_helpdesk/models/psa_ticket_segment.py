# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import defaultdict

from odoo import api, fields, models

from ..const import HISTORY_DIMENSIONS
from ..tools.business_time import to_aware
from ..tools.context import without_defaults
from ..tools.cron import DEFAULT_BATCH_SIZE, run_in_batches
from .helpdesk_ticket import PRIORITY_INPUTS

_logger = logging.getLogger(__name__)

# Ticket fields whose change may move a dimension (directly or through
# helpdesk_mgmt's computes: a new team resets the assignee and the stage; the
# inputs of the derived priority move the OCA star)
HISTORY_TRIGGER_FIELDS = {"stage_id", "team_id", "user_id"} | PRIORITY_INPUTS


class PsaTicketSegment(models.Model):
    """A finished segment of a ticket's history: the time the ticket spent
    with one value of one *dimension* (a stage, a team, an assignee, a
    priority, a support level, a severity: ``HISTORY_DIMENSIONS``).

    Vocabulary: a ticket's history is, per dimension, a sequence of
    *segments*; the *current segment* of a dimension is the one in progress,
    a *finished segment* has an end. Only finished segments are stored (this
    model): written once, when the ticket loses the value, starting when it
    got it; the durations are never recomputed, so changing a calendar later
    does not rewrite history. The current segment is not stored: its start is
    kept on the ticket (``psa_segment_since``), so opening a ticket writes no
    segment and a change writes exactly one per dimension that moved.

    The bookkeeping (which segment ends when) is done here, called by the
    ticket pipeline (``helpdesk_ticket.py``): ``_psa_prepare_create``,
    ``_psa_before_write``, ``_psa_after_write``.

    Why not Odoo's ``mail.tracking.duration.mixin`` (time per stage in the
    kanban tooltip)? It follows one many2one field per model, computed on
    every read from the chatter's tracking values: the history would lose
    what is not tracked (severity and level changes made with tracking
    disabled, imports, bulk writes with ``tracking_disable``) or deleted with
    messages, could not be grouped or summed by the SQL reports (SPEC §6:
    time per stage, team, level, per customer and month), and knows wall
    time only, while support counts business hours on the company's
    calendar (``business_hours``, counted by a scheduled action)."""

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
        help="Business hours not counted yet (segments recorded before they "
        "were counted with the change): a scheduled action counts them in "
        "batches.",
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
    def _psa_record(self, segments, end):
        """Write the finished segments, in one create, with their business
        hours (``_psa_business_hours``: the calendar's working time is
        cached, so counting them reads nothing and spares a later write).

        ``segments``: ``(ticket, dimension, ticket field, value, start)``,
        ``value`` being what the ticket held from ``start`` to ``end``."""
        labels = {}  # selection labels, read once per field
        cache = self.env["psa.ticket.sla"]._business_time_cache()
        vals_list = []
        for ticket, dimension, fname, value, start in segments:
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
                "business_hours": self._psa_business_hours(
                    cache, ticket.company_id.resource_calendar_id, start, end
                ),
                "business_pending": False,
            }
            if rec_id and fname in self._fields:
                vals[fname] = rec_id
            vals_list.append(vals)
        # Every value comes from the ticket: no default_* key of the
        # caller's context (a kanban column's stage, say) reaches the history.
        return without_defaults(self).create(vals_list)

    @api.model
    def _psa_business_hours(self, cache, calendar, start, end):
        """Working hours of ``calendar`` (the ticket company's) between two
        naive UTC datetimes, with the SLA engine's business-time arithmetic
        (``cache``: a ``BusinessTimeCache``); 0 without a calendar or for an
        empty segment."""
        if not calendar:
            return 0.0
        return cache.hours_between(calendar, start, end)

    # ------------------------------------------------------------------
    # Bookkeeping: called by the ticket pipeline (helpdesk_ticket.py)
    # ------------------------------------------------------------------

    @api.model
    def _psa_dimensions(self):
        """{dimension: ticket field} for the dimensions this database has."""
        Ticket = self.env["helpdesk.ticket"]
        return {
            dimension: fname
            for dimension, (fname, _label) in HISTORY_DIMENSIONS.items()
            if fname in Ticket._fields
        }

    @api.model
    def _psa_since_stamp(self, since):
        """``{dimension: datetime}`` as stored in ``psa_segment_since``."""
        return {
            dimension: fields.Datetime.to_string(date)
            for dimension, date in since.items()
        }

    @api.model
    def _psa_since_all(self, date):
        """``psa_segment_since`` of a ticket whose every dimension starts at
        ``date``."""
        return self._psa_since_stamp(dict.fromkeys(self._psa_dimensions(), date))

    @api.model
    def _psa_prepare_create(self, vals_list):
        """Create step: the history of new tickets starts now, for every
        dimension; written with the ticket itself, no segment yet."""
        since = self._psa_since_all(fields.Datetime.now())
        for vals in vals_list:
            vals.setdefault("psa_segment_since", since)

    @api.model
    def _psa_before_write(self, tickets, vals):
        """Write step, before the update: ``(vals, state)``, the values to
        write (with the new starts when one ticket's dimensions visibly
        change: one UPDATE, no second write) and what ``_psa_after_write``
        compares; ``state`` is None when ``vals`` moves no dimension."""
        dimensions = self._psa_dimensions()
        if not (HISTORY_TRIGGER_FIELDS | set(dimensions.values())) & vals.keys():
            return vals, None
        now = fields.Datetime.now()
        before = self._psa_keys(tickets, dimensions)
        old_since = {
            ticket.id: {
                dimension: ticket._psa_segment_start(dimension)
                for dimension in dimensions
            }
            for ticket in tickets
        }
        expected = self._psa_expected(tickets, vals, dimensions, before)
        if expected:
            vals = dict(
                vals,
                psa_segment_since=self._psa_since_stamp(
                    dict(old_since[tickets.id], **dict.fromkeys(expected, now))
                ),
            )
        return vals, {
            "dimensions": dimensions,
            "now": now,
            "before": before,
            "old_since": old_since,
            "expected": expected,
        }

    @api.model
    def _psa_after_write(self, tickets, state):
        """Write step, after the update: record the segments that ended."""
        if state is None:
            return
        dimensions, before = state["dimensions"], state["before"]
        after = self._psa_keys(tickets, dimensions)
        changed = {}
        for (ticket_id, dimension), key in after.items():
            if before.get((ticket_id, dimension)) != key:
                changed.setdefault(dimension, []).append(ticket_id)
        if changed or state["expected"]:
            self._psa_shift(
                tickets,
                changed,
                dimensions,
                before,
                state["old_since"],
                state["now"],
                set(state["expected"]),
            )

    @api.model
    def _psa_keys(self, tickets, dimensions):
        """{(ticket id, dimension): current value} to compare before/after
        (a record for a many2one: its id compares, its name labels the
        finished segment)."""
        return {
            (ticket.id, dimension): ticket[fname]
            for ticket in tickets
            for dimension, fname in dimensions.items()
        }

    @api.model
    def _psa_expected(self, tickets, vals, dimensions, before):
        """The dimensions that ``vals`` visibly changes, when ``tickets`` is
        one ticket that does not write its history starts itself; else []."""
        if len(tickets) != 1 or "psa_segment_since" in vals:
            return []
        expected = []
        for dimension, fname in dimensions.items():
            if fname not in vals:
                continue
            old = before[tickets.id, dimension]
            if tickets._fields[fname].type == "many2one":
                moved = (vals[fname] or False) != (old.id or False)
            else:
                moved = (vals[fname] or False) != (old or False)
            if moved:
                expected.append(dimension)
        return expected

    @api.model
    def _psa_shift(self, tickets, changed, dimensions, before, old_since, now, done):
        """Write the finished segment of each changed dimension and start the
        new one ``now``. ``changed``: {dimension: [ticket ids]}; ``before``
        and ``old_since``: values and starts before the change, per ticket;
        ``done``: the dimensions whose new start the change itself wrote (on
        the one ticket of ``tickets``)."""
        finished = []
        moved = defaultdict(set)  # ticket → dimensions that start now
        for dimension, ticket_ids in changed.items():
            for ticket in tickets.browse(ticket_ids):
                finished.append(
                    (
                        ticket,
                        dimension,
                        dimensions[dimension],
                        before[ticket.id, dimension],
                        old_since[ticket.id][dimension],
                    )
                )
                moved[ticket].add(dimension)
        # sudo: the history is kept by the system whatever the rights of the
        # user changing the ticket; users only read it
        if finished:
            self.sudo()._psa_record(finished, now)
        # The new starts, when the change did not write them already (several
        # tickets, or a dimension moved by a compute): one write per
        # resulting value, so a bulk change of similar tickets is one write.
        by_since = defaultdict(lambda: tickets.browse())
        for ticket in tickets:
            if moved.get(ticket, set()) == (done if ticket == tickets[:1] else set()):
                continue
            since = dict(old_since[ticket.id])
            since.update(dict.fromkeys(moved.get(ticket, ()), now))
            by_since[tuple(sorted(self._psa_since_stamp(since).items()))] |= ticket
        for key, group in by_since.items():
            # sudo: as above, the history's own bookkeeping
            group.sudo().write({"psa_segment_since": dict(key)})

    # ------------------------------------------------------------------
    # Business hours (scheduled action)
    # ------------------------------------------------------------------

    def _psa_count_business_hours(self):
        """Business hours of the segments (all finished) still pending, on
        their ticket company's calendar: one fetch of working time per
        calendar for the whole batch."""
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
                business = self._psa_business_hours(
                    cache, calendar, segment.date_start, segment.date_end
                )
                segment.write({"business_hours": business, "business_pending": False})
        return True

    @api.model
    def _cron_business_hours(self, batch_size=DEFAULT_BATCH_SIZE):
        """Scheduled action: count the business hours of the finished
        segments still pending (recorded before they were counted with the
        change), in batches; a failing segment is logged and left for the
        next run."""
        run_in_batches(
            self.search([("business_pending", "=", True)]),
            lambda batch: batch._psa_count_business_hours(),
            batch_size=batch_size,
            what="Business hours of ticket history",
        )
        return True
