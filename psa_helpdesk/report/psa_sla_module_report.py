# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA compliance per module: one row per SLA clock, grouped by the module
its ticket is about (``affected_module_id``, issue 17), not by the modules
installed (a ticket has several: each clock would count once per installed
module, in modules the request was not about). Clocks of tickets without an
affected module are in a group without module, so no clock disappears; the
totals are those of the SLA compliance report (``psa.sla.report``).
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
    module_id = fields.Many2one(
        "psa.product.module",
        readonly=True,
        help="The module the ticket is about (its affected module).",
    )

    # merged with the depends of psa.sla.report
    _depends = {"helpdesk.ticket": ["affected_module_id"]}

    def _select(self):
        return SQL(
            """
            %s,
                clock.id AS clock_id,
                ticket.affected_module_id AS module_id
            """,
            super()._select(),
        )
