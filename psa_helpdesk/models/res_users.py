# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import weakref

from odoo import api, models, tools

# Per environment (one request, one user, one context), the answers of
# ``has_groups`` for the environment's own user: ``{spec: (state, bool)}``.
# Weak keys: the memo goes with the environment at the end of the request.
_HAS_GROUPS_MEMO = weakref.WeakKeyDictionary()


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.readonly
    def has_groups(self, group_spec):
        """As ``res.users.has_groups`` (a boolean; ``group_spec`` is Odoo's
        comma-separated list of group xml ids, ``!`` for exclusions), with
        the answers for the environment's own user remembered for the
        environment, that is for one request.

        Every read of a model checks each field it reads, and each field with
        ``groups`` asks ``has_groups``: the ticket's internal-only fields
        (``groups="base.group_user"``, which portal users may not read) made
        it hundreds of calls per request, each two of Odoo's cached lookups
        (``_get_group_definitions`` and ``_get_group_ids``, whose call alone
        costs more than the answer).

        The answer is Odoo's, computed once per specification and request.
        It is not remembered, and Odoo answers every call, while the
        request has cleared Odoo's caches (``registry.cache_invalidated``:
        a change of groups or of a user's groups clears them) or after it
        signalled them to other processes (``registry.cache_sequences``),
        or once Odoo's cache of the users' groups was cleared since
        (``_psa_groups_generation``): a request that cancels its cache
        changes (``registry.reset_changes``, as ``load`` does after an error
        row) clears that cache without signalling, and keeps the changes of
        groups it made before.
        Other users and ``base.group_no_one`` (which depends on the debug
        mode of the request) always take Odoo's path."""
        env = self.env
        registry = env.registry
        if (
            len(self) != 1
            or self.id != env.uid
            or registry.cache_invalidated
            or "group_no_one" in group_spec
        ):
            return super().has_groups(group_spec)
        state = (
            self._psa_groups_generation(),
            registry.cache_sequences.get("default"),
            registry.cache_sequences.get("groups"),
        )
        memo = _HAS_GROUPS_MEMO.get(env)
        if memo is None:
            memo = _HAS_GROUPS_MEMO[env] = {}
        known = memo.get(group_spec)
        if known is not None and known[0] == state:
            return known[1]
        result = super().has_groups(group_spec)
        memo[group_spec] = (state, result)
        return result

    @api.model
    @tools.ormcache()
    def _psa_groups_generation(self):
        """A new object each time Odoo's ``default`` caches are cleared,
        those of the users' groups (``_get_group_ids``) among them: by any
        change of groups or of a user's groups, by another process's signal,
        and by a request cancelling its cache changes
        (``registry.reset_changes``), which neither leaves the cache
        flagged nor signals it. The answers remembered by ``has_groups`` are
        valid while it is the same object."""
        return object()
