# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deflection by the portal's guided new ticket (SPEC §8, §9, seed 05): the
published articles suggested to a customer before they submit, and how many
times a customer said one solved their request (no ticket was opened)."""

from odoo import fields, models
from odoo.tools import SQL


class DocumentPage(models.Model):
    _inherit = "document.page"

    psa_deflection_count = fields.Integer(
        string="Solved without a ticket",
        readonly=True,
        copy=False,
        default=0,
        groups="base.group_user",
        help="Times a customer, about to open a ticket on the portal, said "
        "this suggested article solved their request.",
    )

    def _psa_count_deflection(self):
        """Count one deflection on each article of ``self`` (one atomic SQL
        increment, safe under concurrent customers). The caller checks that
        the user may read the articles."""
        if not self:
            return
        self.env.execute_query(
            SQL(
                "UPDATE document_page SET psa_deflection_count = "
                "COALESCE(psa_deflection_count, 0) + 1 WHERE id IN %s",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["psa_deflection_count"])
