# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA compliance per module: one row per SLA clock and module of its ticket.

A ticket has several modules (``helpdesk_ticket_psa_module_rel``); a clock
counts once in each of its modules, which is what "compliance of module X"
means. Clocks of tickets without modules get one row without module, so no
clock disappears. A total over several modules counts a clock once per
module: the totals of the SLA compliance report (``psa.sla.report``, one row
per clock) are the ones to quote; that is why the module dimension lives in
its own model instead of multiplying the rows of the main report.
"""

from odoo import fields, models
from odoo.tools import SQL


class PsaSlaModuleReport(models.Model):
    _name = "psa.sla.module.report"
    _inherit = "psa.sla.report"
    _description = "SLA compliance per module"
    _auto = False
    _order = "start_date desc, id desc"

    clock_id = fields.Many2one("psa.ticket.sla", string="SLA clock", readonly=True)
    module_id = fields.Many2one("psa.product.module", readonly=True)

    # merged with the depends of psa.sla.report
    _depends = {"helpdesk.ticket": ["psa_module_ids"]}

    def _select_id(self):
        # One row per clock and module: the clock id is no longer unique.
        # clock id × (highest module id + 1) + module id is, and unlike a
        # ROW_NUMBER() window it lets PostgreSQL push the report's filters
        # (company, dates, customer...) down to the indexed base tables.
        return SQL(
            """clock.id::bigint
                * (SELECT COALESCE(MAX(id), 0) + 1 FROM psa_product_module)
                + COALESCE(rel.module_id, 0)"""
        )

    def _select(self):
        return SQL(
            """
            %s,
                clock.id AS clock_id,
                rel.module_id AS module_id
            """,
            super()._select(),
        )

    def _from(self):
        return SQL(
            """
            %s
            LEFT JOIN helpdesk_ticket_psa_module_rel rel
                ON rel.ticket_id = clock.ticket_id
            """,
            super()._from(),
        )
