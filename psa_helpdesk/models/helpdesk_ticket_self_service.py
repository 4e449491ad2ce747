# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the customer's ticket list says of the service level (SPEC §9,
seed 05): the state of the SLA and, in words, in the customer's language and
time zone, the time by which they can expect an answer or a resolution
("Respuesta antes del lunes 12:00").

The SLA clocks are internal (``groups=`` on every SLA field of the ticket):
these helpers read them as superuser for a ticket the caller may read, and
return only the sentence and a coarse state, never targets, consumed hours,
penalties or the policy."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools.misc import format_datetime

# The clocks the customer is told about, in the order they are told.
PORTAL_SLA_METRICS = ("response", "resolution")


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # the installation / priority filters of the customer's ticket list
        # (controllers/portal_tickets.py): they only ever narrow a search
        extra = self.env.context.get("psa_portal_ticket_domain")
        if extra and not self.env.su:
            domain = expression.AND([domain or [], extra])
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _psa_portal_when(self, deadline, now=None):
        """``deadline`` (naive UTC datetime) in words for the current user:
        their language and time zone (UTC without one), the weekday and time
        within a week ("lunes 12:00"), the day and month added beyond."""
        now = now or fields.Datetime.now()
        tz = self.env.user.tz or "UTC"
        pattern = (
            "EEEE HH:mm" if deadline - now < timedelta(days=6) else "EEEE d MMMM HH:mm"
        )
        return format_datetime(self.env, deadline, tz=tz, dt_format=pattern)

    def _psa_portal_sla_promise(self):
        """The SLA state of the ticket as its customer sees it.

        :return: dict with ``state`` (``False`` without a live clock, else
            ``"on_track"``, ``"paused"`` or ``"late"``) and ``lines``: one
            sentence per live response / resolution clock of the current
            cycle, e.g. "Response before Monday 12:00", or "Response was due
            Monday 09:00" once its deadline has passed (translated in the
            user's language, their time zone); the paused ones say the clock
            waits for the customer. Reads the clocks as superuser: call it
            only on tickets the user may read."""
        self.ensure_one()
        ticket = self.sudo()
        _ = self.env._
        if ticket.closed:
            return {"state": False, "lines": []}
        clocks = ticket.psa_sla_ids.filtered(
            lambda c: (
                c.cycle == ticket.psa_sla_cycle
                and c.metric in PORTAL_SLA_METRICS
                and not c.end_date
            )
        ).sorted(lambda c: PORTAL_SLA_METRICS.index(c.metric))
        now = fields.Datetime.now()
        lines, states = [], set()
        for clock in clocks:
            if clock.status == "paused":
                states.add("paused")
                lines.append(
                    _("Response: waiting for your answer")
                    if clock.metric == "response"
                    else _("Resolution: waiting for your answer")
                )
                continue
            if not clock.deadline:
                continue
            when = self._psa_portal_when(clock.deadline)
            response = clock.metric == "response"
            # a passed deadline is never shown as a promise (the clock's
            # status may not be refreshed yet by the scheduled action)
            if clock.status == "breached" or clock.deadline <= now:
                states.add("late")
                lines.append(
                    _("Response was due %(when)s", when=when)
                    if response
                    else _("Resolution was due %(when)s", when=when)
                )
                continue
            states.add("on_track")
            lines.append(
                _("Response before %(when)s", when=when)
                if response
                else _("Resolution before %(when)s", when=when)
            )
        state = next((s for s in ("late", "on_track", "paused") if s in states), False)
        return {"state": state, "lines": lines}
