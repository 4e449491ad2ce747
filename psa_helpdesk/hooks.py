# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Install-time initialisation."""


def post_init_hook(env):
    """Tickets that existed before psa_helpdesk start their history now, and
    their stars follow their priority P."""
    Ticket = env["helpdesk.ticket"]
    Ticket._psa_init_segment_since()
    Ticket._psa_align_stars()
