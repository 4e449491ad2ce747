# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.context import without_defaults


class PsaUpgradeRequestWizard(models.TransientModel):
    """Request the upgrade of an installation: an implementation project,
    copied from the template project, linked to the installation and the
    target version."""

    _name = "psa.upgrade.request.wizard"
    _description = "Request an installation upgrade"

    installation_id = fields.Many2one(
        "psa.installation", required=True, readonly=True, ondelete="cascade"
    )
    product_id = fields.Many2one(related="installation_id.product_id")
    current_version_id = fields.Many2one(
        related="installation_id.version_id", string="Current version"
    )
    current_version_key = fields.Char(related="installation_id.version_id.version_key")
    target_version_id = fields.Many2one(
        "psa.product.version",
        required=True,
        domain="[('product_id', '=', product_id), "
        "('version_key', '>', current_version_key)]",
    )
    template_project_id = fields.Many2one(
        "project.project",
        string="Template project",
        compute="_compute_template_project_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Its tasks are copied into the new project. By default the "
        "upgrade template of the installation's company (never of the "
        "user's current company).",
    )
    name = fields.Char(string="Project name")

    @api.depends("installation_id")
    def _compute_template_project_id(self):
        for wizard in self:
            wizard.template_project_id = (
                wizard.installation_id.company_id.psa_upgrade_template_project_id
            )

    @api.onchange("installation_id", "target_version_id")
    def _onchange_name(self):
        if self.installation_id and self.target_version_id:
            self.name = self._psa_default_name()

    def _psa_default_name(self):
        return self.env._(
            "Upgrade %(customer)s %(product)s %(old)s → %(new)s",
            customer=self.installation_id.partner_id.name,
            product=self.product_id.code,
            old=self.current_version_id.name,
            new=self.target_version_id.name,
        )

    def _psa_check_request(self):
        user = self.env.user
        if not (
            user.has_group("psa_helpdesk.group_psa_implementation")
            or user.has_group("psa_helpdesk.group_psa_manager")
            or user.has_group("project.group_project_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only the implementation team and managers can request an "
                    "upgrade project."
                )
            )
        installation = self.installation_id
        installation.check_access("read")
        target = self.target_version_id
        if target.product_id != installation.product_id:
            raise UserError(
                self.env._(
                    "Version %(version)s is a version of %(other)s, but the "
                    "installation runs %(product)s.",
                    version=target.display_name,
                    other=target.product_id.display_name,
                    product=installation.product_id.display_name,
                )
            )
        if not installation.version_id._is_older_than(target):
            raise UserError(
                self.env._(
                    "The target version %(target)s must be newer than the "
                    "version the installation runs (%(current)s).",
                    target=target.name,
                    current=installation.version_id.name,
                )
            )
        template = self.template_project_id
        if template:
            template.check_access("read")
            if (
                not self._psa_creates_projects()
                and template != installation.company_id.psa_upgrade_template_project_id
            ):
                raise AccessError(
                    self.env._(
                        "Upgrade projects are copied from the upgrade template "
                        "of %(company)s, not from %(project)s: only project "
                        "managers copy other projects.",
                        company=installation.company_id.name,
                        project=template.display_name,
                    )
                )

    def _psa_creates_projects(self):
        """Whether the user may create projects with their own rights."""
        return self.env["project.project"].has_access("create")

    def action_request(self):
        self.ensure_one()
        self._psa_check_request()
        installation = self.installation_id
        values = {
            "name": self.name or self._psa_default_name(),
            "psa_installation_id": installation.id,
            "psa_target_version_id": self.target_version_id.id,
            "partner_id": installation.partner_id.id,
            "user_id": self.env.user.id,
            "company_id": installation.company_id.id,
        }
        # No default_* key of the context (a delivery date, say) reaches the
        # project: its values are the ones above.
        Project = without_defaults(self.env["project.project"])
        template = self.template_project_id.with_env(Project.env)
        if not self._psa_creates_projects():
            # sudo: implementation users run projects but only project
            # managers may create them; the installation was checked
            # readable and the template is the configured one (see
            # _psa_check_request), every other value comes from here.
            Project, template = Project.sudo(), template.sudo()
        if template:
            project = template.copy(dict(values, active=True))
        else:
            project = Project.create(values)
        project.message_subscribe(partner_ids=self.env.user.partner_id.ids)
        project.message_post(
            body=self.env._(
                "Upgrade requested by %(user)s for %(installation)s: %(old)s → "
                "%(new)s.",
                user=self.env.user.name,
                installation=installation.display_name,
                old=installation.version_id.name,
                new=self.target_version_id.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        # sudo: the installation's chatter keeps the request; implementation
        # users only read installations.
        installation.sudo().message_post(
            body=self.env._(
                "Upgrade to %(new)s requested: project %(project)s.",
                new=self.target_version_id.name,
                project=project.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "project.project",
            "res_id": project.id,
            "view_mode": "form",
        }
