# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Ticket history on the ticket (SPEC §6): its segments, the start of the
current segment of each dimension, and the History tab. The bookkeeping
(which segment ends when) is done by ``psa.ticket.segment``, called from the
pipeline in ``helpdesk_ticket.py``."""

import json

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import MissingError
from odoo.tools import SQL, format_duration

from ..const import HISTORY_DIMENSIONS


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    psa_segment_ids = fields.One2many(
        "psa.ticket.segment",
        "ticket_id",
        string="History",
        readonly=True,
        groups="psa_helpdesk.group_psa_agent",
    )

    psa_segment_since = fields.Json(
        string="Current segments since",
        copy=False,
        readonly=True,
        help="Technical: {dimension: UTC time} when the ticket got its "
        "current value of each history dimension.",
        groups="base.group_user",
    )

    psa_history_current = fields.Html(
        string="Current segments",
        compute="_compute_psa_history_current",
        sanitize=False,
        help="Since when the ticket is in its stage, with its team, assignee, "
        "priority, level and severity.",
        groups="base.group_user",
    )

    @api.depends(
        "psa_segment_since",
        *(fname for fname, _label in HISTORY_DIMENSIONS.values()),
    )
    @api.depends_context("tz", "lang")
    def _compute_psa_history_current(self):
        """A small table: each dimension, its current value, since when and
        for how long (wall clock, up to now)."""
        Segment = self.env["psa.ticket.segment"]
        dimensions = Segment._psa_dimensions()
        names = dict(Segment._fields["dimension"]._description_selection(self.env))
        now = fields.Datetime.now()
        labels = {}
        # the user's date and time format, as in the lists
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        date_format = (
            f"{lang.date_format or '%m/%d/%Y'} {lang.short_time_format or '%H:%M'}"
        )
        for ticket in self:
            if not ticket.id:
                ticket.psa_history_current = False
                continue
            rows = []
            for dimension, fname in dimensions.items():
                _key, label, _rec_id = Segment._psa_value_of(ticket, fname, labels)
                start = ticket._psa_segment_start(dimension)
                rows.append(
                    Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
                    % (
                        names.get(dimension, dimension),
                        label or "",
                        fields.Datetime.context_timestamp(ticket, start).strftime(
                            date_format
                        )
                        if start
                        else "",
                        format_duration(
                            max((now - start).total_seconds(), 0.0) / 3600.0
                        )
                        if start
                        else "",
                    )
                )
            ticket.psa_history_current = Markup(
                '<table class="table table-sm o_psa_history_current">'
                "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
                "</thead><tbody>%s</tbody></table>"
            ) % (
                self.env._("Dimension"),
                self.env._("Now"),
                self.env._("Since"),
                self.env._("For (wall clock)"),
                Markup("").join(rows),
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_psa_open_history(self):
        """The ticket's time segments as a pivot (time per stage, team, ...)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "psa_helpdesk.psa_ticket_segment_action"
        )
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"search_default_group_dimension": 1}
        return action

    # ------------------------------------------------------------------
    # Tracking
    # ------------------------------------------------------------------

    def _message_track(self, fields_iter, initial_values_dict):
        """As ``mail.thread._message_track`` (the same messages and the same
        ``{ticket id: (changed field names, tracking value commands)}``),
        with only the fields whose value changed on some ticket of ``self``
        described.

        Odoo prepares every tracked field at each write (``_track_prepare``)
        and describes them all (``fields_get``) at the flush, before it
        compares their values; the ticket tracks about thirty fields, so a
        stage change described thirty fields to log one. The values compared
        here are the cached ones Odoo compares next; a field left out is one
        Odoo would not have logged."""
        changed = set()
        for record in self:
            initial = initial_values_dict.get(record.id) or {}
            try:
                changed.update(
                    fname
                    for fname, value in initial.items()
                    if fname not in changed and record[fname] != value
                )
            except MissingError:
                continue  # deleted meanwhile: Odoo skips it too
        fnames = [fname for fname in fields_iter if fname in changed]
        if not fnames:
            # nothing to log: what Odoo does then, but describing no field
            # (the body and author set for this flush are dropped)
            data = self.env.cr.precommit.data
            data.pop(f"mail.tracking.message.{self._name}", None)
            data.pop(f"mail.tracking.author.{self._name}", None)
            return {}
        return super()._message_track(fnames, initial_values_dict)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _psa_segment_start(self, dimension):
        """When the ticket got its current value of ``dimension``: from
        ``psa_segment_since``, else its creation."""
        self.ensure_one()
        since = (self.psa_segment_since or {}).get(dimension)
        return fields.Datetime.to_datetime(since) if since else self.create_date

    @api.model
    def _psa_init_segment_since(self):
        """Tickets that existed before this module start their history now.
        Called once, at installation (``post_init_hook``)."""
        self.env.cr.execute(
            SQL(
                "UPDATE helpdesk_ticket SET psa_segment_since = %s "
                "WHERE psa_segment_since IS NULL",
                json.dumps(
                    self.env["psa.ticket.segment"]._psa_since_all(fields.Datetime.now())
                ),
            )
        )
        self.invalidate_model(["psa_segment_since"])
