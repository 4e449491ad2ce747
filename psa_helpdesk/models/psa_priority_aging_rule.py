# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..const import PRIORITIES


class PsaPriorityAgingRule(models.Model):
    """Raise the priority of tickets that stay open too long: a ticket whose
    priority is ``from_priority`` and that has been open ``hours`` business
    hours or more goes to ``to_priority``. Rules chain (P3 → P2 → P1)."""

    _name = "psa.priority.aging.rule"
    _inherit = ["psa.system.fields.mixin"]
    _description = "Priority aging rule"
    _order = "from_priority desc, hours"
    _check_company_auto = True
    # derived from the priorities and hours
    _psa_system_fields = ("name",)

    name = fields.Char(compute="_compute_name", store=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    from_priority = fields.Selection(PRIORITIES, required=True, default="3")
    to_priority = fields.Selection(PRIORITIES, required=True, default="2")
    hours = fields.Float(
        string="After (business hours open)",
        required=True,
        help="Business hours since the ticket was opened, counted on the "
        "support calendar of its contract (or of the company).",
    )
    tier_ids = fields.Many2many(
        "psa.service.tier",
        string="Tiers",
        check_company=True,
        help="Apply only to tickets of these tiers. Empty: every ticket.",
    )

    @api.depends("from_priority", "to_priority", "hours")
    def _compute_name(self):
        for rule in self:
            hours = f"{rule.hours:g}"
            rule.name = self.env._(
                "P%(src)s → P%(dst)s after %(hours)s h",
                src=rule.from_priority,
                dst=rule.to_priority,
                hours=hours,
            )

    @api.constrains("from_priority", "to_priority", "hours")
    def _check_rule(self):
        for rule in self:
            if rule.hours <= 0:
                raise ValidationError(
                    self.env._("An aging rule needs a positive number of hours.")
                )
            if rule.to_priority >= rule.from_priority:
                raise ValidationError(
                    self.env._(
                        "Aging only raises priorities: P%(dst)s is not more "
                        "urgent than P%(src)s.",
                        src=rule.from_priority,
                        dst=rule.to_priority,
                    )
                )

    @api.model
    def _aged_priority(self, rules, priority, tier, hours_open):
        """Apply ``rules`` (already filtered on the company) to a ticket of
        ``priority`` and ``tier`` open ``hours_open`` business hours; returns
        the raised priority, or ``priority`` itself."""
        applicable = rules.filtered(
            lambda r: r.hours <= hours_open and (not r.tier_ids or tier in r.tier_ids)
        )
        changed = True
        while changed:
            changed = False
            for rule in applicable:
                if rule.from_priority == priority and rule.to_priority < priority:
                    priority = rule.to_priority
                    changed = True
        return priority
