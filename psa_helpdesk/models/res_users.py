# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
from contextlib import contextmanager

from odoo import api, models

# The answers of ``has_groups`` within a ``field_access_sweep`` block of this
# thread: ``{(user id, specification): bool}``; None outside such a block.
_SWEEP = threading.local()


@contextmanager
def field_access_sweep():
    """Within the block, ``res.users.has_groups`` answers each group
    specification of the current user once.

    For the loops of the ORM that check the access of many fields in a row
    (``check_field_access_rights``, the prefetch of ``_fetch_field``), where
    no group can change: the ticket's ~70 internal-only fields
    (``groups="base.group_user"``) asked the same question ~70 times per
    read, each two of Odoo's cached lookups. Nothing is remembered after the
    block, so a change of groups is seen by the next read, whatever the
    request does with Odoo's caches. Nested blocks share the outer one's
    answers."""
    if getattr(_SWEEP, "answers", None) is not None:
        yield
        return
    _SWEEP.answers = {}
    try:
        yield
    finally:
        _SWEEP.answers = None


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.readonly
    def has_groups(self, group_spec):
        """As ``res.users.has_groups`` (a boolean; ``group_spec`` is Odoo's
        comma-separated list of group xml ids, ``!`` for exclusions); within
        a ``field_access_sweep`` block, for the environment's own user,
        Odoo's answer computed once per specification. Other users and
        ``base.group_no_one`` (which depends on the debug mode of the
        request) always take Odoo's path."""
        answers = getattr(_SWEEP, "answers", None)
        if (
            answers is None
            or len(self) != 1
            or self.id != self.env.uid
            or "group_no_one" in group_spec
        ):
            return super().has_groups(group_spec)
        key = (self.id, group_spec)
        if key not in answers:
            answers[key] = super().has_groups(group_spec)
        return answers[key]
