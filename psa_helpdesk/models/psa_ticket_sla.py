# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The SLA engine: one clock per ticket, metric and cycle.

A clock counts business time on a calendar (or 24×7) towards a frozen target.
It keeps a *checkpoint*: ``consumed_hours`` is the business time consumed when
``checkpoint_date`` was reached; while it runs, the deadline is the instant
when the rest of the target (``target_hours - consumed_hours``) will have been
consumed after the checkpoint. Pausing moves the checkpoint to the pause;
resuming moves it to the resumption, so the deadline moves by exactly the
paused business time. A change of target keeps what was consumed and applies
the new target from the original start.

State machine (``status``)::

    running ──► at_risk ──► breached          (time, by _refresh_status)
       │  ▲                                    live clocks (no end_date)
       ▼  │ resume (customer reply / stage)
     paused
    live ──stop reached──► met | met_late     (consumed ≤ / > target)
    live ──stop unreached► breached | cancelled (late / not late)

Finished clocks (``end_date`` set) are never written again.

Alerts (see ``ALERT_CHAIN``) go up a chain as a clock gets closer to its
deadline; each level goes once per clock. Penalties (see ``_penalty_amount``)
are recorded on breached clocks of contracts with penalty terms.
"""

import logging
import math
from collections import defaultdict

import babel.dates
from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.osv import expression
from odoo.tools import SQL, format_duration
from odoo.tools.misc import babel_locale_parse, get_lang

from ..const import PRIORITIES, SLA_METRICS, SLA_PENALTY_STATUSES, SLA_STATUSES
from ..tools.business_time import (
    BusinessTimeCache,
    NoWorkingTime,
    to_aware,
    to_local,
    to_naive,
)
from ..tools.cron import DEFAULT_BATCH_SIZE, run_in_batches

_logger = logging.getLogger(__name__)

# Below a second of difference, a clock is on time.
EPSILON_HOURS = 1 / 3600.0
# The alert chain. A level is due when the clock's date has come while it
# runs; it goes once per clock (its bookkeeping date is set in the same
# savepoint as the alert is sent) to everyone named, each getting a to-do
# activity; the ticket gets one chatter note; an email goes when the policy
# says so. An unassigned ticket: the team leader stands in for the assignee.
#
#   level       due at (clock field)   bookkeeping            recipients
#   warning_1   warning_1_date (75 %)  warning_1_alert_date   assignee
#   warning_2   warning_2_date (90 %)  warning_2_alert_date   assignee, team leader
#   breach      deadline               breach_alert_date      assignee, team leader,
#                                                             support managers
ALERT_CHAIN = [
    ("warning_1", "warning_1_date", "warning_1_alert_date", ("assignee",)),
    (
        "warning_2",
        "warning_2_date",
        "warning_2_alert_date",
        ("assignee", "team_leader"),
    ),
    (
        "breach",
        "deadline",
        "breach_alert_date",
        ("assignee", "team_leader", "support_managers"),
    ),
]
ALERT_FAILED = (
    "SLA alert of clock %s (ticket %s) failed; skipped, the next run tries again"
)


class PsaTicketSla(models.Model):
    _name = "psa.ticket.sla"
    _description = "SLA clock of a ticket"
    _order = "ticket_id, cycle desc, metric, start_date desc, id desc"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(
        related="ticket_id.company_id", store=True, index=True, readonly=True
    )
    team_id = fields.Many2one(
        related="ticket_id.team_id",
        store=True,
        string="Team",
        readonly=True,
        index="btree_not_null",
    )
    partner_id = fields.Many2one(
        "res.partner",
        related="ticket_id.commercial_partner_id",
        index=True,
        store=True,
        string="Customer",
        readonly=True,
    )
    user_id = fields.Many2one(related="ticket_id.user_id", string="Assigned to")
    product_id = fields.Many2one(
        related="ticket_id.psa_product_id", store=True, string="Product", index=True
    )
    contract_id = fields.Many2one(
        related="ticket_id.contract_id",
        store=True,
        string="Contract",
        index="btree_not_null",
    )
    metric = fields.Selection(SLA_METRICS, required=True, readonly=True)
    cycle = fields.Integer(
        default=1,
        readonly=True,
        help="1 for the ticket as opened; every reopening starts a new cycle.",
    )
    policy_id = fields.Many2one("psa.sla.policy", readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    calendar_id = fields.Many2one("resource.calendar", readonly=True)
    round_the_clock = fields.Boolean(string="24×7", readonly=True)
    target_hours = fields.Float(
        string="Target (h)", readonly=True, help="Frozen when the clock starts."
    )
    start_date = fields.Datetime(
        string="Started", required=True, readonly=True, index=True
    )
    checkpoint_date = fields.Datetime(readonly=True)
    consumed_hours = fields.Float(
        string="Consumed (h)",
        readonly=True,
        help="Business hours consumed until the last event on the clock "
        "(pause, resumption, target change, stop).",
    )
    paused_hours = fields.Float(string="Paused (h)", readonly=True)
    paused_since = fields.Datetime(readonly=True)
    deadline = fields.Datetime(index=True, readonly=True)
    warning_1_date = fields.Datetime(string="At risk from", index=True, readonly=True)
    warning_2_date = fields.Datetime(string="Second warning from", readonly=True)
    reached_date = fields.Datetime(string="Reached", readonly=True)
    end_date = fields.Datetime(
        string="Stopped",
        readonly=True,
        index=True,
        help="Set once the clock is finished.",
    )
    status = fields.Selection(
        SLA_STATUSES, required=True, default="running", index=True, readonly=True
    )
    overrun_hours = fields.Float(
        string="Late by (h)",
        readonly=True,
        help="Business hours consumed beyond the target.",
    )
    remaining_hours = fields.Float(
        string="Remaining (h)",
        compute="_compute_remaining_hours",
        help="Business hours left until the deadline; negative when late.",
    )
    # Alert bookkeeping: set once by the alert engine, so each alert goes once.
    warning_1_alert_date = fields.Datetime(readonly=True, copy=False)
    warning_2_alert_date = fields.Datetime(readonly=True, copy=False)
    breach_alert_date = fields.Datetime(readonly=True, copy=False)
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        help="Currency of the penalty: the contract's, else the company's.",
    )
    penalty_amount = fields.Monetary(
        string="Penalty",
        readonly=True,
        copy=False,
        groups="psa_helpdesk.group_psa_manager",
        help="Owed under the contract's penalty terms when the target was "
        "missed: penalty per breach + penalty per hour × hours late (business "
        "hours, rounded up to whole hours). Grows while a breached clock "
        "runs; fixed once the clock stops.",
    )

    @api.depends("contract_id.currency_id", "company_id.currency_id")
    def _compute_currency_id(self):
        for clock in self:
            clock.currency_id = (
                clock.contract_id.currency_id or clock.company_id.currency_id
            )

    @api.depends("metric", "ticket_id.number")
    def _compute_display_name(self):
        labels = dict(self._fields["metric"]._description_selection(self.env))
        for clock in self:
            clock.display_name = " · ".join(
                part
                for part in (clock.ticket_id.number, labels.get(clock.metric))
                if part
            )

    def _compute_remaining_hours(self):
        now = to_aware(fields.Datetime.now())
        cache = self._business_time_cache()
        live = self.filtered(lambda c: not c.end_date and not c.paused_since)
        for calendar, clocks in live.grouped(lambda c: c._calendar_key()).items():
            deadlines = [to_aware(d) for d in clocks.mapped("deadline") if d]
            if deadlines:
                cache.prepare(calendar, min(deadlines + [now]), max(deadlines + [now]))
        for clock in self:
            if clock in live and clock.deadline:
                clock.remaining_hours = cache.elapsed(
                    clock._calendar_key(), now, to_aware(clock.deadline)
                )
            else:
                clock.remaining_hours = clock.target_hours - clock.consumed_hours

    # ------------------------------------------------------------------
    # Business time
    # ------------------------------------------------------------------

    def _calendar_key(self):
        """The calendar to count on, or False for 24×7."""
        self.ensure_one()
        return False if self.round_the_clock else self.calendar_id

    @api.model
    def _business_time_cache(self):
        def fetch(calendar, start, end):
            # Working hours and public holidays are configuration, readable by
            # every internal user; sudo so a portal reply can resume a clock.
            return calendar.sudo()._psa_work_spans(start, end)

        return BusinessTimeCache(fetch)

    @api.model
    def _raise_no_working_time(self, calendar):
        raise UserError(
            self.env._(
                "Calendar %(calendar)s has no working time in the next years: "
                "SLA deadlines cannot be computed on it.",
                calendar=calendar.display_name,
            )
        )

    def _consumed_at(self, cache, now):
        """Business hours consumed at ``now`` (aware), per clock id."""
        result = {}
        for clock in self:
            consumed = clock.consumed_hours
            if not clock.end_date and not clock.paused_since:
                consumed += cache.elapsed(
                    clock._calendar_key(), to_aware(clock.checkpoint_date), now
                )
            result[clock.id] = consumed
        return result

    # ------------------------------------------------------------------
    # Engine: the only code that writes clocks. Agents can read clocks but
    # not write them, so the engine works with sudo() on clocks it selected
    # itself from the tickets the user is working on.
    # ------------------------------------------------------------------

    @api.model
    def _live_clocks(self, tickets, metrics=None):
        """Unfinished clocks of the current cycle of ``tickets``."""
        return tickets.sudo().psa_sla_ids.filtered(
            lambda c: (
                not c.end_date
                and c.cycle == c.ticket_id.psa_sla_cycle
                and (metrics is None or c.metric in metrics)
            )
        )

    @api.model
    def _clock_values(self, ticket, metric, cycle, context, now):
        """Values of a new clock, or None when the policy sets no target."""
        policy, priority, calendar = context
        target = policy._get_target(priority)
        hours = {
            "response": target.response_hours,
            "resolution": target.resolution_hours,
            "update": target.update_hours,
        }[metric]
        if not target or hours <= 0:
            return None
        round_the_clock = priority == "1" and policy.p1_round_the_clock
        if not round_the_clock and not calendar:
            return None
        return {
            "ticket_id": ticket.id,
            "metric": metric,
            "cycle": cycle,
            "policy_id": policy.id,
            "priority": priority,
            "calendar_id": calendar.id if calendar else False,
            "round_the_clock": round_the_clock,
            "target_hours": hours,
            "start_date": now,
            "checkpoint_date": now,
            "consumed_hours": 0.0,
        }

    @api.model
    def _start_clocks(self, tickets, metrics, new_cycle=False):
        """Start ``metrics`` clocks on ``tickets``; in a new cycle or in the
        current one. Tickets in a pause stage get paused clocks."""
        now = fields.Datetime.now()
        contexts = tickets._psa_sla_context()
        vals_list = []
        by_cycle = {}
        for ticket in tickets:
            context = contexts[ticket.id]
            if not context[0]:
                continue
            cycle = ticket.psa_sla_cycle + 1 if new_cycle else ticket.psa_sla_cycle
            cycle = max(cycle, 1)
            by_cycle.setdefault(cycle, []).append(ticket.id)
            for metric in metrics:
                vals = self._clock_values(ticket, metric, cycle, context, now)
                if vals:
                    vals_list.append(vals)
        for cycle, ticket_ids in by_cycle.items():
            to_bump = tickets.browse(ticket_ids).filtered(
                lambda t, cycle=cycle: t.psa_sla_cycle != cycle
            )
            if to_bump:
                to_bump.write({"psa_sla_cycle": cycle})
        if not vals_list:
            return self.browse()
        clocks = self.sudo().create(self._with_schedule(vals_list, now))
        in_pause = clocks.filtered(
            lambda c: c.ticket_id.stage_id in c.policy_id.pause_stage_ids
        )
        in_pause._pause()
        (clocks - in_pause)._trigger_refresh()
        return clocks

    @api.model
    def _with_schedule(self, vals_list, now):
        """``vals_list`` of new clocks completed with deadlines and status,
        computed in one batch."""
        cache = self._business_time_cache()
        Calendar = self.env["resource.calendar"]
        Policy = self.env["psa.sla.policy"]
        result = []
        for vals in vals_list:
            calendar = (
                False
                if vals["round_the_clock"]
                else Calendar.browse(vals["calendar_id"])
            )
            schedule = self._schedule_values(
                cache,
                calendar,
                Policy.browse(vals["policy_id"]),
                vals["target_hours"],
                vals["checkpoint_date"],
                vals["consumed_hours"],
                now,
            )
            result.append(dict(vals, **schedule))
        return result

    @api.model
    def _schedule_values(
        self, cache, calendar, policy, target, checkpoint, consumed, now
    ):
        """Deadline, warning dates and live status of a running clock."""
        start = to_aware(checkpoint)
        try:
            deadline = cache.add(calendar, start, target - consumed)
            warnings = [
                cache.add(calendar, start, target * threshold / 100.0 - consumed)
                if threshold
                else None
                for threshold in (
                    policy.warning_threshold_1,
                    policy.warning_threshold_2,
                )
            ]
        except NoWorkingTime:
            self._raise_no_working_time(calendar)
        values = {
            "deadline": to_naive(deadline),
            "warning_1_date": warnings[0] and to_naive(warnings[0]),
            "warning_2_date": warnings[1] and to_naive(warnings[1]),
        }
        values["status"] = self._live_status(values, now)
        return values

    @api.model
    def _live_status(self, values, now):
        if values["deadline"] <= now:
            return "breached"
        if values["warning_1_date"] and values["warning_1_date"] <= now:
            return "at_risk"
        return "running"

    def _schedule(self):
        """Recompute deadline, warnings and status of running clocks."""
        now = fields.Datetime.now()
        cache = self._business_time_cache()
        for clock in self:
            clock.write(
                self._schedule_values(
                    cache,
                    clock._calendar_key(),
                    clock.policy_id,
                    clock.target_hours,
                    clock.checkpoint_date,
                    clock.consumed_hours,
                    now,
                )
            )
        self._trigger_refresh()

    def _trigger_refresh(self):
        """Make the status cron run when the first of these running clocks
        gets at risk or late."""
        dates = [
            date
            for clock in self
            if not clock.end_date and not clock.paused_since
            for date in (clock.warning_1_date, clock.warning_2_date, clock.deadline)
            if date and date > fields.Datetime.now()
        ]
        cron = self.env.ref(
            "psa_helpdesk.psa_ticket_sla_cron_refresh", raise_if_not_found=False
        )
        if dates and cron:
            # Scheduling a cron run is technical bookkeeping of the engine,
            # not something the user who moved the ticket may do by hand.
            cron.sudo()._trigger(at=min(dates))

    def _pause(self):
        """Freeze running clocks: what was consumed is kept at a checkpoint."""
        clocks = self.filtered(lambda c: not c.end_date and not c.paused_since)
        if not clocks:
            return
        now = fields.Datetime.now()
        consumed = clocks._consumed_at(self._business_time_cache(), to_aware(now))
        for clock in clocks:
            clock.write(
                {
                    "consumed_hours": consumed[clock.id],
                    "checkpoint_date": now,
                    "paused_since": now,
                    "status": "paused",
                }
            )

    def _resume(self):
        """Restart paused clocks; their deadline moves by the paused business
        time."""
        clocks = self.filtered(lambda c: not c.end_date and c.paused_since)
        if not clocks:
            return
        now = fields.Datetime.now()
        cache = self._business_time_cache()
        for clock in clocks:
            paused = cache.elapsed(
                clock._calendar_key(), to_aware(clock.paused_since), to_aware(now)
            )
            clock.write(
                {
                    "paused_hours": clock.paused_hours + paused,
                    "paused_since": False,
                    "checkpoint_date": now,
                }
            )
        clocks._schedule()

    def _stop(self, reached, cancel=False):
        """Finish live clocks: ``reached`` when their goal was achieved (met,
        or met late), otherwise they no longer apply (breached when already
        late, else cancelled; always cancelled with ``cancel``)."""
        clocks = self.filtered(lambda c: not c.end_date)
        if not clocks:
            return
        clocks._resume()
        now = fields.Datetime.now()
        consumed = clocks._consumed_at(self._business_time_cache(), to_aware(now))
        for clock in clocks:
            overrun = consumed[clock.id] - clock.target_hours
            late = overrun > EPSILON_HOURS
            if reached:
                status = "met_late" if late else "met"
            else:
                status = "breached" if late and not cancel else "cancelled"
            clock.write(
                {
                    "consumed_hours": consumed[clock.id],
                    "checkpoint_date": now,
                    "end_date": now,
                    "reached_date": now if reached else False,
                    "status": status,
                    "overrun_hours": max(overrun, 0.0),
                    "penalty_amount": clock._penalty_amount(status, overrun),
                }
            )

    def _refresh_status(self):
        """Move live running clocks to at risk / breached as time passes;
        also updates how late breached clocks are."""
        now = fields.Datetime.now()
        clocks = self.filtered(lambda c: not c.end_date and not c.paused_since)
        cache = self._business_time_cache()
        consumed = clocks._consumed_at(cache, to_aware(now))
        to_write = defaultdict(lambda: self.browse())
        for clock in clocks:
            values = {
                "status": self._live_status(
                    {
                        "deadline": clock.deadline,
                        "warning_1_date": clock.warning_1_date,
                    },
                    now,
                )
            }
            if values["status"] == "breached":
                overrun = consumed[clock.id] - clock.target_hours
                values["overrun_hours"] = max(overrun, 0.0)
                values["penalty_amount"] = clock._penalty_amount("breached", overrun)
            if any(clock[name] != value for name, value in values.items()):
                to_write[tuple(sorted(values.items()))] |= clock
        # One write per set of values (e.g. all clocks getting at risk).
        for values, group in to_write.items():
            group.write(dict(values))

    def _penalty_amount(self, status, overrun):
        """What the contract's penalty terms charge for this clock ending (or
        being) in ``status`` with ``overrun`` business hours beyond the target.

        Rule: ``penalty_per_breach + penalty_per_hour × ceil(hours late)``, in
        the contract's currency; hours late are rounded up to whole hours (a
        started hour counts; less than a second late is on time). Nothing for
        other statuses or without a contract.
        """
        self.ensure_one()
        # sudo: penalty terms are readable by support managers only; the
        # engine records the amount, which only managers can read back.
        contract = self.contract_id.sudo()
        if status not in SLA_PENALTY_STATUSES or not contract:
            return 0.0
        hours = math.ceil(overrun - EPSILON_HOURS) if overrun > EPSILON_HOURS else 0
        amount = contract.penalty_per_breach + contract.penalty_per_hour * hours
        currency = contract.currency_id or self.company_id.currency_id
        return currency.round(amount) if currency else amount

    # ------------------------------------------------------------------
    # Ticket events
    # ------------------------------------------------------------------

    @api.model
    def _on_ticket_created(self, tickets):
        tickets = tickets.filtered(lambda t: not t.stage_id.closed)
        return self._start_clocks(tickets, ("response", "resolution"), new_cycle=True)

    @api.model
    def _on_stage_changed(self, tickets, old_stages):
        """``old_stages``: the stage of each ticket id before the change."""
        contexts = tickets._psa_sla_context()
        to_close = to_reopen = to_pause = to_resume = tickets.browse()
        resume_stages = {}
        for ticket in tickets:
            old, new = old_stages.get(ticket.id), ticket.stage_id
            if old == new:
                continue
            pause_stages = contexts[ticket.id][0].pause_stage_ids
            if new.closed and not (old and old.closed):
                to_close |= ticket
            elif old and old.closed and not new.closed:
                to_reopen |= ticket
            elif new in pause_stages and old not in pause_stages:
                to_pause |= ticket
                resume_stages.setdefault(old.id, []).append(ticket.id)
            elif old in pause_stages and new not in pause_stages:
                to_resume |= ticket
        if to_close:
            live = self._live_clocks(to_close)
            live.filtered(lambda c: c.metric == "resolution")._stop(reached=True)
            live.filtered(lambda c: c.metric != "resolution")._stop(reached=False)
        if to_reopen:
            self._start_clocks(to_reopen, ("response", "resolution"), new_cycle=True)
        if to_pause:
            self._live_clocks(to_pause)._pause()
            for stage_id, ticket_ids in resume_stages.items():
                tickets.browse(ticket_ids).write({"psa_sla_resume_stage_id": stage_id})
        if to_resume:
            self._live_clocks(to_resume)._resume()

    @api.model
    def _on_agent_reply(self, tickets):
        """A public message of an agent: it is the first response, it is an
        update to the customer (the update clock starts again)."""
        tickets = tickets.filtered(lambda t: t.psa_sla_cycle)
        if not tickets:
            return
        self._live_clocks(tickets, ("response", "update"))._stop(reached=True)
        self._start_clocks(
            tickets.filtered(lambda t: not t.stage_id.closed), ("update",)
        )

    @api.model
    def _on_customer_reply(self, tickets):
        """A message of the customer on a ticket waiting for them: the ticket
        goes back to work (to the stage it was paused from, else to the first
        open stage of its team), which resumes its clocks."""
        contexts = tickets._psa_sla_context()
        waiting = tickets.filtered(
            lambda t: t.stage_id in contexts[t.id][0].pause_stage_ids
        )
        for ticket in waiting:
            pause_stages = contexts[ticket.id][0].pause_stage_ids
            stage = ticket.psa_sla_resume_stage_id
            if not stage or stage.closed or stage in pause_stages:
                stage = ticket.team_id._get_applicable_stages().filtered(
                    lambda s, pause_stages=pause_stages: (
                        not s.closed and s not in pause_stages
                    )
                )[:1]
            if stage:
                # The customer may be a portal user or the mail gateway, who
                # cannot move stages: the engine does it on a ticket the
                # message was already posted on (access checked by then).
                ticket.sudo().write({"stage_id": stage.id})

    @api.model
    def _on_context_changed(self, tickets):
        """Policy, priority or calendar changed: live clocks take the new
        target, keeping what they consumed (the new target counts from the
        original start); the change is logged on the ticket."""
        now = fields.Datetime.now()
        contexts = tickets._psa_sla_context()
        cache = self._business_time_cache()
        metric_labels = dict(self._fields["metric"]._description_selection(self.env))
        to_start = tickets.browse()
        for ticket in tickets:
            context = contexts[ticket.id]
            policy, _priority, _calendar = context
            live = self._live_clocks(ticket)
            if not live:
                if policy and not ticket.stage_id.closed and not ticket.psa_sla_ids:
                    to_start |= ticket
                continue
            changes = []
            to_schedule = self.browse()
            for clock in live:
                vals = policy and self._clock_values(
                    ticket, clock.metric, clock.cycle, context, now
                )
                label = metric_labels[clock.metric]
                if not vals:
                    clock._stop(reached=False, cancel=True)
                    changes.append(
                        self.env._("%(metric)s: no target any more.", metric=label)
                    )
                    continue
                frozen = {
                    "policy_id": clock.policy_id.id,
                    "priority": clock.priority,
                    "calendar_id": clock.calendar_id.id,
                    "round_the_clock": clock.round_the_clock,
                    "target_hours": clock.target_hours,
                }
                new = {key: vals[key] for key in frozen}
                if new == frozen:
                    continue
                consumed = clock._consumed_at(cache, to_aware(now))[clock.id]
                clock.write(
                    dict(
                        new,
                        consumed_hours=consumed,
                        checkpoint_date=now
                        if not clock.paused_since
                        else clock.checkpoint_date,
                    )
                )
                if not clock.paused_since:
                    to_schedule |= clock
                changes.append(
                    self.env._(
                        "%(metric)s: P%(old_priority)s %(old)s → P%(new_priority)s "
                        "%(new)s",
                        metric=label,
                        old_priority=frozen["priority"],
                        old=format_duration(frozen["target_hours"]),
                        new_priority=new["priority"],
                        new=format_duration(new["target_hours"]),
                    )
                )
            to_schedule._schedule()
            if changes:
                ticket.message_post(
                    body=self.env._(
                        "SLA targets changed (time already consumed is kept): "
                        "%(changes)s",
                        changes="; ".join(changes),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        if to_start:
            self._on_ticket_created(to_start)

    # ------------------------------------------------------------------
    # Alerts (see ALERT_CHAIN)
    # ------------------------------------------------------------------

    @api.model
    def _alert_due_domain(self, now):
        """Running clocks with an alert level whose time has come and that
        was not sent yet. Paused and finished clocks never alert."""
        return expression.AND(
            [
                [("end_date", "=", False), ("paused_since", "=", False)],
                expression.OR(
                    [
                        [(date_field, "<=", now), (alert_field, "=", False)]
                        for _level, date_field, alert_field, _who in ALERT_CHAIN
                    ]
                ),
            ]
        )

    def _due_alert_levels(self, now):
        """Levels of ALERT_CHAIN due on this clock and not sent, in order."""
        self.ensure_one()
        if self.end_date or self.paused_since:
            return []
        return [
            level
            for level in ALERT_CHAIN
            if self[level[1]] and self[level[1]] <= now and not self[level[2]]
        ]

    @api.model
    def _alert_level_labels(self):
        return {
            "warning_1": self.env._("first warning"),
            "warning_2": self.env._("second warning"),
            "breach": self.env._("breached"),
        }

    @api.model
    def _send_due_alerts(self, batch_size=DEFAULT_BATCH_SIZE, managers_cache=None):
        """Send every due alert, in batches; one clock failing is logged and
        skipped, the others are alerted.

        Exactly once: a level is marked sent in the same transaction as its
        activities, note and (queued) email, and the scheduled action commits
        per batch; an interrupted run loses its current batch whole (marks
        and alerts), which the next run sends. Two runs never overlap:
        ``ir.cron`` locks the job, for manual runs too."""
        now = fields.Datetime.now()
        clocks = self.search(self._alert_due_domain(now), order="deadline, id")
        managers_cache = {} if managers_cache is None else managers_cache
        run_in_batches(
            clocks,
            lambda batch: batch._send_alerts(now, managers_cache),
            batch_size=batch_size,
            what="SLA alerts",
        )
        return clocks

    def _send_alerts(self, now, managers_cache):
        """Send the due alerts of this batch of clocks.

        1. Prepare, clock by clock, what each alert says and to whom (pure
           computation on data read for the whole batch up front). A clock
           that fails here is logged and skipped.
        2. Deliver them all in one savepoint: mark the levels sent, create
           the activities, log the notes, queue the emails. Marks and alerts
           are in the same transaction, so they are undone together; the
           scheduled action commits them together, per batch.
        3. Should delivery fail, it is redone alert by alert, each in its
           own savepoint: the bad one is logged and skipped (unmarked, so
           tried again next run), the others go.
        """
        clocks = self.filtered(lambda c: c._due_alert_levels(now))
        if not clocks:
            return
        # Prefetch in batch what the alerts read: tickets, their assignees,
        # teams and leaders, policies, the remaining business time.
        tickets = clocks.ticket_id
        tickets.mapped("user_id.partner_id.email")
        tickets.team_id.mapped("user_id.partner_id.email")
        clocks.policy_id.mapped("alert_by_email")
        # Not stored and time-dependent: computed now, for the whole batch.
        clocks.invalidate_recordset(["remaining_hours"])
        remaining = {clock.id: clock.remaining_hours for clock in clocks}
        managers = self._alert_managers(tickets, managers_cache)
        texts = self._alert_texts()
        alerts = []
        for clock in clocks:
            try:
                alerts.append(
                    clock._prepare_alert(
                        clock._due_alert_levels(now),
                        remaining[clock.id],
                        managers.get(clock.ticket_id.id, self.env["res.users"]),
                        texts,
                    )
                )
            except Exception:
                _logger.exception(ALERT_FAILED, clock.id, clock.ticket_id.id)
        try:
            with self.env.cr.savepoint():
                self._deliver_alerts(alerts, now)
        except Exception:  # noqa: BLE001 - redone alert by alert, logged
            for alert in alerts:
                try:
                    with self.env.cr.savepoint():
                        self._deliver_alerts([alert], now)
                except Exception:
                    clock = alert["clock"]
                    _logger.exception(ALERT_FAILED, clock.id, clock.ticket_id.id)

    @api.model
    def _alert_managers(self, tickets, managers_cache):
        """Per ticket id, the support managers to alert at breach: active
        internal members of the support manager group whose companies include
        the ticket's, and who can read the ticket. The group's members are
        listed once per run and company (``managers_cache``); reading rights
        are checked once per manager for the whole batch."""
        result = defaultdict(lambda: self.env["res.users"])
        for company, company_tickets in tickets.grouped("company_id").items():
            if company.id not in managers_cache:
                group = self.env.ref("psa_helpdesk.group_psa_manager")
                # sudo: list group members and their companies, configuration
                # that the scheduled action reads whatever its user.
                managers_cache[company.id] = group.sudo().users.filtered(
                    lambda u, company=company: (
                        u.active and not u.share and company in u.company_ids
                    )
                )
            for manager in managers_cache[company.id]:
                readable = company_tickets.with_user(manager)._filtered_access("read")
                for ticket in readable:
                    result[ticket.id] |= manager
        return result

    def _alert_recipients(self, who, managers):
        """Users to alert for the recipient roles ``who`` (see ALERT_CHAIN)."""
        self.ensure_one()
        ticket = self.ticket_id
        users = self.env["res.users"]
        if "assignee" in who:
            users |= ticket.user_id or ticket.team_id.user_id
        if "team_leader" in who:
            users |= ticket.team_id.user_id
        if "support_managers" in who:
            users |= managers
        return users.filtered("active")

    @api.model
    def _alert_texts(self):
        """What the alerts of a batch have in common: the labels of the levels
        and metrics, and ``format_deadline(value, tz)``, which formats as
        ``format_datetime(env, value, tz, "short")`` with the language's
        locale looked up once (rather than for each alert)."""
        locale = babel_locale_parse(get_lang(self.env).code)

        def format_deadline(value, tz):
            return babel.dates.format_datetime(
                to_local(value, tz), "short", locale=locale
            )

        return {
            "labels": self._alert_level_labels(),
            "metrics": dict(self._fields["metric"]._description_selection(self.env)),
            "format_deadline": format_deadline,
        }

    def _prepare_alert(self, levels, remaining, managers, texts):
        """The alert of this clock for its due ``levels``, as a dict (nothing
        written). The highest level goes: when a clock starts (or is
        retargeted) past several levels, one alert goes, to the widest chain,
        and the lower levels count as sent. ``texts``: see ``_alert_texts``."""
        self.ensure_one()
        level, _date_field, _alert_field, who = levels[-1]
        ticket = self.ticket_id
        users = self._alert_recipients(who, managers)
        tz = self.calendar_id.tz or ticket.company_id.resource_calendar_id.tz or "UTC"
        label = texts["labels"][level]
        metric = texts["metrics"][self.metric]
        if remaining >= 0:
            left = self.env._(
                "%(hours)s business hours left", hours=format_duration(remaining)
            )
        else:
            left = self.env._(
                "late by %(hours)s business hours", hours=format_duration(-remaining)
            )
        note = self.env._(
            "SLA %(level)s: %(metric)s due %(deadline)s (%(tz)s), %(left)s. "
            "Alerted: %(users)s.",
            level=label,
            metric=metric,
            deadline=texts["format_deadline"](self.deadline, tz),
            tz=tz,
            left=left,
            users=", ".join(users.mapped("name")) or self.env._("nobody"),
        )
        return {
            "clock": self,
            "ticket": ticket,
            "marks": [alert_field for _l, _d, alert_field, _w in levels],
            "users": users,
            "summary": self.env._(
                "SLA %(level)s: %(metric)s", level=label, metric=metric
            ),
            # text, escaped: the same HTML in the activities and the chatter
            "note": escape(note),
            # the deadline's day where each person is
            "deadlines": {
                user.id: to_local(self.deadline, user.tz or tz).date() for user in users
            },
            "email": bool(self.policy_id.alert_by_email),
            "email_context": {"psa_alert_level": label, "psa_alert_left": left},
        }

    @api.model
    def _deliver_alerts(self, alerts, now):
        """Mark and send prepared ``alerts`` (see ``_prepare_alert``), in
        bulk: one write per set of levels, the activities, followers and
        notes of the whole batch created together (``_create_alert_records``),
        emails queued."""
        if not alerts:
            return
        by_marks = defaultdict(lambda: self.browse())
        for alert in alerts:
            by_marks[tuple(alert["marks"])] |= alert["clock"]
        for marks, clocks in by_marks.items():
            clocks.write(dict.fromkeys(marks, now))
        self._create_alert_records(alerts)
        template = self.env.ref(
            "psa_helpdesk.psa_ticket_sla_mail_template_alert", raise_if_not_found=False
        )
        for alert in alerts:
            if not (template and alert["email"]):
                continue
            partners = alert["users"].partner_id.filtered("email")
            if partners:
                template.with_context(**alert["email_context"]).send_mail(
                    alert["clock"].id,
                    email_values={"recipient_ids": [Command.set(partners.ids)]},
                )

    @api.model
    def _create_alert_records(self, alerts):
        """What an alert leaves on its ticket: a to-do activity for each
        person alerted (who then follows the ticket) and a chatter note.

        The first activity and the first note of the batch are made by the
        ORM (``mail.activity.create``, ``_message_log_batch``), so defaults,
        computed fields and the hooks of every installed module apply to
        them; the others are copies of these two (``_copy_alert_records``).
        """
        # One to-do per person. No assignment notification: whether the alert
        # is also emailed is the policy's choice (alert_by_email).
        todos = [(alert, user) for alert in alerts for user in alert["users"]]
        activity = self.env["mail.activity"]
        if todos:
            alert, user = todos[0]
            activity = activity.with_context(mail_activity_quick_update=True).create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("helpdesk.ticket"),
                    "res_id": alert["ticket"].id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "automated": True,
                    "summary": alert["summary"],
                    "note": alert["note"],
                    "user_id": user.id,
                    "date_deadline": alert["deadlines"][user.id],
                }
            )
        # One note (mail.mt_note) per alert, logged without notifying
        # followers: the people concerned got their activity (and email).
        ticket = alerts[0]["ticket"]
        note = ticket._message_log_batch({ticket.id: alerts[0]["note"]})
        if len(todos) > 1 or len(alerts) > 1:
            self._copy_alert_records(activity, todos[1:], note, alerts[1:])

    @api.model
    def _copy_alert_records(self, activity, todos, note, alerts):
        """Copies of the ``activity`` for the ``todos`` (alert, user), of the
        ``note`` for the ``alerts``, made by SQL; the users alerted follow
        the tickets.

        Why SQL: a run over a backlog alerts as many tickets at once as are
        late: 50,000 tickets make some 117,000 activities, as many followers
        and 50,000 notes. The ORM spends about 0.3 ms on each such record
        (defaults, caches, inverse fields, recomputing res_name and user_tz,
        a row at a time), which alone takes the run past a minute
        (``bench/sla_bench.py``); a copied row costs a few microseconds.

        What the ORM would have done is kept (``test_alert_copies_equal_orm``
        compares them): every column is the original's (those of other
        modules too, with the value the ORM gave the original), except those
        that differ per alert: ticket, person, summary, note (sanitised as
        the ORM does) and deadline, and the stored fields computed from them
        (``res_name``, ``user_tz``). The people alerted follow the ticket as
        ``message_subscribe`` makes them follow it; their activity counter is
        told on the bus. Nothing stored depends on activities, notes or
        followers (the ticket's activity fields are computed when read), so
        invalidating the cache of these models is enough.
        """
        self.env.flush_all()  # the originals' rows, complete
        # The note of each alert as the ORM stores it, sanitised once for the
        # chatter and the activities: the same text given to the same kind of
        # field (fields.Html(sanitize_style=True), mail.message.body and
        # mail.activity.note).
        Activity = self.env["mail.activity"]
        html = {}
        for alert in [*alerts, *(alert for alert, _user in todos)]:
            if id(alert) not in html:
                html[id(alert)] = Activity._fields["note"].convert_to_column_insert(
                    alert["note"], Activity
                )
        if alerts:
            # Message-Id and reply-to are the original's, as
            # _message_log_batch gives all the notes of a batch the same ones
            self._insert_copies(
                note,
                {
                    "res_id": [alert["ticket"].id for alert in alerts],
                    "body": [html[id(alert)] for alert in alerts],
                },
                converted={"body"},
            )
        if todos:
            tickets = self.env["helpdesk.ticket"].browse(
                alert["ticket"].id for alert, _user in todos
            )
            users = self.env["res.users"].browse(user.id for _alert, user in todos)
            self._insert_copies(
                activity,
                {
                    "res_id": tickets.ids,
                    "res_name": [ticket.display_name for ticket in tickets],
                    "user_id": users.ids,
                    "user_tz": [user.tz for user in users],
                    "summary": [alert["summary"] for alert, _user in todos],
                    "note": [html[id(alert)] for alert, _user in todos],
                    "date_deadline": [
                        alert["deadlines"][user.id] for alert, user in todos
                    ],
                },
                converted={"note"},
            )
            self._subscribe_alerted(tickets, users)
            # As mail.activity.create: the to-do counters of the users.
            today = fields.Date.today()
            todo_counts = defaultdict(int)
            for alert, user in todos:
                if alert["deadlines"][user.id] <= today:
                    todo_counts[user] += 1
            for user, count in todo_counts.items():
                user._bus_send(
                    "mail.activity/updated",
                    {"activity_created": True, "count_diff": count},
                )
        # Rows inserted behind the ORM's back: forget what it read of them and
        # of the tickets (activities, messages, followers, and what is
        # computed from them).
        for model in (
            "helpdesk.ticket",
            "mail.activity",
            "mail.message",
            "mail.followers",
        ):
            self.env[model].invalidate_model()

    @api.model
    def _insert_copies(self, original, columns, converted=()):
        """Insert copies of the record ``original`` by SQL: ``columns`` maps
        field names to the list of their values in the copies, one per copy,
        converted to the column as the ORM does (except the fields named in
        ``converted``, given as converted); the other columns take the
        original's values."""
        model = original.browse()
        arrays = []
        for name, values in columns.items():
            field = model._fields[name]
            if name not in converted:
                values = [field.convert_to_column_insert(v, model) for v in values]
            arrays.append(SQL("%s::%s[]", values, SQL(field.column_type[1])))
        kept = [
            name
            for name, field in model._fields.items()
            if field.store
            and field.column_type
            and name != "id"
            and name not in columns
        ]
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO %(table)s (%(kept)s, %(names)s)
                SELECT %(original_kept)s, %(copied_names)s
                  FROM %(table)s AS original,
                       unnest(%(arrays)s) AS copied(%(names)s)
                 WHERE original.id = %(original_id)s
                """,
                table=SQL.identifier(model._table),
                kept=SQL(", ").join(map(SQL.identifier, kept)),
                names=SQL(", ").join(map(SQL.identifier, columns)),
                original_kept=SQL(", ").join(
                    SQL.identifier("original", name) for name in kept
                ),
                copied_names=SQL(", ").join(
                    SQL.identifier("copied", name) for name in columns
                ),
                arrays=SQL(", ").join(arrays),
                original_id=original.id,
            )
        )

    @api.model
    def _subscribe_alerted(self, tickets, users):
        """Make each of ``users`` follow the ticket at the same place in
        ``tickets``, as ``mail.activity.create`` does by ``message_subscribe``:
        active partners only, with the default subtypes of a ticket follower;
        existing followers are left as they are. The rows are inserted by
        SQL (see ``_copy_alert_records``)."""
        Followers = self.env["mail.followers"]
        active = set(
            self.env["res.partner"]
            .search([("id", "in", users.partner_id.ids), ("active", "=", True)])
            .ids
        )
        by_partner = defaultdict(set)
        for ticket, user in zip(tickets, users, strict=True):
            if user.partner_id.id in active:
                by_partner[user.partner_id.id].add(ticket.id)
        rows = []
        subtypes = {}
        for partner_id, ticket_ids in by_partner.items():
            new, _existing = Followers._add_default_followers(
                tickets._name, sorted(ticket_ids), [partner_id]
            )
            for ticket_id, vals_list in new.items():
                for vals in vals_list:
                    rows.append((ticket_id, partner_id))
                    subtypes[partner_id] = vals["subtype_ids"][0][2]  # Command.set
        if not rows:
            return
        relation = Followers._fields["subtype_ids"]
        self.env.cr.execute(
            SQL(
                """
                WITH follower AS (
                    INSERT INTO %(followers)s (res_model, res_id, partner_id)
                    SELECT %(res_model)s, res_id, partner_id
                      FROM unnest(%(res_ids)s::int[], %(partner_ids)s::int[])
                           AS pair(res_id, partner_id)
                    ON CONFLICT DO NOTHING
                    RETURNING id, partner_id
                )
                INSERT INTO %(relation)s (%(follower_col)s, %(subtype_col)s)
                SELECT follower.id, subtype.id
                  FROM follower
                  JOIN unnest(%(sub_partners)s::int[], %(sub_ids)s::int[])
                       AS subtype(partner_id, id)
                    ON subtype.partner_id = follower.partner_id
                """,
                followers=SQL.identifier(Followers._table),
                res_model=tickets._name,
                res_ids=[row[0] for row in rows],
                partner_ids=[row[1] for row in rows],
                relation=SQL.identifier(relation.relation),
                follower_col=SQL.identifier(relation.column1),
                subtype_col=SQL.identifier(relation.column2),
                sub_partners=[p for p, ids in subtypes.items() for _id in ids],
                sub_ids=[i for ids in subtypes.values() for i in ids],
            )
        )

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_refresh_status(self, batch_size=DEFAULT_BATCH_SIZE):
        """Running clocks whose warning or deadline time has come change
        status, then the alerts that are due go; then the cron is scheduled
        for the next such time."""
        # sudo: the scheduled action runs as the superuser anyway; a manual
        # run does the same engine work (writes clocks, reads penalty terms).
        engine = self.sudo()
        engine._refresh_due_statuses(batch_size=batch_size)
        engine._send_due_alerts(batch_size=batch_size)
        engine._schedule_next_refresh()

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
    def _schedule_next_refresh(self):
        """Wake the refresh cron up when the next clock changes status."""
        cron = self.env.ref(
            "psa_helpdesk.psa_ticket_sla_cron_refresh", raise_if_not_found=False
        )
        if not cron:
            return
        now = fields.Datetime.now()
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
