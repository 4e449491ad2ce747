# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The configuration the SLA engine keeps in the registry's caches
(``tools.ormcache``) so that a request reads none of it: a calendar's working
time (``resource.calendar._psa_work_spans``: calendars, attendances, public
holidays), a policy's terms (``psa.sla.policy._psa_terms``: policies and
their targets), the closing and customer validation stages
(``helpdesk.ticket.stage``).

Each of those models takes ``psa.config.cache.mixin``: any create, write or
unlink of one of its records that touches the cached configuration
(``_psa_touches_cached_config``) clears the registry's caches, in this worker
and, at the end of the transaction, in the others (Odoo signals cache
invalidations through the database)."""

from odoo import api, models


class PsaConfigCacheMixin(models.AbstractModel):
    _name = "psa.config.cache.mixin"
    _description = "Configuration cached by the SLA engine"

    def _psa_touches_cached_config(self):
        """Whether these records are part of the cached configuration (all
        of them by default; a model narrows it, e.g. only public holidays
        among leaves)."""
        return bool(self)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if records._psa_touches_cached_config():
            self.env.registry.clear_cache()
        return records

    def write(self, vals):
        before = self._psa_touches_cached_config()
        res = super().write(vals)
        if before or self._psa_touches_cached_config():
            self.env.registry.clear_cache()
        return res

    def unlink(self):
        # also: a deleted stage leaves the pause stages of the policies
        before = self._psa_touches_cached_config()
        res = super().unlink()
        if before:
            self.env.registry.clear_cache()
        return res


class ResourceCalendar(models.Model):
    _name = "resource.calendar"
    _inherit = ["resource.calendar", "psa.config.cache.mixin"]


class ResourceCalendarAttendance(models.Model):
    _name = "resource.calendar.attendance"
    _inherit = ["resource.calendar.attendance", "psa.config.cache.mixin"]


class ResourceCalendarLeaves(models.Model):
    """Public holidays (leaves without a resource) count in the working time
    of the calendars of their company (``_psa_holiday_domain``); a person's
    leave (with a resource) in none of the SLA clocks, so changing it keeps
    the cache. Any public holiday of any company clears the cache of every
    calendar."""

    _name = "resource.calendar.leaves"
    _inherit = ["resource.calendar.leaves", "psa.config.cache.mixin"]

    def _psa_touches_cached_config(self):
        # sudo: whether a leave is a public holiday, whoever changes it
        return any(not leave.resource_id for leave in self.sudo())


class PsaSlaPolicy(models.Model):
    _name = "psa.sla.policy"
    _inherit = ["psa.sla.policy", "psa.config.cache.mixin"]


class PsaSlaPolicyTarget(models.Model):
    _name = "psa.sla.policy.target"
    _inherit = ["psa.sla.policy.target", "psa.config.cache.mixin"]


class HelpdeskTicketStage(models.Model):
    _name = "helpdesk.ticket.stage"
    _inherit = ["helpdesk.ticket.stage", "psa.config.cache.mixin"]
