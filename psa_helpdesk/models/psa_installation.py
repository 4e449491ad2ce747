# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import ENVIRONMENTS
from ..tools.context import without_defaults


class PsaInstallation(models.Model):
    """What one customer runs: a product, in a version, in an environment."""

    _name = "psa.installation"
    _description = "Customer installation"
    _inherit = ["mail.thread", "mail.activity.mixin", "psa.system.fields.mixin"]
    _order = "partner_id, product_id, environment"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id.name", "product_id.code"]
    # derived from the customer, product, version, environment and
    # customisations
    _psa_system_fields = ("name", "is_customized")

    name = fields.Char(compute="_compute_name", store=True, index="trigram")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('is_company', '=', True)]",
        help="The customer company that runs this installation.",
    )
    product_id = fields.Many2one(
        "psa.product",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    version_id = fields.Many2one(
        "psa.product.version",
        required=True,
        index=True,
        tracking=True,
        domain="[('product_id', '=', product_id)]",
    )
    version_support_state = fields.Selection(
        related="version_id.support_state", string="Version support"
    )
    environment = fields.Selection(
        ENVIRONMENTS, required=True, default="production", tracking=True
    )
    module_ids = fields.Many2many(
        "psa.product.module",
        "psa_installation_module_rel",
        "installation_id",
        "module_id",
        string="Installed modules",
        domain="[('product_id', '=', product_id)]",
    )
    customization_ids = fields.One2many(
        "psa.installation.customization",
        "installation_id",
        string="Customised modules",
    )
    customized_module_ids = fields.Many2many(
        "psa.product.module",
        compute="_compute_customized_module_ids",
        string="Customised",
    )
    is_customized = fields.Boolean(
        compute="_compute_is_customized", store=True, string="Customised?"
    )
    go_live_date = fields.Date(tracking=True)
    notes = fields.Html()
    history_ids = fields.One2many(
        "psa.installation.history", "installation_id", string="Version history"
    )
    # Access details to the customer's servers: only the server access group.
    server_host = fields.Char(
        string="Server address",
        groups="psa_helpdesk.group_psa_server_access",
    )
    server_access_details = fields.Text(
        groups="psa_helpdesk.group_psa_server_access",
        help="VPN, users, passwords or keys needed to reach the customer's "
        "servers. Only members of 'Server access details' can read it.",
    )
    ticket_ids = fields.One2many("helpdesk.ticket", "installation_id", "Tickets")
    ticket_count = fields.Integer(compute="_compute_ticket_count")
    open_ticket_count = fields.Integer(compute="_compute_ticket_count")

    def _psa_label(self, env_labels):
        """ "Customer · PRODUCT version · Environment", the environment named
        with ``env_labels``."""
        self.ensure_one()
        parts = [
            self.partner_id.name,
            " ".join(p for p in (self.product_id.code, self.version_id.name) if p),
            env_labels.get(self.environment),
        ]
        return " · ".join(p for p in parts if p)

    @api.depends("partner_id.name", "product_id.code", "version_id.name", "environment")
    def _compute_name(self):
        # Stored for search: the environment in English, whoever saves it
        english = self.with_context(lang="en_US").env
        env_labels = dict(self._fields["environment"]._description_selection(english))
        for inst in self:
            inst.name = inst._psa_label(env_labels)

    @api.depends("name")
    @api.depends_context("lang")
    def _compute_display_name(self):
        # Shown in the reader's language
        env_labels = dict(self._fields["environment"]._description_selection(self.env))
        for inst in self:
            inst.display_name = inst._psa_label(env_labels)

    @api.depends("customization_ids.module_id")
    def _compute_customized_module_ids(self):
        for inst in self:
            inst.customized_module_ids = inst.customization_ids.module_id

    @api.depends("customization_ids")
    def _compute_is_customized(self):
        for inst in self:
            inst.is_customized = bool(inst.customization_ids)

    def _compute_ticket_count(self):
        Ticket = self.env["helpdesk.ticket"]
        domain = [("installation_id", "in", self.ids)]
        total = dict(Ticket._read_group(domain, ["installation_id"], ["__count"]))
        opened = dict(
            Ticket._read_group(
                domain + [("stage_id.closed", "=", False)],
                ["installation_id"],
                ["__count"],
            )
        )
        for inst in self:
            inst.ticket_count = total.get(inst, 0)
            inst.open_ticket_count = opened.get(inst, 0)

    @api.constrains("product_id", "version_id", "module_ids")
    def _check_product_consistency(self):
        for inst in self:
            if inst.version_id.product_id != inst.product_id:
                raise ValidationError(
                    self.env._(
                        "Version %(version)s belongs to %(other)s, not to %(product)s.",
                        version=inst.version_id.name,
                        other=inst.version_id.product_id.display_name,
                        product=inst.product_id.display_name,
                    )
                )
            wrong = inst.module_ids.filtered(
                lambda m, product=inst.product_id: m.product_id != product
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "Module(s) %(modules)s do not belong to %(product)s.",
                        modules=", ".join(wrong.mapped("display_name")),
                        product=inst.product_id.display_name,
                    )
                )

    @api.constrains("partner_id", "product_id", "environment", "active", "company_id")
    def _check_unique_per_environment(self):
        """One active installation per customer, product and environment *in
        each company*: a customer shared by companies may run a product in
        production for each of them (SPEC §7).

        :raise ValidationError: naming the customer, product, environment and
            company"""
        active = self.filtered("active")
        if not active:
            return
        # sudo: the duplicate may be in a company the user does not work in
        # today, or hidden by a record rule; only counts are read
        groups = (
            self.sudo()
            .with_context(active_test=True)
            ._read_group(
                [
                    ("partner_id", "in", active.partner_id.ids),
                    ("product_id", "in", active.product_id.ids),
                    ("company_id", "in", active.company_id.ids),
                ],
                ["partner_id", "product_id", "environment", "company_id"],
                ["__count"],
            )
        )
        env_labels = dict(self._fields["environment"]._description_selection(self.env))
        for partner, product, environment, company, count in groups:
            if count > 1:
                raise ValidationError(
                    self.env._(
                        "%(customer)s already has an installation of %(product)s "
                        "in %(environment)s in %(company)s. Update that "
                        "installation instead of creating another one.",
                        customer=partner.display_name,
                        product=product.display_name,
                        environment=env_labels.get(environment),
                        company=company.display_name,
                    )
                )

    @api.constrains("partner_id")
    def _check_partner_is_company(self):
        for inst in self:
            if inst.partner_id != inst.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "An installation belongs to a customer company: use "
                        "%(company)s instead of its contact %(contact)s.",
                        company=inst.partner_id.commercial_partner_id.display_name,
                        contact=inst.partner_id.display_name,
                    )
                )

    @api.onchange("product_id")
    def _onchange_product_id(self):
        if self.version_id.product_id != self.product_id:
            self.version_id = self.product_id.latest_version_id
        self.module_ids = self.module_ids.filtered(
            lambda m: m.product_id == self.product_id
        )

    def write(self, vals):
        if "version_id" not in vals:
            return super().write(vals)
        new_version = self.env["psa.product.version"].browse(vals["version_id"])
        changed = self.filtered(lambda i: i.version_id != new_version)
        old_versions = {inst.id: inst.version_id.id for inst in changed}
        result = super().write(vals)
        changed._log_version_change(old_versions)
        return result

    def _log_version_change(self, old_versions):
        """Write one history line per installation whose version changed:
        the version change owns the history, whoever makes it.

        ``old_versions`` maps installation ids to their previous version id.
        Who and when are the current user and now, never values of the
        request. Returns the new lines."""
        now = fields.Datetime.now()
        # sudo: the history is append-only, so no user has a create right on
        # it; the caller already passed the write check on the installations
        # (or is the upgrade delivery, which checked who may deliver).
        # No default_* key of the caller's context (a project, an author)
        # reaches the history either.
        return without_defaults(self.env["psa.installation.history"].sudo()).create(
            [
                {
                    "installation_id": inst.id,
                    "from_version_id": old_versions.get(inst.id),
                    "to_version_id": inst.version_id.id,
                    "user_id": self.env.user.id,
                    "date": now,
                }
                for inst in self
            ]
        )

    def _psa_deliver_upgrade(self, project):
        """Move the installation to the target version of ``project``, its
        upgrade project, and name the project in the version history.

        Called by the upgrade delivery
        (``project.project.action_psa_deliver_upgrade``) once it has checked
        that the user may deliver; nothing else records a project in the
        history."""
        self.ensure_one()
        target = project.psa_target_version_id
        if project.psa_installation_id != self or not target:
            raise UserError(
                self.env._(
                    "Project %(project)s is not an upgrade project of "
                    "%(installation)s: its version history cannot name it.",
                    project=project.display_name,
                    installation=self.display_name,
                )
            )
        # sudo: the history is read, and its line of this change named, by
        # the application only.
        History = self.env["psa.installation.history"].sudo()
        domain = [("installation_id", "=", self.id)]
        last = History.search(domain, order="id desc", limit=1).id or 0
        # sudo: delivering is the implementation team's job, yet
        # installations are edited by support analysts only.
        self.sudo().write({"version_id": target.id})
        # the line the version change just wrote (none when the installation
        # already ran the target), which only the delivery knows came from
        # this project
        History.search(domain + [("id", ">", last)]).write({"project_id": project.id})

    @api.model_create_multi
    def create(self, vals_list):
        installations = super().create(vals_list)
        installations._log_version_change({})
        return installations

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("installation_id", "=", self.id)]
        action["context"] = {
            "default_installation_id": self.id,
            "default_partner_id": self.partner_id.id,
        }
        return action

    # ------------------------------------------------------------------
    # Upgrade and customisation projects
    # ------------------------------------------------------------------

    upgrade_project_ids = fields.One2many(
        "project.project", "psa_installation_id", string="Upgrade projects"
    )
    upgrade_project_count = fields.Integer(compute="_compute_upgrade_project_count")

    def _compute_upgrade_project_count(self):
        counts = dict(
            self.env["project.project"]._read_group(
                [("psa_installation_id", "in", self.ids)],
                ["psa_installation_id"],
                ["__count"],
            )
        )
        for inst in self:
            inst.upgrade_project_count = counts.get(inst, 0)

    def action_request_upgrade(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "psa_helpdesk.psa_upgrade_request_wizard_action"
        )
        action["context"] = {"default_installation_id": self.id}
        return action

    def action_view_upgrade_projects(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "psa_helpdesk.project_project_psa_upgrade_action"
        )
        action["domain"] = [("psa_installation_id", "=", self.id)]
        action["context"] = {"default_psa_installation_id": self.id}
        return action
