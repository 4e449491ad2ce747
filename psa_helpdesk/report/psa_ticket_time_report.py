# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Time per stage and per support level, from the ticket history segments.

``psa.ticket.segment`` already measures every finished segment a ticket
spent in a stage or at a level (wall clock and business hours, written when
the segment ends). This report reads the stage and level segments, adds the
current segments (the ticket's stage and level, since its
``psa_segment_since``) and what the segments do not carry: the support level
as a selection (the segment keeps it as text), the team that held the ticket
when the segment began (from the team segments, falling back to the ticket's
team) and the ticket's priority.
"""

from odoo import fields, models
from odoo.tools import SQL

from ..const import PRIORITIES, SUPPORT_LEVELS


class PsaTicketTimeReport(models.Model):
    _name = "psa.ticket.time.report"
    _description = "Time per stage and support level"
    _auto = False
    _order = "date_start desc, id desc"
    _rec_name = "ticket_id"

    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("psa.product", readonly=True)
    dimension = fields.Selection(
        [("stage", "Stage"), ("level", "Support level")], readonly=True
    )
    stage_id = fields.Many2one("helpdesk.ticket.stage", readonly=True)
    support_level = fields.Selection(SUPPORT_LEVELS, readonly=True)
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        readonly=True,
        help="Team that held the ticket when the segment began.",
    )
    priority = fields.Selection(PRIORITIES, readonly=True)
    date_start = fields.Datetime(string="Start", readonly=True)
    date_end = fields.Datetime(string="End", readonly=True)
    ongoing = fields.Boolean(
        readonly=True, help="Not finished yet: its hours are written when it ends."
    )
    segment_count = fields.Integer(string="Segments", readonly=True)
    wall_hours = fields.Float(string="Hours (wall clock)", readonly=True)
    business_hours = fields.Float(string="Business hours", readonly=True)
    avg_business_hours = fields.Float(
        string="Average business hours", aggregator="avg", readonly=True
    )

    _depends = {
        "psa.ticket.segment": [
            "ticket_id",
            "company_id",
            "commercial_partner_id",
            "psa_product_id",
            "dimension",
            "value_key",
            "stage_id",
            "team_id",
            "date_start",
            "date_end",
            "wall_hours",
            "business_hours",
        ],
        "helpdesk.ticket": [
            "company_id",
            "commercial_partner_id",
            "psa_product_id",
            "stage_id",
            "support_level",
            "team_id",
            "psa_priority",
            "psa_segment_since",
            "create_date",
        ],
    }

    @property
    def _table_query(self):
        # Ids: 3 × segment id for the finished segments, 3 × ticket id + 1
        # and + 2 for the stage and level current segments (not stored,
        # their start is the ticket's psa_segment_since): unique and stable.
        return SQL(
            """
            WITH history AS (
                SELECT
                    segment.id * 3 AS id,
                    segment.ticket_id,
                    segment.company_id,
                    segment.commercial_partner_id AS partner_id,
                    segment.psa_product_id AS product_id,
                    segment.dimension,
                    segment.stage_id,
                    CASE WHEN segment.dimension = 'level' THEN segment.value_key END
                        AS support_level,
                    segment.date_start,
                    segment.date_end,
                    FALSE AS ongoing,
                    segment.wall_hours,
                    segment.business_hours
                FROM psa_ticket_segment segment
                WHERE segment.dimension IN ('stage', 'level')
                UNION ALL
                SELECT
                    ticket.id * 3 + current.rank,
                    ticket.id,
                    ticket.company_id,
                    ticket.commercial_partner_id,
                    ticket.psa_product_id,
                    current.dimension,
                    current.stage_id,
                    current.support_level,
                    COALESCE(
                        (ticket.psa_segment_since ->> current.dimension)::timestamp,
                        ticket.create_date
                    ),
                    NULL,
                    TRUE,
                    0.0,
                    0.0
                FROM helpdesk_ticket ticket
                CROSS JOIN LATERAL (
                    VALUES
                        (1, 'stage', ticket.stage_id, NULL::varchar),
                        (2, 'level', NULL::integer, ticket.support_level)
                ) AS current(rank, dimension, stage_id, support_level)
                WHERE current.stage_id IS NOT NULL
                   OR current.support_level IS NOT NULL
            )
            SELECT
                history.id AS id,
                history.ticket_id AS ticket_id,
                history.company_id AS company_id,
                history.partner_id AS partner_id,
                history.product_id AS product_id,
                history.dimension AS dimension,
                history.stage_id AS stage_id,
                history.support_level AS support_level,
                COALESCE(held_by.team_id, ticket.team_id) AS team_id,
                ticket.psa_priority AS priority,
                history.date_start AS date_start,
                history.date_end AS date_end,
                history.ongoing AS ongoing,
                1 AS segment_count,
                history.wall_hours AS wall_hours,
                history.business_hours AS business_hours,
                history.business_hours AS avg_business_hours
            FROM history
            JOIN helpdesk_ticket ticket ON ticket.id = history.ticket_id
            LEFT JOIN LATERAL (
                -- the team that held the ticket when the segment began: a
                -- finished team segment covering that time, else the
                -- ticket's team (the team current segment)
                SELECT team_segment.team_id
                  FROM psa_ticket_segment team_segment
                 WHERE team_segment.ticket_id = history.ticket_id
                   AND team_segment.dimension = 'team'
                   AND team_segment.date_start <= history.date_start
                   AND team_segment.date_end > history.date_start
                 ORDER BY team_segment.date_start DESC, team_segment.id DESC
                 LIMIT 1
            ) held_by ON TRUE
            """
        )
