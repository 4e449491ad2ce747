# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.project.models.project_task import CLOSED_STATES

from ..const import AUTO_GENERATED, AUTO_SUBMITTED_CONTEXT, ENVIRONMENTS

# what the task tells its tickets and customers is written by no one: the
# emails it makes are automatic (Auto-Submitted)
AUTOMATIC = {AUTO_SUBMITTED_CONTEXT: AUTO_GENERATED}


class ProjectTask(models.Model):
    """A development task that fixes tickets: it carries the environment the
    bug was seen in, the version that fixes it, and reports back to the
    tickets (helpdesk_mgmt_project's ``ticket_ids``)."""

    _name = "project.task"
    _inherit = ["project.task", "psa.system.fields.mixin"]
    # the trace of the notifications, written by
    # action_psa_notify_affected_customers only
    _psa_system_fields = ("psa_notified_installation_ids",)

    # Environment snapshot copied from the escalated ticket.
    psa_installation_id = fields.Many2one(
        "psa.installation",
        string="Installation",
        index="btree_not_null",
        help="Installation of the ticket this task was escalated from.",
    )
    psa_product_id = fields.Many2one(
        "psa.product", string="Product", index="btree_not_null", tracking=True
    )
    psa_version_id = fields.Many2one(
        "psa.product.version",
        string="Reported in version",
        domain="[('product_id', '=', psa_product_id)]",
    )
    psa_environment = fields.Selection(ENVIRONMENTS, string="Environment")
    psa_module_id = fields.Many2one(
        "psa.product.module",
        string="Affected module",
        domain="[('product_id', '=', psa_product_id)]",
        help="When set, only installations with this module count as affected.",
    )
    psa_module_ids = fields.Many2many(
        "psa.product.module",
        "project_task_psa_module_rel",
        "task_id",
        "module_id",
        string="Installed modules",
    )
    psa_customized_module_ids = fields.Many2many(
        "psa.product.module",
        "project_task_psa_custom_module_rel",
        "task_id",
        "module_id",
        string="Customised modules",
    )
    psa_customization_notes = fields.Text(string="Customisations")
    psa_fix_version_id = fields.Many2one(
        "psa.product.version",
        string="Fixed in version",
        tracking=True,
        domain="[('product_id', '=', psa_product_id)]",
        help="The version that carries the fix. Installations of the product "
        "on an older version are listed as affected.",
    )
    psa_affected_installation_ids = fields.Many2many(
        "psa.installation",
        compute="_compute_psa_affected_installation_ids",
        string="Affected installations",
    )
    psa_affected_installation_count = fields.Integer(
        compute="_compute_psa_affected_installation_ids"
    )
    psa_notified_installation_ids = fields.Many2many(
        "psa.installation",
        "project_task_psa_notified_installation_rel",
        "task_id",
        "installation_id",
        string="Customers notified",
        readonly=True,
        copy=False,
        help="Installations whose customer was already told about the fix.",
    )

    @api.depends(
        "psa_product_id",
        "psa_fix_version_id.version_key",
        "psa_module_id",
    )
    def _compute_psa_affected_installation_ids(self):
        Installation = self.env["psa.installation"]
        for task in self:
            installations = Installation
            if task.psa_fix_version_id:
                installations = Installation.search(task._psa_affected_domain())
            task.psa_affected_installation_ids = installations
            task.psa_affected_installation_count = len(installations)

    def _psa_affected_domain(self):
        """Installations of the product on a version older than the fix (and
        with the affected module, when there is one)."""
        self.ensure_one()
        domain = [
            ("product_id", "=", self.psa_product_id.id),
            ("version_id.version_key", "<", self.psa_fix_version_id.version_key),
        ]
        if self.psa_module_id:
            domain.append(("module_ids", "in", self.psa_module_id.ids))
        return domain

    @api.constrains("psa_fix_version_id", "psa_product_id", "psa_module_id")
    def _check_psa_fix_version(self):
        for task in self:
            fix = task.psa_fix_version_id
            if fix and fix.product_id != task.psa_product_id:
                raise ValidationError(
                    self.env._(
                        "Version %(version)s belongs to %(other)s: the fix of "
                        "task %(task)s must be a version of %(product)s.",
                        version=fix.display_name,
                        other=fix.product_id.display_name,
                        task=task.display_name,
                        product=task.psa_product_id.display_name
                        or self.env._("(no product)"),
                    )
                )
            module = task.psa_module_id
            if module and module.product_id != task.psa_product_id:
                raise ValidationError(
                    self.env._(
                        "Module %(module)s does not belong to %(product)s.",
                        module=module.display_name,
                        product=task.psa_product_id.display_name
                        or self.env._("(no product)"),
                    )
                )

    # ------------------------------------------------------------------
    # Traceability towards the tickets
    # ------------------------------------------------------------------

    def _psa_is_finished(self):
        self.ensure_one()
        return self.state in CLOSED_STATES or self.stage_id.fold

    def _psa_linked_tickets(self):
        """All the tickets linked to the tasks of ``self`` (a
        ``helpdesk.ticket`` recordset, superuser, archived ones excluded),
        whoever the user is.

        Searched, never read through ``ticket_ids``: reading the one2many as
        superuser would leave every linked ticket in the cache of the task's
        field, and the user's own form, read next in the same request, would
        then read tickets the user may not see (access error, and the write
        rolled back)."""
        # sudo: the trace of a task goes to all its tickets
        return self.env["helpdesk.ticket"].sudo().search([("task_id", "in", self.ids)])

    def write(self, vals):
        if "stage_id" not in vals and "state" not in vals:
            return super().write(vals)
        linked_ids = set(self._psa_linked_tickets().task_id.ids)
        linked = self.filtered(lambda t: t.id in linked_ids)
        before = {task.id: (task.stage_id, task._psa_is_finished()) for task in linked}
        result = super().write(vals)
        for task in linked:
            old_stage, was_finished = before[task.id]
            if task.stage_id != old_stage:
                task._psa_notify_tickets(
                    Markup(
                        self.env._(
                            "Development task %(task)s moved from %(old)s to %(new)s.",
                            task=task._get_html_link(),
                            old=escape(old_stage.name or "-"),
                            new=escape(task.stage_id.name or "-"),
                        )
                    )
                )
            if not was_finished and task._psa_is_finished():
                task._psa_schedule_inform_customer()
        return result

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        if (
            len(self) == 1
            and kwargs.get("message_type", "notification") == "comment"
            and message.body
            and not message.author_id.user_ids.filtered("share")
            and message.author_id.user_ids
        ):
            self._psa_notify_tickets(
                Markup(
                    self.env._(
                        "Note from %(author)s on development task %(task)s:",
                        author=escape(message.author_id.name),
                        task=self._get_html_link(),
                    )
                ),
                message.body,
            )
        return message

    def _psa_notify_tickets(self, header, body=None):
        """Post the html ``header`` (which links to the task) and an optional
        html ``body`` as an internal note on the open linked tickets."""
        self.ensure_one()
        # sudo (in _psa_linked_tickets): the note is the task's trace on its
        # tickets; the developer who moved the task usually may not write them.
        tickets = self._psa_linked_tickets().filtered(lambda t: not t.closed)
        if not tickets:
            return
        tickets = tickets.with_context(**AUTOMATIC)
        html = Markup("<p>%s</p>") % header
        if body:
            html += body
        for ticket in tickets:
            ticket.message_post(body=html, subtype_xmlid="mail.mt_note")

    def _psa_schedule_inform_customer(self):
        """Ask the owner of every open linked ticket to inform the customer."""
        self.ensure_one()
        # sudo: see _psa_notify_tickets
        tickets = self._psa_linked_tickets().filtered(lambda t: not t.closed)
        for ticket in tickets.with_context(**AUTOMATIC):
            user = ticket.user_id or ticket.team_id.user_id
            note = self.env._(
                "Development task %(task)s is finished%(fix)s. Tell the customer "
                "and close the ticket.",
                task=self.name,
                fix=self.env._(
                    " (fixed in %(version)s)",
                    version=self.psa_fix_version_id.display_name,
                )
                if self.psa_fix_version_id
                else "",
            )
            ticket.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Inform the customer"),
                note=note,
                user_id=(user or self.env.user).id,
            )

    def _psa_fix_available_text(self, installation, tickets):
        """The message telling the customer of ``installation`` that the fix
        is available, in their language, from their own data only: their
        tickets among ``tickets`` (number and subject), the product and the
        versions. Never the task's title: it is the subject of the first
        customer who reported the problem."""
        self.ensure_one()
        customer = installation.partner_id.commercial_partner_id
        own = tickets.filtered(lambda t: t.commercial_partner_id == customer)
        fix = self.psa_fix_version_id
        env = self.with_context(lang=customer.lang or self.env.lang).env
        values = {
            "product": fix.product_id.name,
            "version": fix.name,
            "current": installation.version_id.name,
        }
        if own:
            return env._(
                "Dear customer, the problem you reported in %(tickets)s is fixed "
                "in %(product)s version %(version)s. Your installation runs "
                "version %(current)s: please contact us to plan the upgrade.",
                tickets=", ".join(f"[#{t.number}] “{t.name}”" for t in own),
                **values,
            )
        return env._(
            "Dear customer, %(product)s version %(version)s fixes a problem "
            "that affects your installation, which runs version %(current)s: "
            "please contact us to plan the upgrade.",
            **values,
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_psa_view_affected_installations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "psa_helpdesk.psa_installation_action"
        )
        action["domain"] = [("id", "in", self.psa_affected_installation_ids.ids)]
        action["context"] = {"create": False}
        action["name"] = self.env._("Affected installations")
        return action

    def action_psa_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("task_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_psa_notify_affected_customers(self):
        """Tell the customers of the affected installations that the fix is in
        ``psa_fix_version_id``: one message per installation, in its chatter,
        sent to the customer. Installations already notified are skipped."""
        if not self.env.user.has_group("psa_helpdesk.group_psa_analyst"):
            self.check_access("write")
        for task in self:
            if not task.psa_fix_version_id:
                raise ValidationError(
                    self.env._(
                        "Record the version that fixes task %(task)s first.",
                        task=task.display_name,
                    )
                )
            installations = (
                task.psa_affected_installation_ids - task.psa_notified_installation_ids
            )
            task._psa_notify_installations(installations)
        return True

    def _psa_notify_installations(self, installations):
        self.ensure_one()
        fix = self.psa_fix_version_id
        # sudo: each customer's own tickets of the task name the problem
        tickets = self._psa_linked_tickets()
        # sudo: developers and analysts may tell customers about a fix, but
        # only analysts may write installations (their chatter included).
        for installation in installations.sudo().with_context(**AUTOMATIC):
            installation.message_post(
                body=self._psa_fix_available_text(installation, tickets),
                partner_ids=installation.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        # sudo: the list of notified installations is a trace, not an edit
        # of the task by the user.
        self.sudo().psa_notified_installation_ids = [
            fields.Command.link(inst.id) for inst in installations
        ]
        self.message_post(
            body=self.env._(
                "%(count)s customer(s) told that the fix is in %(version)s.",
                count=len(installations),
                version=fix.display_name,
            ),
            subtype_xmlid="mail.mt_note",
        )
