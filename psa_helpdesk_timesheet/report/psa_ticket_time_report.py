# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Time spent on tickets in the time per stage and level report.

psa_helpdesk's report measures how long tickets *stayed* in each stage and
at each level (history segments). With helpdesk_mgmt_timesheet, people log
the time they *spent* on a ticket (timesheet lines, ``ticket_id``). Each
timesheet line of a ticket becomes one row of dimension *Time spent*, with
its hours in ``timesheet_hours`` (the line's ``unit_amount``: hours, the
unit hr_timesheet keeps timesheets in), dated by its start
(``date_time`` of project_timesheet_time_control, else its date at 00:00
UTC), in the stage the ticket was in at that moment (the stage segment
covering it, else the ticket's current stage), for the ticket's team,
customer, product, priority and company. The segment rows keep their
figures and carry no time spent, so grouped by stage the pivot shows time
in the stage next to time spent in it.

Row ids: the rows of psa_helpdesk's query get ``2 × id``, the timesheet
rows ``2 × line id + 1``: unique and stable.
"""

from odoo import fields, models
from odoo.tools import SQL

# the columns of psa_helpdesk's report, in its order
BASE_COLUMNS = (
    "ticket_id",
    "company_id",
    "partner_id",
    "product_id",
    "dimension",
    "stage_id",
    "support_level",
    "team_id",
    "priority",
    "date_start",
    "date_end",
    "ongoing",
    "segment_count",
    "wall_hours",
    "business_hours",
    "avg_business_hours",
)


class PsaTicketTimeReport(models.Model):
    _inherit = "psa.ticket.time.report"

    # not stored (a SQL view): no cleanup on uninstall needed
    dimension = fields.Selection(selection_add=[("timesheet", "Time spent")])
    timesheet_hours = fields.Float(
        string="Time spent (h)",
        readonly=True,
        help="Hours logged on the ticket in timesheets (helpdesk_mgmt_timesheet), "
        "on the rows of dimension Time spent; 0 on the others.",
    )

    _depends = {
        "account.analytic.line": [
            "ticket_id",
            "unit_amount",
            "date",
            "date_time",
            "project_id",
        ],
    }

    @property
    def _table_query(self):
        base = super()._table_query
        columns = SQL(", ").join(
            SQL("base.%s", SQL.identifier(column)) for column in BASE_COLUMNS
        )
        return SQL(
            """
            SELECT base.id * 2 AS id, %(columns)s, 0.0 AS timesheet_hours
              FROM (%(base)s) base
            UNION ALL
            SELECT
                line.id * 2 + 1,
                ticket.id,
                ticket.company_id,
                ticket.commercial_partner_id,
                ticket.psa_product_id,
                'timesheet',
                COALESCE(stage_then.stage_id, ticket.stage_id),
                NULL,
                ticket.team_id,
                ticket.psa_priority,
                spent.start,
                NULL,
                FALSE,
                0,
                0.0,
                0.0,
                NULL,
                line.unit_amount
            FROM account_analytic_line line
            JOIN helpdesk_ticket ticket ON ticket.id = line.ticket_id
            CROSS JOIN LATERAL (
                SELECT COALESCE(line.date_time, line.date::timestamp) AS start
            ) spent
            LEFT JOIN LATERAL (
                -- the stage the ticket was in when the work started: a
                -- finished stage segment covering it, else its current one
                SELECT segment.stage_id
                  FROM psa_ticket_segment segment
                 WHERE segment.ticket_id = ticket.id
                   AND segment.dimension = 'stage'
                   AND segment.date_start <= spent.start
                   AND segment.date_end > spent.start
                 ORDER BY segment.date_start DESC, segment.id DESC
                 LIMIT 1
            ) stage_then ON TRUE
            WHERE line.project_id IS NOT NULL
            """,
            columns=columns,
            base=base,
        )
