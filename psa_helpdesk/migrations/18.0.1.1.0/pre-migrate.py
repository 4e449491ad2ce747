# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""18.0.1.1.0: the ticket history no longer stores the current segment.

Before, every ticket had one open segment per dimension (no end). Now the
start of the current segments is kept on the ticket (``psa_segment_since``)
and a segment is written when a segment ends. Move the starts of the open
segments onto their tickets, then delete the open segments, before the ORM
makes the segment end required."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "ALTER TABLE helpdesk_ticket ADD COLUMN IF NOT EXISTS psa_segment_since jsonb"
    )
    cr.execute(
        """
        UPDATE helpdesk_ticket ticket
           SET psa_segment_since = open_segments.since
          FROM (
                SELECT ticket_id,
                       jsonb_object_agg(
                           dimension, to_char(date_start, 'YYYY-MM-DD HH24:MI:SS')
                       ) AS since
                  FROM (
                        SELECT DISTINCT ON (ticket_id, dimension)
                               ticket_id, dimension, date_start
                          FROM psa_ticket_segment
                         WHERE date_end IS NULL
                         ORDER BY ticket_id, dimension, date_start DESC, id DESC
                  ) latest
                 GROUP BY ticket_id
          ) open_segments
         WHERE open_segments.ticket_id = ticket.id
        """
    )
    cr.execute("DELETE FROM psa_ticket_segment WHERE date_end IS NULL")
    _logger.info(
        "psa_helpdesk: %s open history segments moved to their tickets", cr.rowcount
    )
