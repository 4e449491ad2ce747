# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket's company (SPEC §7): everything a ticket points at belongs to
its company, and the company comes from its team.

- Every psa relation of the ticket is company-checked (``_check_company_auto``
  and ``check_company=True``): contract, installation, SLA policy, team,
  development project and task, problem ticket. Its support calendar comes
  from its contract, policy or company (``_psa_support_calendar``), all of
  the ticket's company. Its stage and the ticket it duplicates are of its
  company (or shared); its assignee and account leader work in its company,
  the assignee is an internal user (``_check_users_company``,
  ``_check_links_company``).
- A new ticket takes the company of its team, whatever the channel (form,
  RPC, portal, email alias: the alias names the team), *before* the steps
  that look up its installation and contract and route it
  (``_psa_prepare_company``); without a team (or with a team shared by all
  companies), the company given, else the default one.
- A ticket never moves to another company: a team of another company, or
  another company, is refused with a clear error
  (``_psa_check_company_write``). Its contract, installation, policy and
  clocks are evidence of the company that served it; to hand a case over,
  open a ticket in the other company.

Pipeline steps (called by ``helpdesk_ticket.py``, nowhere else):
``_psa_prepare_company`` (create) and ``_psa_check_company_write`` (write)."""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"
    _check_company_auto = True

    team_id = fields.Many2one(check_company=True)
    project_id = fields.Many2one(check_company=True)
    task_id = fields.Many2one(check_company=True)

    @api.model
    def default_get(self, fields_list):
        """helpdesk_mgmt's auto-assignment makes the current user the
        assignee, including a portal user whose email or portal form opens
        the ticket: never a portal or share user."""
        defaults = super().default_get(fields_list)
        user = self.env["res.users"].browse(defaults.get("user_id") or [])
        # sudo: whether a user is internal is configuration
        if user and user.sudo().share:
            defaults["user_id"] = False
        return defaults

    def _check_company(self, fnames=None):
        """Odoo's company check of ``check_company`` fields
        (``_check_company_auto``), one pass per company and field for a
        batch: the records the tickets of a company link through a field are
        matched against that company's domain together, once, where Odoo
        filters each ticket's own (a batch of 100 tickets created from the
        mail gateway or over RPC: 100 times per field). The rule is Odoo's,
        the domain depends on the company alone, so the batch passes exactly
        when each ticket would. A batch that does not pass, or one with a
        company-dependent field, goes through Odoo's check, which raises its
        usual error.

        :raise UserError: (Odoo's) a ticket links a record of another company"""
        if len(self) < 2:
            return super()._check_company(fnames)
        if fnames is None or {"company_id", "company_ids"} & set(fnames):
            fnames = list(self._fields)
        checked = [
            self._fields[fname]
            for fname in fnames
            if self._fields[fname].relational and self._fields[fname].check_company
        ]
        if any(field.company_dependent for field in checked):
            return super()._check_company(fnames)
        # sudo: the tickets' companies and the linked records are matched
        # whoever may read them, as Odoo's check does
        tickets = self.sudo()
        by_company = {}
        for ticket in tickets:
            by_company.setdefault(ticket.company_id, []).append(ticket.id)
        for company, ids in by_company.items():
            batch = tickets.browse(ids)
            for field in checked:
                linked = batch[field.name]
                if not linked:
                    continue
                domain = linked._check_company_domain(company)
                if domain and linked != linked.with_context(
                    active_test=False
                ).filtered_domain(domain):
                    return super()._check_company(fnames)
        return None

    @api.constrains("user_id", "psa_account_leader_id", "company_id")
    def _check_users_company(self):
        """The ticket's people work in its company, whatever the channel
        (form, RPC, Escalate, mail gateway): its assignee is an internal user
        and, like its account leader, works in the ticket's company (one of
        their allowed companies). A constraint of its own, apart from
        ``_check_links_company``: a stage change reads no user's companies.

        :raise ValidationError: naming the ticket, the user and the company"""
        # sudo: users' companies are compared, only their names are shown
        for ticket in self.sudo():
            company = ticket.company_id
            if ticket.user_id.share:
                raise ValidationError(
                    self.env._(
                        "%(user)s is not an internal user and cannot be the "
                        "assignee of ticket %(ticket)s.",
                        user=ticket.user_id.name,
                        ticket=ticket.display_name,
                    )
                )
            for fname in ("user_id", "psa_account_leader_id"):
                user = ticket[fname]
                if user and company not in user.company_ids:
                    raise ValidationError(
                        self.env._(
                            "%(user)s does not work in %(company)s and cannot be "
                            "the %(role)s of its ticket %(ticket)s.",
                            user=user.name,
                            company=company.name,
                            role=self._fields[fname].string,
                            ticket=ticket.display_name,
                        )
                    )

    @api.constrains("stage_id", "duplicate_id", "company_id")
    def _check_links_company(self):
        """The ticket's stage and the ticket it duplicates are of its company
        (or shared by all companies), whatever the channel.

        :raise ValidationError: naming the ticket, the link and the company"""
        # sudo: stages and tickets of other companies are compared, only
        # their names are shown
        for ticket in self.sudo():
            company = ticket.company_id
            for fname in ("stage_id", "duplicate_id"):
                other = ticket[fname].company_id
                if other and other != company:
                    raise ValidationError(
                        self.env._(
                            "Ticket %(ticket)s belongs to %(company)s: its "
                            "%(field)s %(record)s is of %(other)s.",
                            ticket=ticket.display_name,
                            company=company.name,
                            field=self._fields[fname].string,
                            record=ticket[fname].display_name,
                            other=other.name,
                        )
                    )

    @api.depends("user_id")
    def _compute_team_id(self):
        """helpdesk_mgmt gives a ticket without team its assignee's first
        team; here the first one of the ticket's company (or shared by all
        companies), never a team of another company. Replaces
        helpdesk_mgmt's rule (no ``super``)."""
        for ticket in self:
            if ticket.team_id or not ticket.user_id:
                continue
            teams = ticket.user_id.helpdesk_team_ids.filtered(
                lambda t, company=ticket.company_id: (
                    not t.company_id or t.company_id == company
                )
            )
            ticket.team_id = teams[:1]

    @api.model
    def _psa_prepare_company(self, vals_list):
        """Create step, first: set ``company_id`` in each of ``vals_list``
        (edited in place) to the company the ticket will have, so that the
        later steps look up installations and contracts and read the
        routing settings of that company, never of the user's session:

        the company of the team when it has one (as helpdesk_mgmt sets it on
        insert; the team of the values, else ``default_team_id`` of the
        context), else the company given, else the default company (the
        ``default_company_id`` of the context, else the current company).
        The default assignee (helpdesk_mgmt's auto-assignment) is dropped
        when it does not work in that company."""
        Team = self.env["helpdesk.ticket.team"]
        default = None
        # a team given by the context (``default_team_id``) is the team
        # create will give the ticket
        default_team = self.env.context.get("default_team_id")
        default_user = None
        for vals in vals_list:
            team = Team.browse(vals.get("team_id", default_team) or [])
            if team.company_id:
                vals["company_id"] = team.company_id.id
            elif not vals.get("company_id"):
                if default is None:
                    defaults = self.default_get(["company_id"])
                    default = defaults.get("company_id") or self.env.company.id
                vals["company_id"] = default
            if "user_id" not in vals:
                # helpdesk_mgmt's auto-assignment (default_get) gives the
                # current user: none who does not work in the ticket's
                # company (the mail gateway's user, an agent of another
                # company tagging the ticket)
                if default_user is None:
                    default_user = self.env["res.users"].browse(
                        self.default_get(["user_id"]).get("user_id") or []
                    )
                # sudo: a user's companies are configuration
                if default_user and vals["company_id"] not in (
                    default_user.sudo().company_ids.ids
                ):
                    vals["user_id"] = False

    @api.onchange("team_id")
    def _onchange_team_company(self):
        """On a new ticket, choosing a team of another company makes the
        ticket that company's (as saving it would). A saved ticket keeps its
        company: saving a team of another company is refused
        (``_psa_check_company_write``)."""
        company = self.team_id.company_id
        if company and company != self.company_id and not self._origin.id:
            self.company_id = company
            self._onchange_company_records()

    @api.onchange("company_id")
    def _onchange_company_records(self):
        """On a new ticket, another company drops the team and the
        installation of the former one (the customer's installation in the
        new company is preselected)."""
        if self._origin.id:
            return
        company = self.company_id
        if self.team_id.company_id and self.team_id.company_id != company:
            self.team_id = False
        if self.installation_id and self.installation_id.company_id != company:
            self.installation_id = False
            self._onchange_partner_installation()

    def _psa_check_company_write(self, vals):
        """Write step, before the update: a ticket stays in its company.

        :raise UserError: ``vals`` move a ticket of ``self`` to a team of
            another company, or to another company; nothing is changed"""
        if "team_id" not in vals and "company_id" not in vals:
            return
        Team = self.env["helpdesk.ticket.team"]
        Company = self.env["res.company"]
        for ticket in self:
            team = Team.browse(vals["team_id"]) if "team_id" in vals else None
            company = (
                Company.browse(vals["company_id"])
                if vals.get("company_id")
                else ticket.company_id
            )
            if company != ticket.company_id:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s belongs to %(company)s and cannot move "
                        "to %(other)s: its contract, installation and SLA clocks "
                        "are those of its company. Open a new ticket in "
                        "%(other)s instead.",
                        ticket=ticket.display_name,
                        company=ticket.company_id.name,
                        other=company.name,
                    )
                )
            if team and team.company_id and team.company_id != ticket.company_id:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s belongs to %(company)s and cannot move "
                        "to team %(team)s of %(other)s: its contract, "
                        "installation and SLA clocks are those of its company. "
                        "Choose a team of %(company)s, or open a new ticket in "
                        "%(other)s.",
                        ticket=ticket.display_name,
                        company=ticket.company_id.name,
                        team=team.display_name,
                        other=team.company_id.name,
                    )
                )
