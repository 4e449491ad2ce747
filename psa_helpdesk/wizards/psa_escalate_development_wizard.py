# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import clean_context


class PsaEscalateDevelopmentWizard(models.TransientModel):
    """Escalate tickets to development: create a task in the product's
    development project (or link an existing task) and link the tickets."""

    _name = "psa.escalate.development.wizard"
    _description = "Escalate tickets to development"

    ticket_ids = fields.Many2many(
        "helpdesk.ticket", string="Tickets", required=True, readonly=True
    )
    product_id = fields.Many2one("psa.product", readonly=True)
    project_id = fields.Many2one(
        "project.project",
        string="Development project",
        help="Defaults to the development project of the ticket's product.",
    )
    mode = fields.Selection(
        [("new", "Create a new task"), ("existing", "Link to an existing task")],
        required=True,
        default="new",
    )
    task_id = fields.Many2one(
        "project.task",
        string="Existing task",
        domain="[('project_id', '=', project_id), ('state', 'not in', "
        "['1_done', '1_canceled'])]",
        help="Several incidents of one bug share one task.",
    )
    name = fields.Char(string="Task title")
    notes = fields.Html(string="Notes for the developers")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") != "helpdesk.ticket":
            return values
        tickets = self.env["helpdesk.ticket"].browse(context.get("active_ids") or [])
        if not tickets:
            return values
        values["ticket_ids"] = [fields.Command.set(tickets.ids)]
        product = tickets._psa_escalation_product()
        values["product_id"] = product.id
        values["project_id"] = product.development_project_id.id
        first = tickets[0]
        values["name"] = (
            f"[{product.code}] {first.name}" if product.code else first.name
        )
        shared_task = tickets.task_id
        if len(shared_task) == 1:
            values.update(
                mode="existing",
                task_id=shared_task.id,
                project_id=shared_task.project_id.id,
            )
        return values

    @api.onchange("project_id")
    def _onchange_project_id(self):
        if self.task_id.project_id != self.project_id:
            self.task_id = False

    def action_escalate(self):
        self.ensure_one()
        tickets = self.ticket_ids
        # Access and business checks come first: nothing changes on failure.
        tickets.check_access("write")
        tickets._psa_check_escalation_allowed()
        product = tickets._psa_escalation_product()
        project = self.project_id
        if not project:
            raise UserError(
                self.env._(
                    "No development project is known for these tickets: they "
                    "have no installation, or their product has no development "
                    "project. Choose the project, or set the development "
                    "project on the product (Installed base › Catalogue › "
                    "Products)."
                )
            )
        task = self.task_id if self.mode == "existing" else self.env["project.task"]
        if self.mode == "existing":
            if not task:
                raise UserError(self.env._("Choose the task to link the tickets to."))
            project.check_access("read")
            task.check_access("read")
            if task.project_id != project:
                raise UserError(
                    self.env._(
                        "Task %(task)s is not in project %(project)s.",
                        task=task.display_name,
                        project=project.display_name,
                    )
                )
        else:
            self._psa_check_task_project(project)
            task = self._psa_create_task(project, product)
        self._psa_link_tickets(task)
        # closing the dialog reloads the form or list it was opened from
        # (opening the ticket again would double the breadcrumb)
        return {"type": "ir.actions.act_window_close"}

    def _psa_task_description(self):
        parts = []
        if self.notes:
            parts.append(self.notes)
        for ticket in self.ticket_ids:
            parts.append(
                Markup("<h3>%s</h3>")
                % self.env._(
                    "Ticket %(number)s — %(customer)s",
                    number=ticket.number,
                    customer=ticket.commercial_partner_id.name or "-",
                )
            )
            if ticket.description:
                parts.append(ticket.description)
        return Markup("").join(parts)

    def _psa_check_task_project(self, project):
        """Raise unless the user may create a task in ``project`` with their
        own rights: the check the ORM makes on the created task (access
        rights, then the record rules on a task of that project), made first
        so that the refusal names the project and nothing is created.

        Agents may create tasks in the development projects of products that
        they can see (``project_task_rule_psa_agent_create``), project users
        in the projects they can see."""
        Task = self.env["project.task"]
        allowed = Task.has_access("create")
        if allowed:
            domain = self.env["ir.rule"]._compute_domain(Task._name, "create")
            # sudo: evaluate the rules on a task of that project, as the ORM
            # does on the created task; nothing is written.
            allowed = not domain or bool(
                Task.sudo().new({"project_id": project.id}).filtered_domain(domain)
            )
        if not allowed:
            raise AccessError(
                self.env._(
                    "You may not create tasks in project %(project)s. Escalate "
                    "to the development project of the product, or ask a "
                    "project manager to add you to the followers of "
                    "%(project)s.",
                    # sudo: the name of the project the user chose, which may
                    # be one they cannot open.
                    project=project.sudo().display_name,
                )
            )

    def _psa_create_task(self, project, product):
        """Create the task, with the user's own rights, with the environment
        snapshot of the first ticket that has one; ``product`` is the
        tickets' product.

        The task is unassigned, in the first stage of ``project`` (the
        product's backlog): development chooses who works on it. Without
        ``user_ids``, Odoo would assign it to the support agent escalating."""
        source = self.ticket_ids.filtered("installation_id")[:1] or self.ticket_ids[:1]
        values = {
            "name": self.name or source.name,
            "project_id": project.id,
            "partner_id": source.commercial_partner_id.id,
            "description": self._psa_task_description(),
            "psa_installation_id": source.installation_id.id,
            "psa_product_id": (source.psa_product_id or product).id,
            "psa_version_id": source.psa_version_id.id,
            "psa_environment": source.psa_environment,
            "psa_module_ids": [fields.Command.set(source.psa_module_ids.ids)],
            "psa_module_id": source.affected_module_id.id,
            "psa_customized_module_ids": [
                fields.Command.set(source.psa_customized_module_ids.ids)
            ],
            "psa_customization_notes": source.psa_customization_notes,
            "user_ids": [fields.Command.clear()],
        }
        # No default_* key of the ticket view reaches the task.
        Task = self.env["project.task"].with_context(
            clean_context(self.env.context), mail_create_nosubscribe=True
        )
        return Task.create(values)

    def _psa_link_tickets(self, task):
        tickets = self.ticket_ids
        values = {"project_id": task.project_id.id, "task_id": task.id}
        for ticket in tickets:
            ticket_values = dict(values)
            # the setting of the ticket's company, not of the user's session
            stage = ticket.company_id.psa_escalation_stage_id
            if stage and (not stage.team_ids or ticket.team_id in stage.team_ids):
                ticket_values["stage_id"] = stage.id
            ticket.write(ticket_values)
            ticket.message_post(
                body=Markup(
                    self.env._(
                        "Escalated to development: task %(task)s.",
                        task=task._get_html_link(),
                    )
                ),
                subtype_xmlid="mail.mt_note",
            )
        links = Markup(", ").join(
            Markup("%s (%s)")
            % (ticket._get_html_link(), ticket.commercial_partner_id.name or "-")
            for ticket in tickets
        )
        # sudo: agents may read the task but not post on it; this is the
        # trace of the escalation they were allowed to make.
        task.sudo().message_post(
            body=Markup(
                self.env._("Ticket(s) linked by support: %(tickets)s", tickets=links)
            ),
            subtype_xmlid="mail.mt_note",
        )
