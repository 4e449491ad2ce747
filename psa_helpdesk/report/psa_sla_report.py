# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA compliance and penalties: one row per SLA clock.

The compliance rate is a plain average: every row carries 100 when its clock
was met, 0 when it was breached or met late, and NULL while the outcome is
not known (running, paused, at risk) or when the clock was cancelled. SQL's
``AVG`` skips NULLs, so in any pivot cell (totals included)
``AVG(compliance_rate) = met / (met + breached + met late)``, computed by the
database in the same grouped query as the counts.

The modules installed are a many2many: a clock joined to them would count
once per module. Here the clock counts once, and ``module_ids`` only filters.
The module a ticket is about, ``affected_module_id`` (one per ticket),
groups here and in ``psa.sla.module.report``: each clock once.
"""

from odoo import fields, models
from odoo.tools import SQL

from ..const import (
    PRIORITIES,
    REQUEST_TYPES,
    SLA_MET_STATUSES,
    SLA_METRICS,
    SLA_MISSED_STATUSES,
    SLA_STATUSES,
    SUPPORT_LEVELS,
)


class PsaSlaReport(models.Model):
    _name = "psa.sla.report"
    _inherit = ["psa.currency.sum.mixin"]
    _description = "SLA compliance analysis"
    _auto = False
    _order = "start_date desc, id desc"
    _rec_name = "ticket_id"

    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("psa.product", readonly=True)
    version_id = fields.Many2one("psa.product.version", readonly=True)
    module_ids = fields.Many2many(
        related="ticket_id.psa_module_ids",
        string="Modules",
        help="To filter on; group by the affected module.",
    )
    affected_module_id = fields.Many2one(
        "psa.product.module",
        string="Affected module",
        readonly=True,
        help="The module the ticket is about: grouped by it, a clock counts once.",
    )
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Assigned to", readonly=True)
    support_level = fields.Selection(SUPPORT_LEVELS, readonly=True)
    request_type = fields.Selection(REQUEST_TYPES, readonly=True)
    metric = fields.Selection(SLA_METRICS, readonly=True)
    cycle = fields.Integer(readonly=True, aggregator=False)
    priority = fields.Selection(
        PRIORITIES, readonly=True, help="Priority the target of the clock applied to."
    )
    status = fields.Selection(SLA_STATUSES, readonly=True)
    start_date = fields.Datetime(string="Started", readonly=True)
    end_date = fields.Datetime(string="Stopped", readonly=True)
    deadline = fields.Datetime(readonly=True)
    met = fields.Boolean(string="On time", readonly=True)
    breached = fields.Boolean(
        string="Late", readonly=True, help="Breached or met late."
    )
    clock_count = fields.Integer(string="Clocks", readonly=True)
    finished_count = fields.Integer(
        string="Decided",
        readonly=True,
        help="Clocks whose outcome is known: met, met late or breached.",
    )
    met_count = fields.Integer(string="Met", readonly=True)
    breached_count = fields.Integer(
        string="Breached or late", readonly=True, help="Breached or met late."
    )
    compliance_rate = fields.Float(
        string="Compliance (%)",
        aggregator="avg",
        digits=(16, 1),
        readonly=True,
        help="Met clocks over decided clocks (met, met late, breached).",
    )
    target_hours = fields.Float(string="Target (h)", readonly=True)
    consumed_hours = fields.Float(string="Consumed (h)", readonly=True)
    overrun_hours = fields.Float(string="Late by (h)", readonly=True)
    currency_id = fields.Many2one(
        "res.currency",
        string="Penalty currency",
        readonly=True,
        help="The contract's currency, in which the penalty is owed.",
    )
    penalty_amount = fields.Monetary(
        string="Penalty", readonly=True, groups="psa_helpdesk.group_psa_manager"
    )
    company_currency_id = fields.Many2one(
        "res.currency", string="Company currency", readonly=True
    )
    penalty_company_amount = fields.Monetary(
        string="Penalty (company currency)",
        currency_field="company_currency_id",
        readonly=True,
        groups="psa_helpdesk.group_psa_manager",
        help="The penalty in the currency of the clock's company, at the "
        "exchange rate of the day the clock stopped (today while it runs): "
        "the figure to add up across contracts in different currencies.",
    )

    _depends = {
        "psa.ticket.sla": [
            "ticket_id",
            "company_id",
            "partner_id",
            "team_id",
            "metric",
            "cycle",
            "priority",
            "status",
            "start_date",
            "end_date",
            "deadline",
            "target_hours",
            "consumed_hours",
            "overrun_hours",
            "penalty_amount",
            "currency_id",
        ],
        "res.currency.rate": ["rate", "name", "currency_id", "company_id"],
        "helpdesk.ticket": [
            "psa_product_id",
            "psa_version_id",
            "affected_module_id",
            "user_id",
            "support_level",
            "request_type",
        ],
        "res.company": ["currency_id", "parent_path"],
    }

    @property
    def _table_query(self):
        return SQL("%s %s", self._select(), self._from())

    def _select_id(self):
        return SQL("clock.id")

    def _select(self):
        return SQL(
            """
            SELECT
                %(id)s AS id,
                clock.ticket_id AS ticket_id,
                clock.company_id AS company_id,
                clock.partner_id AS partner_id,
                ticket.psa_product_id AS product_id,
                ticket.psa_version_id AS version_id,
                ticket.affected_module_id AS affected_module_id,
                clock.team_id AS team_id,
                ticket.user_id AS user_id,
                ticket.support_level AS support_level,
                ticket.request_type AS request_type,
                clock.metric AS metric,
                clock.cycle AS cycle,
                clock.priority AS priority,
                clock.status AS status,
                clock.start_date AS start_date,
                clock.end_date AS end_date,
                clock.deadline AS deadline,
                %(met)s AS met,
                %(missed)s AS breached,
                1 AS clock_count,
                CASE WHEN %(met)s OR %(missed)s THEN 1 ELSE 0 END AS finished_count,
                CASE WHEN %(met)s THEN 1 ELSE 0 END AS met_count,
                CASE WHEN %(missed)s THEN 1 ELSE 0 END AS breached_count,
                CASE WHEN %(met)s THEN 100.0 WHEN %(missed)s THEN 0.0 END
                    AS compliance_rate,
                clock.target_hours AS target_hours,
                clock.consumed_hours AS consumed_hours,
                clock.overrun_hours AS overrun_hours,
                clock.currency_id AS currency_id,
                clock.penalty_amount AS penalty_amount,
                company.currency_id AS company_currency_id,
                CASE
                    WHEN clock.penalty_amount IS NULL
                      OR clock.currency_id IS NULL
                      OR clock.currency_id = company.currency_id
                    THEN clock.penalty_amount
                    ELSE clock.penalty_amount
                        * %(company_rate)s / NULLIF(%(clock_rate)s, 0)
                END AS penalty_company_amount
            """,
            id=self._select_id(),
            company_rate=self._rate(SQL("company.currency_id")),
            clock_rate=self._rate(SQL("clock.currency_id")),
            met=SQL("clock.status IN %s", SLA_MET_STATUSES),
            missed=SQL("clock.status IN %s", SLA_MISSED_STATUSES),
        )

    def _rate(self, currency):
        """SQL: the rate of ``currency`` for the clock's company on the day
        the clock stopped (today while it runs), as ``res.currency._get_rates``
        picks it: the company's own rate (of its root company) before a
        shared one, the latest on or before the day, else the earliest,
        else 1."""
        scope = SQL(
            "rate.currency_id = %s AND (rate.company_id IS NULL OR "
            "rate.company_id = split_part(company.parent_path, '/', 1)::int)",
            currency,
        )
        return SQL(
            """COALESCE(
                (SELECT rate.rate FROM res_currency_rate rate
                  WHERE %(scope)s
                    AND rate.name <= COALESCE(
                        clock.end_date, NOW() AT TIME ZONE 'UTC')::date
                  ORDER BY rate.company_id, rate.name DESC LIMIT 1),
                (SELECT rate.rate FROM res_currency_rate rate
                  WHERE %(scope)s
                  ORDER BY rate.company_id, rate.name ASC LIMIT 1),
                1.0)""",
            scope=scope,
        )

    def _from(self):
        return SQL(
            """
            FROM psa_ticket_sla clock
            JOIN helpdesk_ticket ticket ON ticket.id = clock.ticket_id
            LEFT JOIN res_company company ON company.id = clock.company_id
            """
        )
