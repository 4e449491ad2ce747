# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""18.0.1.2.0:

- closing stages say whether they solve the ticket. Before, a closing stage
  only said whether it asked for a resolution summary
  (``psa_resolution_required``); Cancelled and Rejected did not. Now a
  closing stage closes as *solved* or *not solved* (``psa_close_kind``,
  created as "solved"), which decides both the resolution summary and the
  SLA outcome: the closing stages that asked for no summary close as not
  solved. Clocks already finished are left as they are (finished clocks are
  never rewritten).
- the OCA stars of a ticket follow its priority P (they could be clicked to
  another value before)."""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["helpdesk.ticket"]._psa_align_stars()
    cr.execute(
        """
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'helpdesk_ticket_stage'
           AND column_name = 'psa_resolution_required'
        """
    )
    if not cr.fetchone():
        return
    cr.execute(
        """
        UPDATE helpdesk_ticket_stage
           SET psa_close_kind = 'not_solved'
         WHERE closed AND psa_resolution_required IS FALSE
        RETURNING id
        """
    )
    _logger.info(
        "Closing stages %s close as not solved", [row[0] for row in cr.fetchall()]
    )
