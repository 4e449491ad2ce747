# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Open backlog: one row per open ticket (active, stage not closed), with its
age bucket. The age is measured against the server's current time, passed as
a parameter (not SQL ``now()``) so that it follows the ORM's clock."""

from odoo import fields, models
from odoo.tools import SQL

from ..const import (
    BACKLOG_AGE_BUCKETS,
    PRIORITIES,
    REQUEST_TYPES,
    SEVERITIES,
    SLA_STATUSES,
    SUPPORT_LEVELS,
)


class PsaBacklogReport(models.Model):
    _name = "psa.backlog.report"
    _description = "Open ticket backlog"
    _auto = False
    _order = "priority, create_date, id"
    _rec_name = "ticket_id"

    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("psa.product", readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Assigned to", readonly=True)
    stage_id = fields.Many2one("helpdesk.ticket.stage", readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    severity = fields.Selection(SEVERITIES, readonly=True)
    support_level = fields.Selection(SUPPORT_LEVELS, readonly=True)
    request_type = fields.Selection(REQUEST_TYPES, readonly=True)
    entitled = fields.Boolean(readonly=True)
    sla_status = fields.Selection(SLA_STATUSES, string="SLA", readonly=True)
    sla_deadline = fields.Datetime(string="SLA deadline", readonly=True)
    create_date = fields.Datetime(string="Opened", readonly=True)
    age_bucket = fields.Selection(
        [(key, label) for key, label, _days in BACKLOG_AGE_BUCKETS],
        string="Age",
        readonly=True,
    )
    age_days = fields.Float(string="Age (days)", aggregator="avg", readonly=True)
    ticket_count = fields.Integer(string="Tickets", readonly=True)

    _depends = {
        "helpdesk.ticket": [
            "active",
            "company_id",
            "commercial_partner_id",
            "psa_product_id",
            "team_id",
            "user_id",
            "stage_id",
            "psa_priority",
            "severity",
            "support_level",
            "request_type",
            "psa_entitled",
            "psa_sla_status",
            "psa_sla_deadline",
            "create_date",
        ],
        "helpdesk.ticket.stage": ["closed"],
    }

    @property
    def _table_query(self):
        age = SQL(
            "EXTRACT(EPOCH FROM (%s - ticket.create_date)) / 86400.0",
            fields.Datetime.now(),
        )
        bucket = SQL(
            "CASE %s ELSE %s END",
            SQL(" ").join(
                SQL("WHEN %s < %s THEN %s", age, days, key)
                for key, _label, days in BACKLOG_AGE_BUCKETS
                if days is not None
            ),
            BACKLOG_AGE_BUCKETS[-1][0],
        )
        return SQL(
            """
            SELECT
                ticket.id AS id,
                ticket.id AS ticket_id,
                ticket.company_id AS company_id,
                ticket.commercial_partner_id AS partner_id,
                ticket.psa_product_id AS product_id,
                ticket.team_id AS team_id,
                ticket.user_id AS user_id,
                ticket.stage_id AS stage_id,
                ticket.psa_priority AS priority,
                ticket.severity AS severity,
                ticket.support_level AS support_level,
                ticket.request_type AS request_type,
                ticket.psa_entitled AS entitled,
                ticket.psa_sla_status AS sla_status,
                ticket.psa_sla_deadline AS sla_deadline,
                ticket.create_date AS create_date,
                %(bucket)s AS age_bucket,
                %(age)s AS age_days,
                1 AS ticket_count
            FROM helpdesk_ticket ticket
            LEFT JOIN helpdesk_ticket_stage stage ON stage.id = ticket.stage_id
            WHERE ticket.active AND NOT COALESCE(stage.closed, FALSE)
            """,
            bucket=bucket,
            age=age,
        )
