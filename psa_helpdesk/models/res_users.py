# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.readonly
    def has_groups(self, group_spec):
        """As ``res.users.has_groups``; for the current user and the
        specification ``"base.group_user"`` alone, one cached membership
        check (``_has_group``) instead of Odoo's two (``has_group`` first
        checks that the current user may ask about this user, which the
        current user always may).

        Every read of a model checks the access of each field it reads, and
        each field with ``groups`` asks ``has_groups``: the ticket's
        internal-only fields (``groups="base.group_user"``, which portal users
        may not read) made it hundreds of calls per request. The answer is
        Odoo's (the user's groups, cached by Odoo and cleared when they
        change). Any other user or specification: Odoo's own path."""
        if (
            group_spec == "base.group_user"
            and len(self) == 1
            and self.id
            and self == self.env.user
        ):
            return self._has_group(group_spec)
        return super().has_groups(group_spec)
