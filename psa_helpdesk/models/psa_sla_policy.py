# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import namedtuple
from types import MappingProxyType

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..const import PRIORITIES

#: What the SLA engine reads of a policy (``psa.sla.policy._psa_terms``):
#: ``targets`` maps a priority ('1'..'3') to its
#: ``{"response": h, "resolution": h, "update": h}`` (business hours);
#: ``pause_stage_ids`` is a frozenset of stage ids.
PolicyTerms = namedtuple(
    "PolicyTerms",
    "targets p1_round_the_clock warning_threshold_1 warning_threshold_2 "
    "pause_stage_ids",
)
NO_TERMS = PolicyTerms(MappingProxyType({}), False, 0.0, 0.0, frozenset())


class PsaSlaPolicy(models.Model):
    """Service levels promised by a contract: per priority, how fast the first
    response, the resolution and the updates to the customer must come, counted
    in business time on a working calendar."""

    _name = "psa.sla.policy"
    _description = "SLA policy"
    _inherit = ["mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text()
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working calendar",
        check_company=True,
        tracking=True,
        help="Business hours and public holidays (as leaves) the targets are "
        "counted on. Not needed when every priority counts round the clock.",
    )
    p1_round_the_clock = fields.Boolean(
        string="P1 counts 24×7",
        help="P1 targets count every hour of every day, ignoring the calendar.",
    )
    warning_threshold_1 = fields.Float(
        string="First warning (%)",
        default=75.0,
        help="Share of the target consumed when the first 'at risk' alert goes.",
    )
    warning_threshold_2 = fields.Float(
        string="Second warning (%)",
        default=90.0,
        help="Share of the target consumed when the second alert goes. "
        "Zero disables it.",
    )
    alert_by_email = fields.Boolean(
        string="Alerts by email",
        help="Besides the to-do activity and the chatter note, email each "
        "alert to the people it goes to.",
    )
    pause_stage_ids = fields.Many2many(
        "helpdesk.ticket.stage",
        "psa_sla_policy_pause_stage_rel",
        "policy_id",
        "stage_id",
        string="Pause stages",
        help="Stages such as 'Waiting for customer' that freeze the clocks.",
    )
    target_ids = fields.One2many(
        "psa.sla.policy.target", "policy_id", string="Targets", copy=True
    )

    @api.constrains("warning_threshold_1", "warning_threshold_2")
    def _check_thresholds(self):
        for policy in self:
            first, second = policy.warning_threshold_1, policy.warning_threshold_2
            if not 0 < first < 100 or (second and not 0 < second < 100):
                raise ValidationError(
                    self.env._(
                        "Warning thresholds of %(policy)s must be percentages "
                        "strictly between 0 and 100.",
                        policy=policy.display_name,
                    )
                )
            if second and second <= first:
                raise ValidationError(
                    self.env._(
                        "The second warning of %(policy)s must come after the "
                        "first one (%(first)s %% < %(second)s %%).",
                        policy=policy.display_name,
                        first=first,
                        second=second,
                    )
                )

    @api.constrains("resource_calendar_id", "p1_round_the_clock", "target_ids")
    def _check_calendar(self):
        for policy in self:
            if policy.resource_calendar_id:
                continue
            needs_calendar = policy.target_ids
            if policy.p1_round_the_clock:
                needs_calendar = needs_calendar.filtered(lambda t: t.priority != "1")
            if needs_calendar:
                raise ValidationError(
                    self.env._(
                        "%(policy)s needs a working calendar: its targets for "
                        "%(priorities)s count business hours.",
                        policy=policy.display_name,
                        priorities=", ".join(
                            f"P{p}" for p in needs_calendar.mapped("priority")
                        ),
                    )
                )

    def _get_target(self, priority):
        """The target line of this policy for ``priority`` ('1'..'3')."""
        self.ensure_one()
        return self.target_ids.filtered(lambda t: t.priority == priority)[:1]

    def _psa_terms(self):
        """What the SLA engine counts with, as a ``PolicyTerms`` (targets per
        priority in business hours, P1 round the clock, warning thresholds in
        %, pause stage ids); ``NO_TERMS`` for no policy. Cached across
        requests (``tools.ormcache``): a request that starts or stops clocks
        does not read the policy, its targets and its pause stages again. Any
        create, write or unlink of a policy, a target or a stage clears the
        cache."""
        if not self:
            return NO_TERMS
        self.ensure_one()
        return self._psa_cached_terms(self.id)

    def _psa_pause_stages(self):
        """The pause stages of this policy (none without policy), from the
        cached terms: comparing a stage with them reads nothing."""
        return self.env["helpdesk.ticket.stage"].browse(
            sorted(self._psa_terms().pause_stage_ids)
        )

    @api.model
    @tools.ormcache("policy_id")
    def _psa_cached_terms(self, policy_id):
        # sudo: the engine's configuration, whoever triggers it
        policy = self.browse(policy_id).sudo()
        targets = {}
        for target in policy.target_ids:
            targets.setdefault(
                target.priority,
                MappingProxyType(
                    {
                        "response": target.response_hours,
                        "resolution": target.resolution_hours,
                        "update": target.update_hours,
                    }
                ),
            )
        return PolicyTerms(
            MappingProxyType(targets),
            policy.p1_round_the_clock,
            policy.warning_threshold_1,
            policy.warning_threshold_2,
            frozenset(policy.pause_stage_ids.ids),
        )


class PsaSlaPolicyTarget(models.Model):
    """Targets of one priority in a policy, in business hours."""

    _name = "psa.sla.policy.target"
    _description = "SLA target"
    _order = "policy_id, priority"

    policy_id = fields.Many2one(
        "psa.sla.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    priority = fields.Selection(PRIORITIES, required=True)
    response_hours = fields.Float(
        string="First response (h)",
        required=True,
        help="Business hours until the first public reply of an agent.",
    )
    resolution_hours = fields.Float(
        string="Resolution (h)",
        required=True,
        help="Business hours until the ticket reaches a solved or closed stage.",
    )
    update_hours = fields.Float(
        string="Customer update every (h)",
        help="Longest business time without a message to the customer. "
        "Zero: no update interval.",
    )

    _sql_constraints = [
        (
            "priority_policy_uniq",
            "unique(policy_id, priority)",
            "A policy has one target line per priority.",
        )
    ]

    @api.constrains("response_hours", "resolution_hours", "update_hours")
    def _check_positive(self):
        for target in self:
            if target.response_hours <= 0 or target.resolution_hours <= 0:
                raise ValidationError(
                    self.env._(
                        "Targets must be positive: P%(priority)s of %(policy)s has "
                        "a response or resolution target of zero or less.",
                        priority=target.priority,
                        policy=target.policy_id.display_name,
                    )
                )
            if target.update_hours < 0:
                raise ValidationError(
                    self.env._(
                        "The update interval of P%(priority)s in %(policy)s cannot "
                        "be negative.",
                        priority=target.priority,
                        policy=target.policy_id.display_name,
                    )
                )
            if target.response_hours > target.resolution_hours:
                raise ValidationError(
                    self.env._(
                        "P%(priority)s of %(policy)s: the first response cannot "
                        "be due after the resolution.",
                        priority=target.priority,
                        policy=target.policy_id.display_name,
                    )
                )
