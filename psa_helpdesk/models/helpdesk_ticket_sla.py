# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket side of the SLA engine (SPEC §4): fields shown on the ticket and
the steps that feed ticket events (creation, stage changes, messages, target
changes) to ``psa.ticket.sla``, where the engine lives.

Pipeline steps (called by ``helpdesk_ticket.py``, nowhere else):
``_psa_sla_after_create``, ``_psa_sla_before_write``,
``_psa_sla_check_write``, ``_psa_sla_after_write`` and
``_psa_sla_on_message``."""

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..const import SLA_FINISHED_SEVERITY, SLA_LIVE_SEVERITY, SLA_STATUSES
from ..tools.fetch import fetch_missing
from .helpdesk_ticket import PRIORITY_INPUTS


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    psa_sla_policy_id = fields.Many2one(
        "psa.sla.policy",
        string="SLA policy",
        compute="_compute_psa_sla_policy_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        check_company=True,
        help="Service levels the clocks of this ticket count on. Taken from "
        "the contract covering the ticket, else from the team; only support "
        "managers may choose another one.",
        groups="base.group_user",
    )

    psa_sla_ids = fields.One2many(
        "psa.ticket.sla",
        "ticket_id",
        string="SLA clocks",
        copy=False,
        readonly=True,
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )

    psa_sla_cycle = fields.Integer(
        string="SLA cycle",
        copy=False,
        readonly=True,
        help="1 while the ticket was never reopened; each reopening adds one.",
        groups="base.group_user",
    )

    psa_sla_resume_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="Stage before waiting",
        copy=False,
        readonly=True,
        help="Where a reply of the customer puts the ticket back.",
        groups="base.group_user",
    )

    psa_sla_status = fields.Selection(
        SLA_STATUSES,
        string="SLA",
        compute="_compute_psa_sla_status",
        store=True,
        index=True,
        help="Worst state of the live clocks of the ticket; once none is live, "
        "the worst outcome of its last cycle.",
        groups="base.group_user",
    )

    psa_sla_deadline = fields.Datetime(
        # not "SLA deadline": helpdesk_mgmt_sla's sla_deadline has that label
        string="Next SLA deadline",
        compute="_compute_psa_sla_deadline",
        store=True,
        index=True,
        help="Earliest deadline of the running clocks.",
        groups="base.group_user",
    )

    psa_sla_remaining_hours = fields.Float(
        string="SLA remaining (h)",
        compute="_compute_psa_sla_remaining_hours",
        # whoever may read the ticket (developers too) sees the time left
        compute_sudo=True,
        help="Business hours until the earliest deadline; negative when late.",
        groups="base.group_user",
    )

    psa_sla_time_left = fields.Char(
        string="SLA time left",
        compute="_compute_psa_sla_time_left",
        compute_sudo=True,
        help="Business time until the earliest deadline of the running clocks "
        "(e.g. '5 h 20 min', 'late 1 h 05 min'); empty when no clock runs "
        "(no SLA, paused or closed).",
        groups="base.group_user",
    )

    psa_sla_error = fields.Boolean(
        groups="base.group_user",
        string="SLA not computed",
        copy=False,
        readonly=True,
        index=True,
        help="The SLA deadlines of this ticket could not be computed: the "
        "working calendar it counts on has no working time. The ticket and "
        "its clocks exist, without deadline; the support managers got a "
        "to-do naming the calendar. Once it is fixed, the SLA status action "
        "computes the deadlines from the clocks' start and clears the flag "
        "(a closed ticket keeps it: its figures were counted on that "
        "calendar).",
    )

    psa_sla_update_overdue = fields.Boolean(
        string="Customer update overdue",
        compute="_compute_psa_sla_update_overdue",
        compute_sudo=True,
        search="_search_psa_sla_update_overdue",
        help="No update was sent to the customer for longer than the update "
        "interval of the SLA.",
        groups="base.group_user",
    )

    psa_sla_update_late = fields.Boolean(
        string="Customer update late",
        compute="_compute_psa_sla_update_late",
        store=True,
        help="Stored twin of 'Customer update overdue' for the kanban colour and "
        "grouping: set when the status action marks the live update clock "
        "breached (it is woken at that deadline), cleared by the next public "
        "reply or a pause.",
        groups="base.group_user",
    )

    @api.depends("team_id", "contract_id.sla_policy_id")
    def _compute_psa_sla_policy_id(self):
        for ticket in self:
            ticket.psa_sla_policy_id = (
                ticket.contract_id.sla_policy_id
                or ticket.team_id.psa_sla_policy_id
                or ticket.psa_sla_policy_id
            )

    @api.depends("psa_sla_cycle", "psa_sla_ids.cycle", "psa_sla_ids.status")
    def _compute_psa_sla_status(self):
        # Plain loops: recomputed for every ticket whose clocks the status
        # action moves (50,000 in a big run), recordset helpers cost.
        for ticket in self:
            statuses = {
                clock.status
                for clock in ticket.psa_sla_ids
                if clock.cycle == ticket.psa_sla_cycle
            }
            order = (
                SLA_LIVE_SEVERITY
                if statuses.intersection(SLA_LIVE_SEVERITY)
                else SLA_FINISHED_SEVERITY
            )
            ticket.psa_sla_status = next((s for s in order if s in statuses), False)

    @api.depends(
        "psa_sla_cycle",
        "psa_sla_ids.cycle",
        "psa_sla_ids.deadline",
        "psa_sla_ids.end_date",
        "psa_sla_ids.paused_since",
    )
    def _compute_psa_sla_deadline(self):
        for ticket in self:
            deadlines = [
                clock.deadline
                for clock in ticket.psa_sla_ids
                if clock.cycle == ticket.psa_sla_cycle
                and not clock.end_date
                and not clock.paused_since
                and clock.deadline
            ]
            ticket.psa_sla_deadline = min(deadlines, default=False)

    @api.depends(
        "psa_sla_cycle",
        "psa_sla_ids.cycle",
        "psa_sla_ids.metric",
        "psa_sla_ids.status",
        "psa_sla_ids.end_date",
    )
    def _compute_psa_sla_update_late(self):
        for ticket in self:
            ticket.psa_sla_update_late = any(
                clock.metric == "update"
                and clock.cycle == ticket.psa_sla_cycle
                and not clock.end_date
                and clock.status == "breached"
                for clock in ticket.psa_sla_ids
            )

    def _psa_sla_earliest_clocks(self):
        """Per ticket id, the live clock whose deadline comes first (running
        ones before paused ones)."""
        result = {}
        clocks = self.env["psa.ticket.sla"]._live_clocks(self)
        for clock in clocks.sorted(
            lambda c: (bool(c.paused_since), c.deadline or fields.Datetime.now())
        ):
            result.setdefault(clock.ticket_id.id, clock)
        return result

    def _compute_psa_sla_remaining_hours(self):
        earliest = self._psa_sla_earliest_clocks()
        # One batch: the clocks share the business-time cache.
        clocks = self.env["psa.ticket.sla"].sudo().union(*earliest.values())
        remaining = {clock.ticket_id.id: clock.remaining_hours for clock in clocks}
        for ticket in self:
            ticket.psa_sla_remaining_hours = remaining.get(ticket.id, 0.0)

    def _compute_psa_sla_time_left(self):
        """``psa_sla_remaining_hours`` (business hours, computed once for the
        whole recordset: the page of a list or kanban) as text, for tickets
        whose clocks run (``psa_sla_deadline`` set); False for the others."""
        for ticket in self:
            if not ticket.psa_sla_deadline:
                ticket.psa_sla_time_left = False
                continue
            hours = ticket.psa_sla_remaining_hours
            minutes = round(abs(hours) * 60)
            text = self.env._(
                "%(hours)s h %(minutes)02d min",
                hours=minutes // 60,
                minutes=minutes % 60,
            )
            ticket.psa_sla_time_left = (
                self.env._("late %(time)s", time=text) if hours < 0 else text
            )

    def _compute_psa_sla_update_overdue(self):
        now = fields.Datetime.now()
        late = {
            clock.ticket_id.id
            for clock in self.env["psa.ticket.sla"]._live_clocks(self, ("update",))
            if not clock.paused_since and clock.deadline and clock.deadline <= now
        }
        for ticket in self:
            ticket.psa_sla_update_overdue = ticket.id in late

    def _search_psa_sla_update_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        domain = [
            (
                "psa_sla_ids",
                "any",
                [
                    ("metric", "=", "update"),
                    ("end_date", "=", False),
                    ("paused_since", "=", False),
                    ("deadline", "<=", fields.Datetime.now()),
                ],
            )
        ]
        if (operator == "=") != value:
            return ["!", *domain]
        return domain

    # ------------------------------------------------------------------
    # Pipeline steps
    # ------------------------------------------------------------------

    def _psa_sla_after_create(self):
        """Create step: the clocks of the new tickets start."""
        self._psa_sla_engine()._on_ticket_created(self.sudo())

    def _psa_sla_before_write(self, vals):
        """Write step, before the update: what the engine needs to compare
        afterwards: stages and how the tickets are closed
        (``_psa_close_kind``), their SLA terms (``_psa_sla_context``) when
        ``vals`` may change them, and their policies."""
        stages = None
        if {"stage_id", "team_id", "duplicate_id"} & vals.keys():
            kinds = self.env["helpdesk.ticket.stage"]._psa_close_kinds()
            stages = {t.id: (t.stage_id, t._psa_close_kind(kinds=kinds)) for t in self}
        return {
            "stages": stages,
            # sudo: the terms read the contract's calendar, which the
            # engine counts on whatever the user may read.
            "context": self.sudo()._psa_sla_context()
            if self._psa_sla_context_fields() & vals.keys()
            else None,
            "policies": {t.id: t.psa_sla_policy_id for t in self}
            if "psa_sla_policy_id" in vals
            else None,
        }

    def _psa_sla_check_write(self, before):
        """Write step, right after the update (before any effect): only
        support managers choose a policy other than the contract's or the
        team's."""
        if before["policies"] is not None:
            self._check_psa_sla_policy_write(before["policies"])

    def _psa_sla_after_write(self, before):
        """Write step, after the update: report the changes to the engine."""
        if before["context"] is not None:
            self._psa_sla_engine()._on_context_changed(self.sudo(), before["context"])
        if before["stages"] is not None:
            self._psa_sla_engine()._on_stage_changed(self.sudo(), before["stages"])

    def _psa_sla_on_message(self, message):
        """Message step: a public reply of an agent or of the customer moves
        the clocks (first response, customer update, pause)."""
        kind = self._psa_sla_message_kind(message)
        if kind == "agent":
            self._psa_sla_engine()._on_agent_reply(self.sudo())
        elif kind == "customer":
            self._psa_sla_engine()._on_customer_reply(self.sudo())

    def _check_psa_sla_policy_write(self, old_policies):
        """Only support managers choose a policy other than the one the rule
        gives (the contract's, else the team's), or none: clearing it would
        cancel the running clocks.

        :raise AccessError: another user chose another policy, or none"""
        if self.env.su or self.env.user.has_group("psa_helpdesk.group_psa_manager"):
            return
        if any(
            t.psa_sla_policy_id != old_policies[t.id]
            and t.psa_sla_policy_id
            != (t.contract_id.sla_policy_id or t.team_id.psa_sla_policy_id)
            for t in self
        ):
            raise AccessError(
                self.env._(
                    "Only support managers may change the SLA policy of a ticket."
                )
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _psa_sla_engine(self):
        """The SLA engine, to which ticket events are reported.

        sudo: the clocks follow what happened to tickets the user was allowed
        to create, move or post on (a customer on the portal or by email
        included). Clocks, policies and calendars are then read and written
        by the engine whatever the user's own rights; no id from the request
        reaches it, only the tickets the event happened on.
        """
        return self.env["psa.ticket.sla"].sudo()

    @api.model
    def _psa_sla_context_fields(self):
        """Ticket fields whose change may change the SLA context: the policy,
        the entitlement, and every input of the derived priority."""
        return {
            "team_id",
            "psa_sla_policy_id",
            "psa_priority",
            "psa_entitlement_exception",
        } | PRIORITY_INPUTS

    def _psa_sla_context(self):
        """Per ticket id: ``(policy, priority, calendar)`` the SLA clocks
        count with (the terms a clock freezes when it starts, see
        ``psa.ticket.sla._terms``). An empty policy means no clocks: tickets no contract
        covers (and no manager excepted) stay out of the clocks. The calendar
        is the ticket's support calendar (``_psa_support_calendar``)."""
        # Of the contracts, the calendar and the currency the new clocks
        # take (``psa.ticket.sla._clock_values``), in one narrow read: not
        # every field of the contract for each reply or stage change.
        # sudo: the terms apply whatever the user may read of the contract.
        fetch_missing(self.sudo().contract_id, ["resource_calendar_id", "currency_id"])
        result = {}
        for ticket in self:
            result[ticket.id] = (
                ticket._psa_sla_policy(),
                ticket.psa_priority or "3",
                ticket._psa_support_calendar(),
            )
        return result

    def _psa_sla_policy(self):
        """The SLA policy the ticket's clocks count with: its policy when the
        SLA applies (entitled), else an empty policy (no clocks). Reads
        neither the contract nor the calendar (see ``_psa_sla_context`` for
        the whole terms)."""
        self.ensure_one()
        if self.psa_sla_applies:
            return self.psa_sla_policy_id
        return self.env["psa.sla.policy"]

    def _psa_support_calendar(self):
        """The working calendar the ticket's business time counts on (SLA
        clocks and priority aging): the contract's support calendar, else
        the calendar of the ticket's SLA policy (the contract's or the
        team's), else the company's."""
        self.ensure_one()
        return (
            self.contract_id.resource_calendar_id
            or self.psa_sla_policy_id.resource_calendar_id
            or self.company_id.resource_calendar_id
        )

    def _psa_sla_message_kind(self, message):
        """'agent' for a public reply of an internal user, 'customer' for a
        message of the ticket's customer, else None (notes, system
        messages, other people, and automatic emails — out-of-office
        replies, bounces: SPEC §4 — whoever they come from)."""
        self.ensure_one()
        if message.message_type not in ("comment", "email", "email_outgoing"):
            return None
        if message.sudo().psa_automatic:
            return None
        # ids from the cached xmlid lookup: no query per message
        xmlid_to_id = self.env["ir.model.data"]._xmlid_to_res_id
        if message.subtype_id.id != xmlid_to_id("mail.mt_comment"):
            return None
        author = message.author_id
        if not author or author.id == xmlid_to_id("base.partner_root"):
            return None
        # The usual case, an agent replying from the chatter, without
        # reading the author's users again.
        user = self.env.user
        if author == user.partner_id and user.has_group("base.group_user"):
            return "agent"
        # sudo: read whether the author is an internal user, whoever posts.
        if any(not user.share for user in author.sudo().user_ids):
            return "agent"
        customer = self.commercial_partner_id
        if author == self.partner_id or (
            customer and author.commercial_partner_id == customer
        ):
            return "customer"
        return None
