# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's rating next to SLA compliance.

helpdesk_mgmt_rating lets the customer rate a ticket; the ticket keeps its
last rating (``rating_last_value`` of ``rating.mixin``: 1 to 5, 0 while
not rated). Each row of the SLA compliance report (one per clock, and so
of ``psa.sla.module.report``, which extends it) carries its ticket's last
rating:

- ``rating``: the rating, NULL while not rated, so that its average in any
  pivot cell is the average of the rated tickets' clocks (SQL's ``AVG``
  skips NULLs, as for ``compliance_rate``);
- ``rating_text``: satisfied (4-5), okay (3), dissatisfied (1-2), not rated,
  the thresholds of Odoo's ``rating`` addon, to group by;
- ``rated_count``: 1 when rated.

Grouped by status or *On time* / *Late*, the pivot shows how satisfied the
customers of the tickets whose targets were met or missed are.
"""

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.rating.models.rating_data import (
    RATING_LIMIT_MIN,
    RATING_LIMIT_OK,
    RATING_LIMIT_SATISFIED,
    RATING_TEXT,
)


class PsaSlaReport(models.Model):
    _inherit = "psa.sla.report"

    rating = fields.Float(
        string="Customer rating",
        aggregator="avg",
        digits=(16, 2),
        readonly=True,
        help="The last rating the customer gave the ticket (1 to 5); empty "
        "while not rated, so the average counts rated tickets only.",
    )
    rating_text = fields.Selection(
        RATING_TEXT, string="Customer satisfaction", readonly=True
    )
    rated_count = fields.Integer(string="Rated", readonly=True)

    _depends = {"helpdesk.ticket": ["rating_last_value"]}

    def _select(self):
        value = SQL("ticket.rating_last_value")
        return SQL(
            """
            %(select)s,
                CASE WHEN %(value)s >= %(min)s THEN %(value)s END AS rating,
                CASE
                    WHEN %(value)s >= %(top)s THEN 'top'
                    WHEN %(value)s >= %(ok)s THEN 'ok'
                    WHEN %(value)s >= %(min)s THEN 'ko'
                    ELSE 'none'
                END AS rating_text,
                CASE WHEN %(value)s >= %(min)s THEN 1 ELSE 0 END AS rated_count
            """,
            select=super()._select(),
            value=value,
            min=RATING_LIMIT_MIN,
            ok=RATING_LIMIT_OK,
            top=RATING_LIMIT_SATISFIED,
        )
