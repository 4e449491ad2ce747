# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.readonly
    def has_groups(self, group_spec):
        """As ``res.users.has_groups``; for the current user and the
        specification ``"base.group_user"`` alone, answered from the user's
        ``share`` flag (which Odoo computes from the same group membership)
        instead of the group tables.

        Every read of a model checks the access of each field it reads, and
        each field with ``groups`` asks ``has_groups``: the ticket's
        internal-only fields (``groups="base.group_user"``, which portal users
        may not read) made it hundreds of calls per request, each looking up
        the group definitions and the user's groups. ``share`` is read once
        per request and recomputed by Odoo when the user's groups change.
        Any other user or specification: Odoo's answer."""
        if (
            group_spec == "base.group_user"
            and len(self) == 1
            and self.id
            and self == self.env.user
        ):
            return not self.share
        return super().has_groups(group_spec)
