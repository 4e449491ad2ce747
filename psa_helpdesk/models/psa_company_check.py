# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A record used by records of its company stays in its company (SPEC §7).

``check_company=True`` checks one direction: the record that points (a
ticket) refuses a record of another company (a team). This mixin checks the
other one: the record pointed at (the team) refuses to move to another
company while records of its former company point at it through a
``check_company`` field: tickets, contracts, teams, policies, the companies'
support settings. One rule for every such model: the team, contract,
installation, SLA policy, service tier, calendar and stage."""

from odoo import models
from odoo.exceptions import UserError

# how many users of the record an error names
_NAMED = 3


class PsaCompanyCheckMixin(models.AbstractModel):
    _name = "psa.company.check.mixin"
    _description = "Record kept in the company of the records that use it"

    def write(self, vals):
        """Refuse to move records to another company while records of
        another company use them (``_psa_check_company_users``)."""
        if vals.get("company_id"):
            self._psa_check_company_users(
                self.env["res.company"].browse(vals["company_id"])
            )
        return super().write(vals)

    def _psa_company_user_fields(self):
        """The stored ``check_company`` many2one fields pointing at this
        model: ``[(model name, field name, company field name)]``; the
        company of a ``res.company`` record is itself (``id``)."""
        result = []
        for model_name in self.env.registry:
            Model = self.env[model_name]
            if Model._abstract or not Model._auto:
                continue
            if model_name == "res.company":
                company_field = "id"
            elif (
                "company_id" in Model._fields
                and Model._fields["company_id"].store
                and Model._fields["company_id"].type == "many2one"
            ):
                company_field = "company_id"
            else:
                continue
            for field in Model._fields.values():
                if (
                    field.type == "many2one"
                    and field.comodel_name == self._name
                    and field.check_company
                    and field.store
                    and not field.company_dependent
                ):
                    result.append((model_name, field.name, company_field))
        return result

    def _psa_check_company_users(self, company):
        """Before ``self`` moves to ``company``: no record of another company
        may point at one of ``self`` (a ticket of A at a team moving to B).
        Moving to no company (shared by all) is always allowed.

        :param company: ``res.company`` record, the new company
        :raise UserError: naming the record, its users (up to three per
            kind) and their company; nothing is changed"""
        moving = self.filtered(lambda r: r.company_id != company)
        if not moving:
            return
        for model_name, fname, company_field in self._psa_company_user_fields():
            # sudo: records of other companies, or that the user cannot read,
            # still use the record; only their names are shown
            Users = self.env[model_name].sudo().with_context(active_test=False)
            domain = [
                (fname, "in", moving.ids),
                (company_field, "!=", False),
                (company_field, "!=", company.id),
            ]
            if model_name == self._name:
                domain.append(("id", "not in", moving.ids))
            users = Users.search(domain, limit=_NAMED)
            if not users:
                continue
            record = users[:1][fname]
            owner = users[:1] if company_field == "id" else users[:1].company_id
            raise UserError(
                self.env._(
                    "%(record)s cannot move to %(company)s: %(model)s of "
                    "%(owner)s use it (%(users)s). Change them first, or "
                    "create a new record in %(company)s.",
                    record=record.sudo().display_name,
                    company=company.name,
                    model=Users._description,
                    owner=owner.name,
                    users=", ".join(users.mapped("display_name")),
                )
            )


class HelpdeskTicketTeam(models.Model):
    _name = "helpdesk.ticket.team"
    _inherit = ["helpdesk.ticket.team", "psa.company.check.mixin"]


class HelpdeskTicketStage(models.Model):
    _name = "helpdesk.ticket.stage"
    _inherit = ["helpdesk.ticket.stage", "psa.company.check.mixin"]


class PsaContract(models.Model):
    _name = "psa.contract"
    _inherit = ["psa.contract", "psa.company.check.mixin"]


class PsaInstallation(models.Model):
    _name = "psa.installation"
    _inherit = ["psa.installation", "psa.company.check.mixin"]


class PsaSlaPolicy(models.Model):
    _name = "psa.sla.policy"
    _inherit = ["psa.sla.policy", "psa.company.check.mixin"]


class PsaServiceTier(models.Model):
    _name = "psa.service.tier"
    _inherit = ["psa.service.tier", "psa.company.check.mixin"]


class ResourceCalendar(models.Model):
    _name = "resource.calendar"
    _inherit = ["resource.calendar", "psa.company.check.mixin"]
