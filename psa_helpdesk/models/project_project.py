# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.project.models.project_task import CLOSED_STATES


class ProjectProject(models.Model):
    """Upgrades and customisations run as implementation projects, linked to
    the installation they change and the version they deliver."""

    _name = "project.project"
    _inherit = ["project.project", "psa.system.fields.mixin"]
    # the trace of the delivery, written by action_psa_deliver_upgrade only
    _psa_system_fields = ("psa_delivery_date", "psa_delivered_by_id")

    psa_installation_id = fields.Many2one(
        "psa.installation",
        string="Installation",
        index="btree_not_null",
        tracking=True,
        help="The customer installation this upgrade or customisation project changes.",
    )
    psa_product_id = fields.Many2one(
        related="psa_installation_id.product_id", string="Installed product"
    )
    psa_current_version_id = fields.Many2one(
        related="psa_installation_id.version_id", string="Current version"
    )
    psa_target_version_id = fields.Many2one(
        "psa.product.version",
        string="Target version",
        tracking=True,
        domain="[('product_id', '=', psa_product_id)]",
        help="The version the installation runs once the project is delivered.",
    )
    psa_development_product_ids = fields.One2many(
        "psa.product",
        "development_project_id",
        string="Development project of",
        help="The products whose bugs are fixed in this project: support "
        "agents escalate their tickets here.",
    )
    psa_delivery_date = fields.Datetime(
        string="Upgrade delivered on", readonly=True, copy=False, tracking=True
    )
    psa_delivered_by_id = fields.Many2one(
        "res.users", string="Upgrade delivered by", readonly=True, copy=False
    )

    @api.constrains("psa_installation_id", "psa_target_version_id")
    def _check_psa_target_version(self):
        for project in self:
            target = project.psa_target_version_id
            if not target:
                continue
            if target.product_id != project.psa_installation_id.product_id:
                raise ValidationError(
                    self.env._(
                        "Target version %(version)s is a version of %(other)s, "
                        "but the installation runs %(product)s.",
                        version=target.display_name,
                        other=target.product_id.display_name,
                        product=project.psa_installation_id.product_id.display_name
                        or self.env._("(no installation)"),
                    )
                )

    psa_open_task_count = fields.Integer(
        string="Open tasks",
        compute="_compute_psa_open_task_count",
        help="Tasks of the project neither done, cancelled nor in a folded "
        "stage: delivering the upgrade with open tasks asks for confirmation.",
    )

    @api.depends("task_ids.state", "task_ids.stage_id.fold")
    def _compute_psa_open_task_count(self):
        """Open tasks per project: one grouped query for the recordset."""
        groups = self.env["project.task"]._read_group(
            [
                ("project_id", "in", self.ids),
                ("state", "not in", list(CLOSED_STATES)),
                "|",
                ("stage_id", "=", False),
                ("stage_id.fold", "=", False),
            ],
            ["project_id"],
            ["__count"],
        )
        counts = {project.id: count for project, count in groups}
        for project in self:
            project.psa_open_task_count = counts.get(project.id, 0)

    def write(self, vals):
        self._psa_check_delivered_kept(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Chatter: the implementation user who manages the project posts in it
    # ------------------------------------------------------------------

    def _psa_managed_by_implementer(self):
        """True when the user is in the Implementation group and the project
        manager (``user_id``) of every project of ``self`` (not empty): such
        a user may post in the chatter of the project without the right to
        edit it (posting otherwise needs write access)."""
        user = self.env.user
        return (
            bool(self)
            and user.has_group("psa_helpdesk.group_psa_implementation")
            # sudo: the project manager of projects the user may read
            and all(project.user_id == user for project in self.sudo())
        )

    @api.model
    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        access = super()._get_mail_message_access(res_ids, operation, model_name)
        if (
            operation == "create"
            and access == "write"
            and (model_name or self._name) == self._name
            and self.browse(list(res_ids))._psa_managed_by_implementer()
        ):
            return "read"
        return access

    def _get_thread_with_access(self, thread_id, mode="read", **kwargs):
        thread = super()._get_thread_with_access(thread_id, mode=mode, **kwargs)
        if not thread and mode == "write":
            readable = super()._get_thread_with_access(thread_id, mode="read", **kwargs)
            if readable._psa_managed_by_implementer():
                return readable
        return thread

    def _thread_to_store(self, store, /, *, request_list=None, **kwargs):
        result = super()._thread_to_store(store, request_list=request_list, **kwargs)
        if request_list is not None:
            for project in self:
                if project._psa_managed_by_implementer():
                    store.add(project, {"canPostOnReadonly": True}, as_thread=True)
        return result

    def _psa_check_delivered_kept(self, vals):
        """A delivered upgrade project keeps the installation and the version
        it delivered: the version history and the delivery note name it."""
        for project in self.filtered("psa_delivery_date"):
            changed = [
                fname
                for fname in ("psa_installation_id", "psa_target_version_id")
                if fname in vals and (vals[fname] or False) != project[fname].id
            ]
            if changed:
                raise UserError(
                    self.env._(
                        "Project %(project)s delivered its upgrade on %(date)s: "
                        "its installation and target version stay as they were.",
                        project=project.display_name,
                        date=project.psa_delivery_date,
                    )
                )

    def _psa_check_can_deliver(self):
        """Implementation users and project managers deliver upgrades."""
        user = self.env.user
        if not (
            user.has_group("psa_helpdesk.group_psa_implementation")
            or user.has_group("project.group_project_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only the implementation team or project managers can "
                    "deliver an upgrade."
                )
            )
        self.check_access("read")

    def action_psa_deliver_upgrade(self):
        """Move the installation to the target version; the version history
        keeps this project."""
        self._psa_check_can_deliver()
        for project in self:
            installation = project.psa_installation_id
            target = project.psa_target_version_id
            if not installation or not target:
                raise UserError(
                    self.env._(
                        "Project %(project)s needs an installation and a target "
                        "version before it can be delivered.",
                        project=project.display_name,
                    )
                )
            if project.psa_delivery_date:
                raise UserError(
                    self.env._(
                        "Project %(project)s was already delivered on %(date)s.",
                        project=project.display_name,
                        date=project.psa_delivery_date,
                    )
                )
            installation.check_access("read")
            current = installation.version_id
            if not current._is_older_than(target):
                raise UserError(
                    self.env._(
                        "%(installation)s already runs version %(current)s: the "
                        "target version %(target)s must be newer. Nothing was "
                        "changed.",
                        installation=installation.display_name,
                        current=current.name,
                        target=target.name,
                    )
                )
            project._psa_deliver_upgrade(installation, current, target)
        return True

    def _psa_deliver_upgrade(self, installation, current, target):
        self.ensure_one()
        # The installation checks that this is its upgrade project, moves to
        # the target version and names the project in its history.
        installation._psa_deliver_upgrade(self)
        # sudo: delivering is the implementation team's job (checked in
        # _psa_check_can_deliver), yet projects are edited by project
        # managers only; who and when come from here.
        self.sudo().write(
            {
                "psa_delivery_date": fields.Datetime.now(),
                "psa_delivered_by_id": self.env.user.id,
            }
        )
        body = self.env._(
            "Upgrade delivered by %(user)s: %(installation)s moved from version "
            "%(old)s to %(new)s (project %(project)s).",
            user=self.env.user.name,
            installation=installation.partner_id.name,
            old=current.name,
            new=target.name,
            project=self.name,
        )
        if self.psa_open_task_count:
            body += " " + self.env._(
                "Delivered with %(count)s task(s) of the project still open.",
                count=self.psa_open_task_count,
            )
        # sudo: see above, posting needs write access on both records.
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        installation.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
