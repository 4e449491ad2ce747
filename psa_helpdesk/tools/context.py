# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Context helpers."""

from odoo.tools.misc import clean_context


def without_defaults(records):
    """``records`` with the caller's context minus its ``default_*`` keys
    (and the other keys ``clean_context`` drops): for records whose values
    must all come from the action creating them (audit rows, SLA clocks,
    history segments), never from the request's context (SPEC §7)."""
    return records.with_env(records.env(context=clean_context(records.env.context)))
