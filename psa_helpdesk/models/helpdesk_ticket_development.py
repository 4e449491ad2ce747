# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import AUTO_GENERATED, AUTO_SUBMITTED_CONTEXT


class HelpdeskTicket(models.Model):
    """Development side of a ticket: escalation to a project task (reusing
    helpdesk_mgmt_project's ``project_id`` / ``task_id``) and problem tickets
    that group incidents."""

    _inherit = "helpdesk.ticket"

    # Indexed: the developers' record rule and the task's notes to its tickets
    # (project.task.ticket_ids) look tickets up by task; most have none
    task_id = fields.Many2one(index="btree_not_null")
    # Related fields are read as superuser: agents see where the fix is even
    # when they cannot open the development task itself. Not tracked on the
    # ticket (they would take the task's tracking): the task's chatter logs
    # its changes, its stage changes are posted on its tickets
    # (project.task), a ticket's own write would log them only by chance,
    # and every write would compute them.
    psa_task_name = fields.Char(
        related="task_id.name",
        string="Development task",
        groups="base.group_user",
        tracking=False,
    )
    psa_task_stage_id = fields.Many2one(
        related="task_id.stage_id",
        string="Development stage",
        groups="base.group_user",
        tracking=False,
    )
    psa_task_state = fields.Selection(
        related="task_id.state",
        string="Development status",
        groups="base.group_user",
        tracking=False,
    )
    psa_fix_version_id = fields.Many2one(
        related="task_id.psa_fix_version_id",
        string="Fixed in version",
        groups="base.group_user",
        tracking=False,
    )
    psa_is_problem = fields.Boolean(
        string="Problem",
        tracking=True,
        help="A problem groups the incidents that share one root cause. Its "
        "resolution can be posted to all of them at once.",
        groups="base.group_user",
    )
    psa_problem_id = fields.Many2one(
        "helpdesk.ticket",
        string="Problem ticket",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('psa_is_problem', '=', True), ('id', '!=', id)]",
        help="The problem this incident is a case of.",
        groups="base.group_user",
    )
    psa_incident_ids = fields.One2many(
        "helpdesk.ticket",
        "psa_problem_id",
        string="Incidents",
        groups="base.group_user",
    )
    psa_incident_count = fields.Integer(
        compute="_compute_psa_incident_count", groups="base.group_user"
    )
    psa_problem_resolution = fields.Text(
        string="Problem resolution",
        help="Root cause and solution. 'Resolve incidents' posts it on every "
        "open incident of the problem and closes them.",
        groups="base.group_user",
    )

    def _compute_psa_incident_count(self):
        counts = dict(
            self._read_group(
                [("psa_problem_id", "in", self.ids)], ["psa_problem_id"], ["__count"]
            )
        )
        for ticket in self:
            ticket.psa_incident_count = counts.get(ticket, 0)

    @api.constrains("psa_problem_id", "psa_is_problem")
    def _check_psa_problem(self):
        for ticket in self:
            problem = ticket.psa_problem_id
            if not problem:
                continue
            if problem == ticket:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s cannot be an incident of itself.",
                        ticket=ticket.display_name,
                    )
                )
            if not problem.psa_is_problem:
                raise ValidationError(
                    self.env._(
                        "%(problem)s is not flagged as a problem: flag it first, "
                        "then link incidents to it.",
                        problem=problem.display_name,
                    )
                )
            if ticket.psa_is_problem:
                raise ValidationError(
                    self.env._(
                        "%(ticket)s is a problem itself: a problem cannot be an "
                        "incident of another problem (%(problem)s).",
                        ticket=ticket.display_name,
                        problem=problem.display_name,
                    )
                )
        for ticket in self.filtered(lambda t: not t.psa_is_problem):
            if ticket.psa_incident_ids:
                raise ValidationError(
                    self.env._(
                        "%(ticket)s still has incidents linked to it: unlink them "
                        "before removing the problem flag.",
                        ticket=ticket.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Escalation to development
    # ------------------------------------------------------------------

    def _psa_check_escalation_allowed(self):
        """Raise if these tickets may not be escalated to development.

        Called by the escalation wizard before it changes anything: a ticket
        no contract covers (and for which no manager granted an exception)
        must not reach the development team.
        """
        not_entitled = self.filtered(lambda t: not t.psa_entitled)
        if not_entitled:
            raise UserError(
                self.env._(
                    "%(tickets)s cannot be escalated to development: no active "
                    "contract covers them. Ask a support manager to grant a "
                    "support exception first, or route them to the commercial "
                    "team.",
                    tickets=", ".join(not_entitled.mapped("display_name")),
                )
            )
        return True

    def _psa_escalation_product(self):
        """The product these tickets are about (the snapshot's, else the
        installation's); tickets of different products cannot share a task."""
        products = self.mapped(
            lambda t: t.psa_product_id or t.installation_id.product_id
        )
        if len(products) > 1:
            raise UserError(
                self.env._(
                    "These tickets concern different products (%(products)s): "
                    "escalate the tickets of one product at a time.",
                    products=", ".join(products.mapped("display_name")),
                )
            )
        return products

    def action_psa_escalate_to_development(self):
        """Open the escalation wizard for these tickets."""
        self.check_access("write")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "psa_helpdesk.psa_escalate_development_wizard_action"
        )
        action["context"] = {
            "active_model": "helpdesk.ticket",
            "active_ids": self.ids,
            "active_id": self[:1].id,
        }
        return action

    def action_psa_view_task(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "project.task",
            "res_id": self.task_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Problems
    # ------------------------------------------------------------------

    def action_psa_view_incidents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("psa_problem_id", "=", self.id)]
        action["context"] = {"default_psa_problem_id": self.id}
        return action

    def _psa_problem_close_values(self, stage, resolution):
        """Values written on an incident closed by its problem: the problem's
        resolution becomes the incident's resolution summary, which the
        closing email sends to the customer."""
        return {"stage_id": stage.id, "psa_resolution": resolution}

    def _psa_closing_stage(self):
        """The stage where a problem closes this incident: the configured one
        if the ticket's team may use it, else the team's first closed stage."""
        self.ensure_one()
        stages = self.team_id._get_applicable_stages().filtered("closed")
        configured = self.company_id.psa_problem_close_stage_id
        if configured and configured in stages:
            return configured
        return stages[:1]

    def action_psa_resolve_incidents(self):
        """Post the problem's resolution on its open incidents and close them."""
        self.check_access("write")
        for problem in self:
            if not problem.psa_is_problem:
                raise UserError(
                    self.env._(
                        "%(ticket)s is not a problem ticket.",
                        ticket=problem.display_name,
                    )
                )
            if not (problem.psa_problem_resolution or "").strip():
                raise UserError(
                    self.env._(
                        "Write the resolution of problem %(problem)s before "
                        "posting it to its incidents.",
                        problem=problem.display_name,
                    )
                )
            incidents = problem.psa_incident_ids.filtered(lambda t: not t.closed)
            incidents.check_access("write")
            stages = {}
            for incident in incidents:
                stage = incident._psa_closing_stage()
                if not stage:
                    raise UserError(
                        self.env._(
                            "No closed stage is available for incident %(ticket)s "
                            "(team %(team)s).",
                            ticket=incident.display_name,
                            team=incident.team_id.display_name or "-",
                        )
                    )
                stages[incident] = stage
            resolution = problem.psa_problem_resolution
            for incident, stage in stages.items():
                # to the incident's customer: their own ticket, never the
                # problem ticket (another customer's subject); posted by no
                # one: automatic
                incident.with_context(
                    **{AUTO_SUBMITTED_CONTEXT: AUTO_GENERATED}
                ).message_post(
                    body=Markup("<p>%s</p><p>%s</p>")
                    % (
                        self.env._(
                            "Your ticket %(ticket)s “%(subject)s” is resolved:",
                            ticket=incident.number,
                            subject=incident.name,
                        ),
                        resolution,
                    ),
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
                incident.write(incident._psa_problem_close_values(stage, resolution))
            problem.message_post(
                body=self.env._(
                    "Resolution posted to %(count)s incident(s), which were closed.",
                    count=len(incidents),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True
