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

Targets are frozen: a clock keeps the policy, priority and calendar it
started with (``policy_id``, ``priority``, ``calendar_id``) and the target it
read then. Editing a policy changes the clocks that start afterwards, never a
running one; a running clock is retargeted only when its ticket's own SLA
terms change (its priority, or the policy or calendar that applies to it, by
a write on the ticket): see ``_on_context_changed``. A new customer update
clock keeps the interval of the update clock it follows in the same cycle.

A ticket closes as solved or not (``helpdesk.ticket._psa_close_kind``):
solved stops the resolution clock as reached; closed without being solved
(cancelled, rejected, marked duplicate) reaches nothing, so its clocks not
late yet are cancelled (out of the compliance figures), while a breach that
already happened stays a breach.

A calendar without working time never stops a ticket: its clocks start and
count (nothing elapses on such a calendar) without deadline, the ticket is
flagged ``psa_sla_error`` and the support managers are asked to fix the
calendar; the status action computes the deadlines once it is fixed
(``_retry_no_working_time``).

Alerts go up a chain as a clock gets closer to its deadline, each level once
per clock: the clock keeps the dates and their bookkeeping
(``*_alert_date``), the alert model ``psa.sla.alert`` (``psa_sla_alert.py``)
finds what is due and delivers it. Penalties (see ``_penalty_amount``) are
recorded on breached clocks of contracts with penalty terms.
"""

import math
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_duration

from ..const import PRIORITIES, SLA_METRICS, SLA_PENALTY_STATUSES, SLA_STATUSES
from ..tools.business_time import BusinessTimeCache, NoWorkingTime, to_aware, to_naive
from ..tools.context import without_defaults
from ..tools.cron import COMMIT_MARGIN, trigger
from ..tools.fetch import fetch_missing

# Below a second of difference, a clock is on time.
EPSILON_HOURS = 1 / 3600.0

# The order of a ticket's clocks: the latest cycle first, by metric, the
# latest clock first.
CLOCK_ORDER_IN_TICKET = "cycle desc, metric, start_date desc, id desc"

#: The ticket's fields a clock keeps (stored related or computed from the
#: ticket), for reports and record rules: the engine gives them with the
#: clock's other values (``_clock_values``).
CLOCK_TICKET_FIELDS = (
    "company_id",
    "team_id",
    "partner_id",
    "product_id",
    "contract_id",
    "currency_id",
)


class PsaTicketSla(models.Model):
    _name = "psa.ticket.sla"
    _description = "SLA clock of a ticket"
    _order = "ticket_id, " + CLOCK_ORDER_IN_TICKET

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
    consumed_now_hours = fields.Float(
        string="Consumed so far (h)",
        compute="_compute_consumed_now_hours",
        help="Business hours consumed up to now: for a running clock, its "
        "target minus what remains (more than the target when late); "
        "otherwise the consumed hours recorded at its last event.",
    )
    # Alert bookkeeping: set once by psa.sla.alert, so each alert goes once.
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

    def _compute_consumed_now_hours(self):
        """``target_hours - remaining_hours`` (business hours; the remaining
        hours computed once for the recordset): ``consumed_hours`` is written
        at the clock's events only, so a running clock read it as 0 however
        late it was."""
        for clock in self:
            clock.consumed_now_hours = clock.target_hours - clock.remaining_hours

    def write(self, vals):
        """Finished clocks are never rewritten, whoever asks (the engine in
        superuser mode included): their status, times and penalty are the
        evidence of what happened. Users only read clocks (no write right);
        the engine writes live ones."""
        finished = self.filtered("end_date")
        if finished:
            raise AccessError(
                self.env._(
                    "SLA clock %(clocks)s is finished: a finished clock is "
                    "never rewritten.",
                    clocks=", ".join(finished.mapped("display_name")),
                )
            )
        return super().write(vals)

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
            return calendar.sudo()._psa_business_time(start, end)

        return BusinessTimeCache(fetch)

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
        """Unfinished clocks of the current cycle of ``tickets``. Read
        through the tickets' clocks, so that the recomputation of the
        tickets' SLA fields that follows finds them in the cache."""
        self._prefetch_clocks(tickets)
        # the cycle alone when the caller did not load it (a list page): else
        # reading it would load every field of the tickets
        fetch_missing(tickets.sudo(), ["psa_sla_cycle"])
        return tickets.sudo().psa_sla_ids.filtered(
            lambda c: (
                not c.end_date
                and c.cycle == c.ticket_id.psa_sla_cycle
                and (metrics is None or c.metric in metrics)
            )
        )

    @api.model
    def _prefetch_clocks(self, tickets):
        """Put the clocks of ``tickets`` (``psa_sla_ids``) and their fields
        in the cache with one query, where reading ``psa_sla_ids`` takes
        two (the ids, then the fields). Tickets whose clocks are already in
        the cache are left alone."""
        field = tickets._fields["psa_sla_ids"]
        missing = tickets.browse(
            [id_ for id_ in tickets.env.cache.get_missing_ids(tickets, field) if id_]
        )
        if not missing:
            return
        fnames = [
            fname
            for fname, clock_field in self._fields.items()
            if clock_field.store and clock_field.column_type
        ]
        # The clocks' order within a ticket (``_order`` without its leading
        # ``ticket_id``, which would join and sort the tickets for nothing).
        clocks = self.sudo().search_fetch(
            [("ticket_id", "in", missing.ids)], fnames, order=CLOCK_ORDER_IN_TICKET
        )
        by_ticket = defaultdict(list)
        for clock in clocks:
            by_ticket[clock.ticket_id.id].append(clock.id)
        tickets.env.cache.insert_missing(
            missing, field, [tuple(by_ticket[id_]) for id_ in missing._ids]
        )

    def _terms(self):
        """What a clock counts with: ``(policy, priority, calendar)``, to
        compare with a ticket's ``_psa_sla_context()``."""
        self.ensure_one()
        return (self.policy_id, self.priority, self.calendar_id)

    @api.model
    def _clock_values(self, ticket, metric, cycle, context, now, frozen=None):
        """Values of a new clock, or None when the policy sets no target.
        ``frozen``: an earlier clock of the same ticket, metric and cycle
        whose target the new one keeps when it counts with the same terms
        (the next customer update interval is the one that was running, even
        if the policy was edited since)."""
        policy, priority, calendar = context
        if frozen and frozen._terms() == context:
            hours, round_the_clock = frozen.target_hours, frozen.round_the_clock
        else:
            terms = policy._psa_terms()
            target = terms.targets.get(priority)
            if not target or target[metric] <= 0:
                return None
            hours = target[metric]
            round_the_clock = priority == "1" and terms.p1_round_the_clock
        if not round_the_clock and not calendar:
            return None
        # sudo: the contract's currency, whatever the user may read
        contract = ticket.contract_id.sudo()
        return {
            "ticket_id": ticket.id,
            # the stored related fields, given so that the insert is complete
            # (no UPDATE to compute them after it)
            "company_id": ticket.company_id.id,
            "team_id": ticket.team_id.id,
            "partner_id": ticket.commercial_partner_id.id,
            "product_id": ticket.psa_product_id.id,
            "contract_id": contract.id,
            "currency_id": (contract.currency_id or ticket.company_id.currency_id).id,
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
    def _start_clocks(
        self,
        tickets,
        metrics,
        new_cycle=False,
        since=None,
        carried=None,
        covered_until=None,
    ):
        """Start ``metrics`` clocks on ``tickets``; in a new cycle or in the
        current one. Tickets in a pause stage get paused clocks.

        ``since``: {ticket id: naive UTC datetime} for clocks that count
        from an earlier start than now (the business time from then to now
        is already consumed).

        ``carried``: {(ticket id, metric): clock} for clocks that go on
        where a cancelled ``clock`` stopped (``_on_stage_changed``: a ticket
        closed as not solved and reopened): the new clock starts at that
        clock's start, with its consumed business hours plus those from its
        end to now (the time the ticket spent wrongly closed counts).

        ``covered_until``: see ``_trigger_refresh``."""
        now = fields.Datetime.now()
        since = since or {}
        carried = carried or {}
        cache = self._business_time_cache() if since or carried else None
        contexts = tickets._psa_sla_context()
        # In the current cycle, the clock each new one follows (the previous
        # customer update interval), if any: the last one per ticket, metric
        # and cycle (the tickets' clocks: read once for the batch).
        earlier_clocks = {}
        if not new_cycle:
            self._prefetch_clocks(tickets)
            for clock in tickets.sudo().psa_sla_ids.sorted("id"):
                earlier_clocks[clock.ticket_id.id, clock.metric, clock.cycle] = clock
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
                earlier = earlier_clocks.get((ticket.id, metric, cycle), self.browse())
                vals = self._clock_values(
                    ticket, metric, cycle, context, now, frozen=earlier
                )
                key = vals and (False if vals["round_the_clock"] else context[2])
                previous = carried.get((ticket.id, metric))
                if vals and previous and previous.end_date <= now:
                    # the time closed counts on the terms the clock had then
                    vals["start_date"] = previous.start_date
                    vals["consumed_hours"] = (
                        previous.consumed_hours
                        + cache.hours_between(
                            previous._calendar_key(), previous.end_date, now
                        )
                    )
                    # the alerts already sent for this request go once
                    for mark in (
                        "warning_1_alert_date",
                        "warning_2_alert_date",
                        "breach_alert_date",
                    ):
                        if previous[mark]:
                            vals[mark] = previous[mark]
                elif vals and since.get(ticket.id) and since[ticket.id] < now:
                    start = since[ticket.id]
                    vals["start_date"] = start
                    vals["consumed_hours"] = cache.hours_between(key, start, now)
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
        vals_list, failed = self._with_schedule(vals_list, now)
        # Every value comes from the engine: no default_* key of the caller's
        # context (a clock born finished, a penalty) reaches the clocks.
        clocks = without_defaults(self.sudo()).create(vals_list)
        # The ticket's fields the clock keeps were given with the insert
        # (``_clock_values``); readonly related and computed fields given to
        # create are computed again all the same, to the values inserted.
        for fname in CLOCK_TICKET_FIELDS:
            self.env.remove_to_compute(self._fields[fname], clocks)
        # the pause stages of each policy, from its cached terms, once
        pause_stages = {
            policy.id: policy._psa_pause_stages() for policy in clocks.policy_id
        }
        in_pause = clocks.filtered(
            lambda c: (
                c.policy_id and c.ticket_id.stage_id in pause_stages[c.policy_id.id]
            )
        )
        in_pause._pause()
        (clocks - in_pause)._trigger_refresh(covered_until)
        clocks.filtered(lambda c: c.ticket_id.id in failed)._report_no_working_time()
        return clocks

    @api.model
    def _with_schedule(self, vals_list, now):
        """``vals_list`` of new clocks completed with deadlines and status,
        computed in one batch; and the ids of the tickets whose calendar has
        no working time (their clocks get no deadline)."""
        cache = self._business_time_cache()
        Calendar = self.env["resource.calendar"]
        Policy = self.env["psa.sla.policy"]
        result = []
        failed = set()
        for vals in vals_list:
            calendar = (
                False
                if vals["round_the_clock"]
                else Calendar.browse(vals["calendar_id"])
            )
            try:
                schedule = self._schedule_values(
                    cache,
                    calendar,
                    Policy.browse(vals["policy_id"]),
                    vals["target_hours"],
                    vals["checkpoint_date"],
                    vals["consumed_hours"],
                    now,
                )
            except NoWorkingTime:
                schedule = self._unscheduled_values(
                    vals["target_hours"], vals["consumed_hours"]
                )
                failed.add(vals["ticket_id"])
            result.append(dict(vals, **schedule))
        return result, failed

    @api.model
    def _schedule_values(
        self, cache, calendar, policy, target, checkpoint, consumed, now
    ):
        """Deadline, warning dates and live status of a running clock.
        Raises ``NoWorkingTime`` when ``calendar`` has none."""
        start = to_aware(checkpoint)
        deadline = cache.add(calendar, start, target - consumed)
        terms = policy._psa_terms()
        warnings = [
            cache.add(calendar, start, target * threshold / 100.0 - consumed)
            if threshold
            else None
            for threshold in (terms.warning_threshold_1, terms.warning_threshold_2)
        ]
        values = {
            "deadline": to_naive(deadline),
            "warning_1_date": warnings[0] and to_naive(warnings[0]),
            "warning_2_date": warnings[1] and to_naive(warnings[1]),
        }
        values["status"] = self._live_status(values, now)
        return values

    @api.model
    def _unscheduled_values(self, target, consumed):
        """Deadline, warning dates and status of a live clock whose calendar
        has no working time: no dates; breached only when it already
        consumed more than its target."""
        return {
            "deadline": False,
            "warning_1_date": False,
            "warning_2_date": False,
            "status": "breached" if consumed - target > EPSILON_HOURS else "running",
        }

    @api.model
    def _live_status(self, values, now):
        if not values["deadline"]:
            return "running"
        if values["deadline"] <= now:
            return "breached"
        if values["warning_1_date"] and values["warning_1_date"] <= now:
            return "at_risk"
        return "running"

    def _schedule(self):
        """Recompute deadline, warnings and status of running clocks. Those
        whose calendar has no working time get no deadline, and their
        tickets are flagged (``_report_no_working_time``); they are
        returned."""
        now = fields.Datetime.now()
        cache = self._business_time_cache()
        failed = self.browse()
        for clock in self:
            try:
                values = self._schedule_values(
                    cache,
                    clock._calendar_key(),
                    clock.policy_id,
                    clock.target_hours,
                    clock.checkpoint_date,
                    clock.consumed_hours,
                    now,
                )
            except NoWorkingTime:
                values = self._unscheduled_values(
                    clock.target_hours, clock.consumed_hours
                )
                failed |= clock
            clock.write(values)
        (self - failed)._trigger_refresh()
        failed._report_no_working_time()
        return failed

    def _trigger_refresh(self, covered_until=None):
        """Make the status cron run when the first of these running clocks
        gets at risk or late; now when one of them has an alert due already.

        ``covered_until``: the first status change ahead of running clocks
        this request replaces (``_next_status_change`` of the clocks a reply
        stops, naive UTC). A run is already due by then: each running clock
        got one by its first date, and each run schedules the next from every
        running clock (``_schedule_next_refresh``). New clocks whose first
        date is no earlier need none, and the database is not asked
        (unless that date is within ``COMMIT_MARGIN``: the run may read
        before this request commits). A refresh run that fails before it
        schedules the next leaves these clocks, as every running clock, to
        the action's hourly schedule."""
        now = fields.Datetime.now()
        running = self.filtered(lambda c: not c.end_date and not c.paused_since)
        alerts = self.env["psa.sla.alert"]
        if any(alerts._due_levels(clock, now) for clock in running):
            # An alert is due already (a clock counting from an earlier start,
            # a target shortened by a higher priority): the action runs now,
            # after this request commits (``_wake_refresh_now``); its later
            # dates are scheduled below all the same.
            self._wake_refresh_now()
        dates = [
            date
            for clock in running
            for date in (clock.warning_1_date, clock.warning_2_date, clock.deadline)
            if date and date > now
        ]
        if not dates:
            return
        if (
            covered_until
            and covered_until > now + COMMIT_MARGIN
            and min(dates) >= covered_until
        ):
            return
        # Scheduling a cron run is technical bookkeeping of the engine, not
        # something the user who moved the ticket may do by hand (``trigger``
        # creates it as superuser).
        trigger(self.env, "psa_helpdesk.psa_ticket_sla_cron_refresh", min(dates))

    @api.model
    def _wake_refresh_now(self):
        """Make the refresh action run as soon as a cron worker is free,
        through ``ir.cron._trigger`` (nothing for an archived action), unless
        a trigger due now that no run has taken yet is in the database (or
        was written by this transaction): one run sends every due alert, so
        an alert that keeps failing does not add a trigger per request.
        Rare (a clock started or retargeted with an alert already due): the
        action is read, and the database asked, only then."""
        cron = self.env.ref(
            "psa_helpdesk.psa_ticket_sla_cron_refresh", raise_if_not_found=False
        )
        if not cron:
            return
        # sudo: the scheduled action and its triggers are the system's
        # bookkeeping, whoever the user is
        cron = cron.sudo()
        Trigger = self.env["ir.cron.trigger"].sudo()
        if not Trigger.search_count(
            [("cron_id", "=", cron.id), ("call_at", "<=", fields.Datetime.now())],
            limit=1,
        ):
            cron._trigger()

    def _next_status_change(self):
        """The first date after now at which one of these clocks changes
        status (at risk, second warning, breach) as the refresh action
        counts them (``_schedule_next_refresh``), naive UTC; None when none
        of them is running with such a date ahead."""
        now = fields.Datetime.now()
        dates = [
            date
            for clock in self
            if not clock.end_date and not clock.paused_since
            for date in (
                clock.warning_1_date if clock.status == "running" else None,
                clock.warning_2_date if not clock.warning_2_alert_date else None,
                clock.deadline if clock.status != "breached" else None,
            )
            if date and date > now
        ]
        return min(dates, default=None)

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

    def _resume(self, schedule=True):
        """Restart paused clocks; their deadline moves by the paused business
        time (not computed without ``schedule``: the clocks stop at once)."""
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
        if schedule:
            clocks._schedule()

    def _stop(self, reached, cancel=False):
        """Finish live clocks: ``reached`` when their goal was achieved (met,
        or met late), otherwise they no longer apply (breached when already
        late, else cancelled; always cancelled with ``cancel``)."""
        clocks = self.filtered(lambda c: not c.end_date)
        if not clocks:
            return
        clocks._resume(schedule=False)
        now = fields.Datetime.now()
        consumed = clocks._consumed_at(self._business_time_cache(), to_aware(now))
        # One write per set of values (the clocks a reply or a closing stops
        # usually end alike): the values of each clock, then the writes.
        to_write = defaultdict(lambda: self.browse())
        for clock in clocks:
            overrun = consumed[clock.id] - clock.target_hours
            late = overrun > EPSILON_HOURS
            if reached:
                status = "met_late" if late else "met"
            else:
                status = "breached" if late and not cancel else "cancelled"
            values = {
                "consumed_hours": consumed[clock.id],
                "checkpoint_date": now,
                "end_date": now,
                "reached_date": now if reached else False,
                "status": status,
                "overrun_hours": max(overrun, 0.0),
            }
            penalty = clock._penalty_amount(status, overrun)
            if penalty or clock.penalty_amount:
                values["penalty_amount"] = penalty
            to_write[tuple(sorted(values.items()))] |= clock
        for values, group in to_write.items():
            group.write(dict(values))

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
    def _on_ticket_created(self, tickets, since=None):
        kinds = self.env["helpdesk.ticket.stage"]._psa_close_kinds()
        tickets = tickets.filtered(lambda t: not t._psa_close_kind(kinds=kinds))
        return self._start_clocks(
            tickets, ("response", "resolution"), new_cycle=True, since=since
        )

    @api.model
    def _on_stage_changed(self, tickets, before):
        """The stage or the duplicate mark of ``tickets`` may have changed.
        ``before``: per ticket id, ``(stage, close kind)`` before the change
        (see ``helpdesk.ticket._psa_close_kind``)."""
        to_close = dict.fromkeys(("solved", "not_solved"), tickets.browse())
        to_reopen = to_resolve = to_pause = to_resume = tickets.browse()
        resume_stages = {}
        kinds = self.env["helpdesk.ticket.stage"]._psa_close_kinds()
        for ticket in tickets:
            if ticket.id not in before:
                continue
            old, old_kind = before[ticket.id]
            new, new_kind = ticket.stage_id, ticket._psa_close_kind(kinds=kinds)
            if new_kind and not old_kind:
                to_close[new_kind] |= ticket
                continue
            if old_kind and not new_kind:
                to_reopen |= ticket
                continue
            if old_kind == "not_solved" and new_kind == "solved":
                # from a closing that cancelled its clocks to a solving one:
                # reopened and solved at once (not a way to start afresh)
                to_resolve |= ticket
                continue
            if new_kind or old == new:
                continue
            pause_stages = ticket._psa_sla_policy()._psa_pause_stages()
            if new in pause_stages and old not in pause_stages:
                to_pause |= ticket
                resume_stages.setdefault(old.id, []).append(ticket.id)
            elif old in pause_stages and new not in pause_stages:
                to_resume |= ticket
        if to_close["solved"]:
            self._stop_as_solved(to_close["solved"])
        if to_close["not_solved"]:
            # Closed without being solved (cancelled, rejected, duplicate):
            # no clock reached its goal. Those not late yet are cancelled; a
            # breach that already happened is not undone by the closing.
            self._live_clocks(to_close["not_solved"])._stop(reached=False)
        if to_reopen:
            self._reopen_clocks(to_reopen, before)
        if to_resolve:
            self._reopen_clocks(to_resolve, before)
            self._stop_as_solved(to_resolve)
        if to_pause:
            self._live_clocks(to_pause)._pause()
            for stage_id, ticket_ids in resume_stages.items():
                tickets.browse(ticket_ids).write({"psa_sla_resume_stage_id": stage_id})
        if to_resume:
            self._live_clocks(to_resume)._resume()

    @api.model
    def _stop_as_solved(self, tickets):
        """``tickets`` are solved: their live resolution clocks reach their
        goal; their other live clocks stop unreached (cancelled, or breached
        when already late)."""
        live = self._live_clocks(tickets)
        live.filtered(lambda c: c.metric == "resolution")._stop(reached=True)
        live.filtered(lambda c: c.metric != "resolution")._stop(reached=False)

    @api.model
    def _reopen_clocks(self, tickets, before):
        """A new cycle of response and resolution clocks for reopened
        ``tickets`` (SPEC §4: reopening starts a new cycle). A ticket that
        was closed as *not solved* (cancelled, rejected, marked a duplicate)
        and reopened was not closed after all: its clocks cancelled by that
        closing go on in the new cycle from where they stopped, the time it
        spent closed included (``_start_clocks`` ``carried``; alerts already
        sent are not sent again), so that
        closing and reopening a ticket never restarts a clock close to its
        deadline (SPEC §7). A clock already reached or breached is not
        carried: its metric starts afresh, as after a solved ticket."""
        carried = {}
        not_solved = tickets.filtered(lambda t: before[t.id][1] == "not_solved")
        if not_solved:
            self._prefetch_clocks(not_solved)
            for clock in not_solved.sudo().psa_sla_ids.sorted("id"):
                if clock.cycle == clock.ticket_id.psa_sla_cycle and clock.metric in (
                    "response",
                    "resolution",
                ):
                    carried[clock.ticket_id.id, clock.metric] = clock
            carried = {
                key: clock
                for key, clock in carried.items()
                if clock.status == "cancelled" and clock.end_date
            }
        self._start_clocks(
            tickets, ("response", "resolution"), new_cycle=True, carried=carried
        )

    @api.model
    def _on_agent_reply(self, tickets):
        """A public message of an agent: it is the first response, it is an
        update to the customer (the update clock starts again)."""
        tickets = tickets.filtered(lambda t: t.psa_sla_cycle)
        if not tickets:
            return
        stopped = self._live_clocks(tickets, ("response", "update"))
        # the refresh action is due by the first status change of the
        # clocks stopped: a next update clock due no earlier needs no trigger
        covered_until = stopped._next_status_change()
        stopped._stop(reached=True)
        self._start_clocks(
            tickets.filtered(lambda t: not t._psa_close_kind()),
            ("update",),
            covered_until=covered_until,
        )

    @api.model
    def _on_customer_reply(self, tickets):
        """A message of the customer on a ticket waiting for them: the ticket
        goes back to work (to the stage it was paused from, else to the first
        open stage of its team), which resumes its clocks."""
        waiting = tickets.filtered(
            lambda t: t.stage_id in t._psa_sla_policy()._psa_pause_stages()
        )
        for ticket in waiting:
            pause_stages = ticket._psa_sla_policy()._psa_pause_stages()
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
    def _on_context_changed(self, tickets, before):
        """A write may have changed the SLA terms of ``tickets``: ``before``
        maps ticket ids to their ``_psa_sla_context()`` before it.

        Only tickets whose own terms changed (priority, or the policy or
        calendar that applies to them) are looked at; on those, a live clock
        counting with other terms than the ticket's new ones is retargeted
        (``_retarget``). Anything else written on a ticket (team, contact,
        a severity that keeps the priority...) leaves its clocks alone, even
        if their policy was edited since they started."""
        now = fields.Datetime.now()
        contexts = tickets._psa_sla_context()
        cache = self._business_time_cache()
        to_start = tickets.browse()
        for ticket in tickets:
            context = contexts[ticket.id]
            if ticket.id not in before or before[ticket.id] == context:
                continue
            live = self._live_clocks(ticket)
            if not live:
                if (
                    context[0]
                    and not ticket._psa_close_kind()
                    and not ticket.psa_sla_ids
                ):
                    to_start |= ticket
                continue
            live._retarget(context, now, cache)
        if to_start:
            self._on_ticket_created(
                to_start, since=self._late_entitlement_starts(to_start)
            )

    @api.model
    def _late_entitlement_starts(self, tickets):
        """When a ticket becomes entitled by a contract after its creation
        (its product was not known yet, SPEC §2), its clocks count from its
        creation, or from the contract's start if later: the customer was
        covered all along. An exception granted by a manager counts from the
        moment it is granted. {ticket id: naive UTC datetime}."""
        result = {}
        for ticket in tickets:
            contract = ticket.contract_id.sudo()
            if not contract or not ticket.create_date:
                continue
            start = ticket.create_date
            if contract.date_start:
                start = max(start, fields.Datetime.to_datetime(contract.date_start))
            result[ticket.id] = start
        return result

    def _retarget(self, context, now, cache):
        """Give the live clocks of one ticket (``self``) the terms
        ``context`` = ``(policy, priority, calendar)``, when theirs differ:
        the policy's target for that priority, counted from the original
        start, keeping the business time already consumed; a clock whose
        terms set no target any more is cancelled. The change is logged on
        the ticket, old → new.

        A clock left without deadline (its calendar had no working time, so
        nothing was consumed since its last checkpoint) keeps its
        checkpoint: the new calendar counts that time instead."""
        if not self:
            return
        ticket = self.ticket_id
        ticket.ensure_one()
        policy = context[0]
        metric_labels = dict(self._fields["metric"]._description_selection(self.env))
        changes = []
        to_schedule = self.browse()
        for clock in self.filtered(lambda c: not c.end_date):
            if clock._terms() == context:
                continue
            label = metric_labels[clock.metric]
            vals = policy and self._clock_values(
                ticket, clock.metric, clock.cycle, context, now
            )
            if not vals:
                clock._stop(reached=False, cancel=True)
                changes.append(
                    self.env._("%(metric)s: no target any more.", metric=label)
                )
                continue
            old_priority, old_target = clock.priority, clock.target_hours
            old_calendar = clock.calendar_id
            values = {
                "policy_id": vals["policy_id"],
                "priority": vals["priority"],
                "calendar_id": vals["calendar_id"],
                "round_the_clock": vals["round_the_clock"],
                "target_hours": vals["target_hours"],
            }
            if clock.deadline and not clock.paused_since:
                consumed = clock._consumed_at(cache, to_aware(now))[clock.id]
                values.update(consumed_hours=consumed, checkpoint_date=now)
            clock.write(values)
            if not clock.paused_since:
                to_schedule |= clock
            change = self.env._(
                "%(metric)s: P%(old_priority)s %(old)s → P%(new_priority)s %(new)s",
                metric=label,
                old_priority=old_priority,
                old=format_duration(old_target),
                new_priority=vals["priority"],
                new=format_duration(vals["target_hours"]),
            )
            if clock.calendar_id != old_calendar:
                change = self.env._(
                    "%(change)s (calendar %(old)s → %(new)s)",
                    change=change,
                    old=old_calendar.display_name or "24×7",
                    new=clock.calendar_id.display_name or "24×7",
                )
            changes.append(change)
        to_schedule._schedule()
        if changes:
            ticket.message_post(
                body=self.env._(
                    "SLA targets changed (time already consumed is kept): %(changes)s",
                    changes="; ".join(changes),
                ),
                subtype_xmlid="mail.mt_note",
            )
