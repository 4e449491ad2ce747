# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models, tools


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.readonly
    def has_groups(self, group_spec):
        """As ``res.users.has_groups``, remembered per user and group
        specification for the current user.

        Every read of a model checks the access of each field it reads and
        each field with ``groups`` asks ``has_groups``: the ticket's
        internal-only fields (``groups="base.group_user"``, which portal
        users may not read) made it hundreds of calls per request. The
        answer is cached with the user's groups themselves (``ormcache`` of
        the registry, which Odoo clears whenever a user's groups or a
        group's implied groups change). Not cached: another user than the
        current one (Odoo restricts who may ask), a record not saved yet,
        and ``base.group_no_one``, which depends on the request's debug
        mode."""
        if (
            len(self) == 1
            and self.id
            and self == self.env.user
            and "base.group_no_one" not in group_spec
        ):
            return self._psa_has_groups(group_spec)
        return super().has_groups(group_spec)

    @tools.ormcache("self.id", "group_spec")
    def _psa_has_groups(self, group_spec):
        return super().has_groups(group_spec)
