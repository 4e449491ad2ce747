# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Install-time initialisation."""


def post_init_hook(env):
    """Tickets that existed before psa_helpdesk start their history now."""
    env["helpdesk.ticket"]._psa_init_segment_since()
