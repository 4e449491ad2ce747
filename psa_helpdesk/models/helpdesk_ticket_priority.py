# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Classification, priority and support levels on the ticket (SPEC §3):
request type, severity, the priority P derived from severity × service tier,
raised by aging rules (scheduled action) or overridden by a supervisor, the
OCA star kept consistent with P, P1 alerts, and the support level.

Pipeline steps (called by ``helpdesk_ticket.py``, nowhere else):
``_psa_priority_after_create``, ``_psa_priority_vals``,
``_psa_priority_before_write`` and ``_psa_priority_after_write``."""

from collections import defaultdict

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..const import (
    AUTO_GENERATED,
    AUTO_SUBMITTED_CONTEXT,
    PRIORITIES,
    PRIORITY_TO_STAR,
    REQUEST_TYPE_HELP,
    REQUEST_TYPES,
    SEVERITIES,
    SEVERITY_HELP,
    SUPPORT_LEVELS,
)
from ..tools.business_time import to_aware
from ..tools.cron import run_in_batches
from .helpdesk_ticket import PRIORITY_INPUTS

# Tickets per batch of the aging scheduled action
AGING_BATCH = 200


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # Classification
    request_type = fields.Selection(
        REQUEST_TYPES, tracking=True, index=True, help=REQUEST_TYPE_HELP
    )

    severity = fields.Selection(
        SEVERITIES, default="3", required=True, tracking=True, help=SEVERITY_HELP
    )

    support_level = fields.Selection(
        SUPPORT_LEVELS,
        compute="_compute_support_level",
        store=True,
        readonly=False,
        tracking=True,
        index=True,
        help="L1 call centre, L2 analysts, L3 development. Changes through "
        "the Escalate action, which logs who, when and why.",
        groups="base.group_user",
    )

    psa_escalation_ids = fields.One2many(
        "psa.ticket.escalation",
        "ticket_id",
        string="Escalations",
        groups="psa_helpdesk.group_psa_agent",
    )

    # Priority
    psa_matrix_priority = fields.Selection(
        PRIORITIES,
        string="Priority by matrix",
        compute="_compute_psa_matrix_priority",
        store=True,
        help="Severity × service tier, from the tier's priority matrix.",
        groups="base.group_user",
    )

    psa_aging_priority = fields.Selection(
        PRIORITIES,
        string="Priority by aging",
        readonly=True,
        copy=False,
        help="Raised by the aging rules while the ticket stays open "
        "(scheduled action).",
        groups="base.group_user",
    )

    psa_priority_override = fields.Selection(
        PRIORITIES,
        string="Priority override",
        tracking=True,
        copy=False,
        help="Set by a supervisor (support manager or the team leader); wins "
        "over the derived priority until cleared.",
        groups="base.group_user",
    )

    psa_priority_override_reason = fields.Char(
        string="Override reason",
        tracking=True,
        copy=False,
        groups="base.group_user",
    )

    psa_priority = fields.Selection(
        PRIORITIES,
        string="Priority",
        compute="_compute_psa_priority",
        store=True,
        index=True,
        tracking=True,
        help="Derived from severity and the contract's service tier, raised by "
        "aging rules, unless a supervisor overrode it.",
    )
    # helpdesk_mgmt's stars: they follow P and are hidden in our views (one
    # priority for the user); kept for helpdesk_mgmt's counters and filters
    priority = fields.Selection(
        string="Priority (stars)",
        compute="_compute_priority",
        store=True,
        readonly=False,
        default=None,
        # the chatter shows the full history: helpdesk_mgmt does not track it
        tracking=True,
    )

    psa_can_override_priority = fields.Boolean(
        compute="_compute_psa_can_override_priority",
        groups="base.group_user",
    )

    @api.depends("team_id")
    def _compute_support_level(self):
        for ticket in self:
            if ticket.team_id.support_level:
                ticket.support_level = ticket.team_id.support_level
            elif not ticket.support_level:
                ticket.support_level = "1"

    @api.depends(
        "severity",
        "contract_id.service_tier_id.matrix_ids.severity",
        "contract_id.service_tier_id.matrix_ids.priority",
    )
    def _compute_psa_matrix_priority(self):
        for ticket in self:
            ticket.psa_matrix_priority = (
                ticket.contract_id.service_tier_id._priority_for(ticket.severity)
                if ticket.severity
                else False
            )

    @api.depends("psa_matrix_priority", "psa_aging_priority", "psa_priority_override")
    def _compute_psa_priority(self):
        for ticket in self:
            if ticket.psa_priority_override:
                ticket.psa_priority = ticket.psa_priority_override
            else:
                candidates = [
                    p
                    for p in (ticket.psa_matrix_priority, ticket.psa_aging_priority)
                    if p
                ]
                ticket.psa_priority = min(candidates) if candidates else False

    @api.depends("psa_priority")
    def _compute_priority(self):
        for ticket in self:
            if ticket.psa_priority:
                ticket.priority = PRIORITY_TO_STAR[ticket.psa_priority]
            elif not ticket.priority:
                ticket.priority = "1"

    @api.depends_context("uid")
    @api.depends("team_id")
    def _compute_psa_can_override_priority(self):
        for ticket in self:
            ticket.psa_can_override_priority = ticket._psa_is_supervisor()

    @api.constrains("psa_priority_override", "psa_priority_override_reason")
    def _check_priority_override_reason(self):
        for ticket in self:
            if (
                ticket.psa_priority_override
                and not (ticket.psa_priority_override_reason or "").strip()
            ):
                raise ValidationError(
                    self.env._(
                        "Overriding the priority of %(ticket)s needs a reason.",
                        ticket=ticket.display_name,
                    )
                )

    @api.constrains("request_type", "stage_id")
    def _check_incident_not_in_backlog(self):
        for ticket in self:
            if ticket.request_type == "incident" and ticket.stage_id.psa_backlog:
                raise ValidationError(
                    self.env._(
                        "%(ticket)s is an incident: it cannot wait in the backlog "
                        "stage %(stage)s.",
                        ticket=ticket.display_name,
                        stage=ticket.stage_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Pipeline steps
    # ------------------------------------------------------------------

    def _psa_priority_vals(self, vals):
        """Write step, before the update: clearing the override clears its
        reason. Returns the values to write."""
        if "psa_priority_override" in vals and not vals["psa_priority_override"]:
            return dict(vals, psa_priority_override_reason=False)
        return vals

    def _psa_priority_before_write(self, vals):
        """Write step, before the update: which tickets were urgent (P1 and
        entitled), when ``vals`` may change the priority; else None."""
        if not PRIORITY_INPUTS & vals.keys():
            return None
        return {ticket.id: ticket._psa_is_urgent() for ticket in self}

    def _psa_priority_after_write(self, urgent_before):
        """Write step, after the update: alert on the tickets that have just
        become urgent (``urgent_before`` from ``_psa_priority_before_write``)."""
        if urgent_before is None:
            return
        self.filtered(
            lambda t: t._psa_is_urgent() and not urgent_before.get(t.id)
        )._psa_alert_p1()

    def _psa_priority_after_create(self):
        """Create step: the new tickets that are urgent alert at once."""
        self.filtered(lambda t: t._psa_is_urgent())._psa_alert_p1()

    @api.model
    def _psa_align_stars(self):
        """Tickets whose stars contradict their P (set before psa_helpdesk was
        installed, or by an older version) follow it again. Called at
        installation and by the 18.0.1.2.0 migration."""
        tickets = self.with_context(active_test=False).search(
            [("psa_priority", "!=", False)]
        )
        self.env.add_to_compute(self._fields["priority"], tickets)
        tickets.flush_recordset(["priority"])

    def _psa_check_star_write(self):
        """The OCA stars follow P: a user may not set them to another value
        (``FIELD_RIGHTS``: derived).

        :raise AccessError: the stars written contradict P"""
        wrong = self.filtered(
            lambda t: t.psa_priority and t.priority != PRIORITY_TO_STAR[t.psa_priority]
        )
        if wrong:
            raise AccessError(
                self.env._(
                    "The stars of %(tickets)s follow its priority P: change the "
                    "severity, or ask a supervisor to override the priority.",
                    tickets=", ".join(wrong.mapped("display_name")),
                )
            )

    def _psa_is_urgent(self):
        """P1 and entitled: the case that alerts people at once. A ticket no
        contract covers goes to the commercial team, not to the alarm."""
        self.ensure_one()
        return self.psa_priority == "1" and self.psa_entitled

    def _psa_alert_p1(self):
        """A ticket has just become P1: the team leader and the support
        managers (``psa.sla.alert._recipients``) are alerted at once (SPEC
        §3), as the SLA alerts alert them (SPEC §4): a to-do activity each,
        due today, and a chatter note naming them; notified besides (by email
        or in Odoo, as each chose) when the ticket's SLA policy sends its
        alerts by email (``alert_by_email``), and whenever no activity is
        made (``mail_activity_automation_skip``): the note is then the
        alert. Names are text (escaped) in the activities and the note.

        All the tickets of a batch together: the activities in one create
        (without the assignment notification of each, which would cost a
        message and an email per activity), the notes in one log per set of
        people. Only the notified notes are posted one by one (a message and
        its notifications per ticket). The notes are automatic, written by the
        system (OdooBot), whoever created or changed the ticket (a customer on
        the portal or by email too): emailed, they carry ``Auto-Submitted``
        and come from the system, not from the customer."""
        if not self:
            return
        recipients = self.env["psa.sla.alert"]._recipients(
            self, ("team_leader", "support_managers")
        )
        tickets = self.with_context(
            mail_activity_quick_update=True,
            **{AUTO_SUBMITTED_CONTEXT: AUTO_GENERATED},
        ).filtered(lambda t: recipients[t.id])
        if not tickets:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        activities = []
        for ticket in tickets:
            summary = self.env._("P1: %(ticket)s", ticket=ticket.display_name)
            note = escape(
                self.env._(
                    "%(customer)s — severity %(severity)s. Immediate attention.",
                    customer=ticket.commercial_partner_id.display_name or "-",
                    severity=ticket.severity,
                )
            )
            activities += [
                {
                    "activity_type_id": todo.id,
                    "summary": summary,
                    "automated": True,
                    "note": note,
                    "date_deadline": today,
                    "res_model_id": model_id,
                    "res_id": ticket.id,
                    "user_id": user.id,
                }
                for user in recipients[ticket.id]
            ]
        # (the context that makes activity_schedule create none)
        skip_activities = self.env.context.get("mail_activity_automation_skip")
        if not skip_activities:
            tickets.env["mail.activity"].create(activities)
        logged = defaultdict(dict)  # people alerted → {ticket id: note}
        system = self.env.ref("base.partner_root").id
        for ticket in tickets:
            users = recipients[ticket.id]
            body = escape(
                self.env._(
                    "Priority P1: %(users)s alerted.",
                    users=", ".join(users.mapped("name")),
                )
            )
            if skip_activities or ticket.psa_sla_policy_id.alert_by_email:
                ticket.message_post(
                    body=body,
                    author_id=system,
                    partner_ids=users.partner_id.ids,
                    subtype_xmlid="mail.mt_note",
                    message_type="comment",
                )
            else:
                logged[users][ticket.id] = body
        for users, bodies in logged.items():
            # the people alerted are named (partner_ids), not notified
            tickets.browse(list(bodies))._message_log_batch(
                bodies, author_id=system, partner_ids=users.partner_id.ids
            )

    # ------------------------------------------------------------------
    # Priority aging
    # ------------------------------------------------------------------

    @api.model
    def _psa_business_hours_since(self, calendar, starts, now):
        """Business hours of ``calendar`` from each datetime of ``starts`` (naive
        UTC) to ``now``, with the SLA engine's business-time arithmetic: one
        fetch of working time for the whole batch. Without calendar, 24×7."""
        if not starts:
            return []
        cache = self.env["psa.ticket.sla"]._business_time_cache()
        cache.prepare(calendar or False, to_aware(min(starts)), to_aware(now))
        return [cache.hours_between(calendar or False, start, now) for start in starts]

    def _psa_update_aging(self, now=None):
        """Recompute the aging priority of ``self`` (open tickets) against the
        active aging rules, in one pass per calendar."""
        now = now or fields.Datetime.now()
        rules = self.env["psa.priority.aging.rule"].search(
            [("company_id", "in", self.company_id.ids)]
        )
        by_calendar = defaultdict(lambda: self.browse())
        for ticket in self:
            by_calendar[ticket._psa_support_calendar()] |= ticket
        new_values = defaultdict(lambda: self.browse())
        for calendar, tickets in by_calendar.items():
            hours = self._psa_business_hours_since(
                calendar, [t.create_date for t in tickets], now
            )
            for ticket, hours_open in zip(tickets, hours, strict=True):
                base = ticket.psa_matrix_priority
                aged = False
                if base and not ticket.closed:
                    raised = rules._aged_priority(
                        rules.filtered(
                            lambda r, t=ticket: r.company_id == t.company_id
                        ),
                        base,
                        ticket.psa_service_tier_id,
                        hours_open,
                    )
                    aged = raised if raised != base else False
                if aged != ticket.psa_aging_priority:
                    new_values[aged] |= ticket
        for value, tickets in new_values.items():
            tickets.write({"psa_aging_priority": value})
        return True

    @api.model
    def _cron_psa_priority_aging(self, batch_size=AGING_BATCH):
        """Scheduled action: raise the priority of tickets open too long.
        A ticket that fails is logged and skipped, not its batch."""
        run_in_batches(
            self.search([("stage_id.closed", "=", False)]),
            lambda batch: batch._psa_update_aging(),
            batch_size=batch_size,
            what="Priority aging",
        )
        return True
