# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common_development import PsaDevelopmentCommon


@tagged("post_install", "-at_install")
class TestEscalation(PsaDevelopmentCommon):
    def test_escalate_creates_task_with_snapshot(self):
        ticket = self._ticket(description="<p>Interest is wrong</p>")
        wizard = self._escalate(ticket, user=self.agent, notes="<p>Seen twice</p>")
        self.assertEqual(wizard.project_id, self.dev_project, "product's project")
        task = ticket.task_id
        self.assertTrue(task)
        self.assertEqual(ticket.project_id, self.dev_project)
        self.assertEqual(task.project_id, self.dev_project)
        self.assertEqual(task.name, "[TGM] It does not work")
        self.assertEqual(task.partner_id, self.customer)
        self.assertEqual(task.psa_installation_id, self.installation)
        self.assertEqual(task.psa_product_id, self.product)
        self.assertEqual(task.psa_version_id, self.v39)
        self.assertEqual(task.psa_environment, "production")
        self.assertEqual(task.psa_module_ids, self.mod_tax | self.mod_land)
        self.assertEqual(task.psa_customized_module_ids, self.mod_tax)
        self.assertIn("Amnesty 2024", task.psa_customization_notes)
        self.assertIn("Interest is wrong", task.description)
        self.assertIn("Seen twice", task.description)
        self.assertIn(ticket.number, task.description)
        self.assertEqual(task.ticket_ids, ticket)
        self.assertEqual(ticket.stage_id, self.stage_ticket_progress)
        self.assertIn(
            "Escalated to development",
            ticket.message_ids.filtered(
                lambda m: m.subtype_id == self.env.ref("mail.mt_note")
            )[:1].body,
        )
        # the agent sees the task stage on the ticket, not the task itself
        ticket_as_agent = ticket.with_user(self.agent)
        self.assertEqual(ticket_as_agent.psa_task_stage_id, task.stage_id)
        with self.assertRaises(AccessError):
            task.with_user(self.agent).write({"name": "Agents do not edit tasks"})

    def test_server_action_opens_wizard(self):
        tickets = self._ticket() | self._ticket(name="Second call")
        server_action = self.env.ref(
            "psa_helpdesk.helpdesk_ticket_escalate_development_action_server"
        )
        self.assertEqual(server_action.binding_model_id.model, "helpdesk.ticket")
        action = (
            server_action.with_user(self.agent)
            .with_context(active_model="helpdesk.ticket", active_ids=tickets.ids)
            .run()
        )
        self.assertEqual(action["res_model"], "psa.escalate.development.wizard")
        self.assertEqual(action["context"]["active_ids"], tickets.ids)

    def test_escalate_without_configured_stage_keeps_stage(self):
        self.company.psa_escalation_stage_id = False
        ticket = self._ticket()
        stage = ticket.stage_id
        self._escalate(ticket, user=self.agent)
        self.assertEqual(ticket.stage_id, stage)

    def test_several_tickets_share_one_task(self):
        first = self._ticket()
        self._escalate(first, user=self.agent)
        task = first.task_id
        other_installation = self.env["psa.installation"].create(
            {
                "partner_id": self.other_customer.id,
                "product_id": self.product.id,
                "version_id": self.v310.id,
            }
        )
        second = self._ticket(
            partner_id=self.other_contact.id, installation_id=other_installation.id
        )
        wizard = self._escalate(
            second, user=self.agent, mode="existing", task_id=task.id
        )
        self.assertEqual(wizard.project_id, self.dev_project)
        self.assertEqual(second.task_id, task)
        self.assertEqual(task.ticket_ids, first | second)
        self.assertEqual(
            task.ticket_ids.commercial_partner_id, self.customer | self.other_customer
        )
        self.assertEqual(task.psa_version_id, self.v39, "first snapshot kept")
        # the wizard proposes the task the tickets already share
        wizard = (
            self.env(user=self.agent)["psa.escalate.development.wizard"]
            .with_context(active_model="helpdesk.ticket", active_ids=second.ids)
            .create({})
        )
        self.assertEqual(wizard.mode, "existing")
        self.assertEqual(wizard.task_id, task)

    def test_escalate_several_tickets_at_once(self):
        tickets = self._ticket() | self._ticket(name="Second call")
        self._escalate(tickets, user=self.agent)
        self.assertEqual(len(tickets.task_id), 1)
        self.assertEqual(tickets.task_id.ticket_ids, tickets)

    def test_escalate_without_project_explains(self):
        # the other product has no development project
        ticket = self._ticket(partner_id=self.other_contact.id)
        self.assertEqual(ticket.installation_id, self.other_installation)
        Task = self.env["project.task"]
        before = Task.search_count([])
        with self.assertRaisesRegex(UserError, "No development project"):
            self._escalate(ticket, user=self.agent)
        self.assertFalse(ticket.task_id)
        self.assertEqual(Task.search_count([]), before)

    def test_escalate_tickets_of_different_products(self):
        tickets = self._ticket() | self._ticket(partner_id=self.other_contact.id)
        with self.assertRaisesRegex(UserError, "different products"):
            self._escalate(tickets, user=self.agent, project_id=self.dev_project.id)
        self.assertFalse(tickets.task_id)

    def test_not_entitled_ticket_is_not_escalated(self):
        self.contracts.filtered(lambda c: c.partner_id == self.customer).action_cancel()
        ticket = self._ticket()
        self.assertFalse(ticket.psa_entitled)
        stage = ticket.stage_id
        with self.assertRaisesRegex(UserError, "no active contract"):
            self._escalate(ticket, user=self.agent)
        self.assertFalse(ticket.task_id)
        self.assertEqual(ticket.stage_id, stage)
        self.assertFalse(self.dev_project.task_ids)
        # a support manager's exception opens the way
        self.env["psa.entitlement.exception.wizard"].with_user(self.manager).create(
            {"ticket_id": ticket.id, "reason": "Renewal being signed"}
        ).action_grant()
        self._escalate(ticket, user=self.agent)
        self.assertTrue(ticket.task_id)

    def test_existing_task_of_another_project(self):
        other_project = self.env["project.project"].create({"name": "Elsewhere"})
        task = self.env["project.task"].create(
            {"name": "Other", "project_id": other_project.id}
        )
        ticket = self._ticket()
        with self.assertRaisesRegex(UserError, "is not in project"):
            self._escalate(
                ticket,
                user=self.agent,
                mode="existing",
                task_id=task.id,
                project_id=self.dev_project.id,
            )
        self.assertFalse(ticket.task_id)

    def test_developer_cannot_escalate(self):
        ticket = self._ticket()
        with self.assertRaises(AccessError):
            self._escalate(ticket, user=self.developer)


@tagged("post_install", "-at_install")
class TestTraceability(PsaDevelopmentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket = cls._ticket(user_id=cls.agent.id)
        cls._escalate(cls.ticket, user=cls.agent)
        cls.task = cls.ticket.task_id
        cls.task.user_ids = cls.developer

    def _notes(self, ticket):
        return ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("mail.mt_note")
        )

    def test_developer_reads_only_tickets_of_own_tasks(self):
        ticket = self.ticket.with_user(self.developer)
        self.assertEqual(ticket.name, "It does not work")
        with self.assertRaises(AccessError):
            ticket.write({"name": "Developers do not edit tickets"})
        unrelated = self._ticket(name="Not escalated")
        with self.assertRaises(AccessError):
            unrelated.with_user(self.developer).read(["name"])

    def test_stage_change_is_noted_on_ticket(self):
        notes_before = self._notes(self.ticket)
        self.task.with_user(self.developer).write({"stage_id": self.stage_progress.id})
        new_notes = self._notes(self.ticket) - notes_before
        self.assertEqual(len(new_notes), 1)
        self.assertIn("In progress", new_notes.body)
        self.assertIn(f'data-oe-id="{self.task.id}"', new_notes.body)
        self.assertFalse(self.ticket.activity_ids, "task not finished yet")

    def test_developer_note_is_mirrored(self):
        notes_before = self._notes(self.ticket)
        self.task.with_user(self.developer).message_post(
            body="Reproduced on 3.9, patch in review",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        new_notes = self._notes(self.ticket) - notes_before
        self.assertEqual(len(new_notes), 1)
        self.assertIn("patch in review", new_notes.body)
        self.assertEqual(new_notes.author_id, self.developer.partner_id)
        # system messages (not comments) are not mirrored
        self.task.with_user(self.developer).message_post(body="log line")
        self.assertEqual(self._notes(self.ticket) - notes_before, new_notes)

    def test_closing_task_asks_owner_to_inform_customer(self):
        self.task.with_user(self.developer).write({"state": "1_done"})
        activity = self.ticket.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "Inform the customer")
        self.assertEqual(activity.user_id, self.agent)
        # reaching the folded stage afterwards does not ask twice
        self.task.with_user(self.developer).write({"stage_id": self.stage_done.id})
        self.assertEqual(len(self.ticket.activity_ids), 1)

    def test_folded_stage_without_owner_goes_to_team_leader(self):
        team = self.env["helpdesk.ticket.team"].create(
            {"name": "L1", "user_id": self.analyst.id}
        )
        ticket = self._ticket(team_id=team.id)
        ticket.user_id = False
        self._escalate(ticket, mode="existing", task_id=self.task.id)
        self.task.with_user(self.developer).write({"stage_id": self.stage_done.id})
        self.assertEqual(ticket.activity_ids.user_id, self.analyst)


@tagged("post_install", "-at_install")
class TestUnassignedTask(PsaDevelopmentCommon):
    """Issue 16, points 1-2: an escalated task waits unassigned in the
    product's backlog; any developer who may see it works on it from its
    form, tickets included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket = cls._ticket(user_id=cls.agent.id)
        cls._escalate(cls.ticket, user=cls.agent)
        cls.task = cls.ticket.task_id

    def test_escalated_task_is_unassigned_in_backlog(self):
        self.assertFalse(self.task.user_ids, "not the agent who escalated")
        self.assertEqual(self.task.stage_id, self.stage_todo)

    def test_any_developer_reads_the_tickets_of_a_visible_task(self):
        task = self.task.with_user(self.developer)
        self.assertEqual(task.ticket_ids, self.ticket)
        self.assertEqual(
            self.ticket.with_user(self.developer).read(["name"])[0]["name"],
            "It does not work",
        )
        # a task of a project restricted to its followers: not visible, nor
        # are its tickets
        self.dev_project.privacy_visibility = "followers"
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.developer).read(["name"])
        # following the task is enough, as for the task itself
        self.task.message_subscribe(partner_ids=self.developer.partner_id.ids)
        self.env.invalidate_all()
        self.ticket.with_user(self.developer).read(["name"])

    def test_form_stage_change_reads_only_visible_tickets(self):
        """The form saves the stage and reads the task's tickets in one
        request: the tickets the task's write reads as superuser (to note the
        change on all of them) must not reach the user's read."""
        # a development project serving both companies (no company): its
        # task holds a ticket of a company the developer is not allowed in
        company_b = self.env["res.company"].create({"name": "Other company"})
        self.dev_project.company_id = False
        self.task.company_id = False
        hidden = self._ticket(
            name="Ticket of another company", company_id=company_b.id, team_id=False
        )
        self.assertEqual(hidden.company_id, company_b)
        hidden.task_id = self.task
        self.env.invalidate_all()
        task = self.task.with_user(self.developer)
        result = task.web_save(
            {"stage_id": self.stage_progress.id},
            {
                "stage_id": {"fields": {"display_name": {}}},
                "ticket_ids": {"fields": {"display_name": {}, "stage_id": {}}},
            },
        )
        self.assertEqual(self.task.stage_id, self.stage_progress)
        self.assertEqual(
            [row["id"] for row in result[0]["ticket_ids"]], self.ticket.ids
        )
        # both tickets got the trace, the hidden one too
        for ticket in self.ticket | hidden:
            self.assertTrue(
                ticket.message_ids.filtered(lambda m: "In progress" in (m.body or "")),
                ticket.name,
            )


@tagged("post_install", "-at_install")
class TestFixVersion(PsaDevelopmentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Installation = cls.env["psa.installation"]
        cls.inst_310 = Installation.create(
            {
                "partner_id": cls.other_customer.id,
                "product_id": cls.product.id,
                "version_id": cls.v310.id,
                "module_ids": [Command.set(cls.mod_cash.ids)],
            }
        )
        cls.inst_40 = Installation.create(
            {
                "partner_id": cls.customer.id,
                "product_id": cls.product.id,
                "version_id": cls.v40.id,
                "environment": "test",
                "module_ids": [Command.set(cls.mod_tax.ids)],
            }
        )
        ticket = cls._ticket()
        cls._escalate(ticket, user=cls.agent)
        cls.task = ticket.task_id
        cls.task.user_ids = cls.developer

    def test_fix_version_of_other_product(self):
        with self.assertRaises(ValidationError):
            self.task.with_user(self.developer).write(
                {"psa_fix_version_id": self.other_version.id}
            )
        self.assertFalse(self.task.psa_fix_version_id)

    def test_affected_installations(self):
        task = self.task.with_user(self.developer)
        self.assertFalse(task.psa_affected_installation_ids)
        task.psa_fix_version_id = self.v40
        self.assertEqual(
            task.psa_affected_installation_ids, self.installation | self.inst_310
        )
        self.assertEqual(task.psa_affected_installation_count, 2)
        task.psa_fix_version_id = self.v310
        self.assertEqual(task.psa_affected_installation_ids, self.installation)
        task.write(
            {"psa_fix_version_id": self.v40.id, "psa_module_id": self.mod_tax.id}
        )
        self.assertEqual(task.psa_affected_installation_ids, self.installation)
        action = task.action_psa_view_affected_installations()
        self.assertEqual(
            self.env["psa.installation"].search(action["domain"]), self.installation
        )

    def test_notify_affected_customers_once(self):
        self.task.psa_fix_version_id = self.v40
        messages_before = (self.installation | self.inst_310).message_ids
        self.task.with_user(self.analyst).action_psa_notify_affected_customers()
        new = (self.installation | self.inst_310).message_ids - messages_before
        self.assertEqual(len(new), 2)
        self.assertEqual(
            new.partner_ids, self.customer | self.other_customer, "sent to customers"
        )
        self.assertIn("4.0", new[0].body)
        self.assertEqual(
            self.task.psa_notified_installation_ids, self.installation | self.inst_310
        )
        # again: nobody is told twice
        self.task.with_user(self.developer).action_psa_notify_affected_customers()
        self.assertEqual(
            (self.installation | self.inst_310).message_ids - messages_before, new
        )

    def test_agent_cannot_notify_customers(self):
        self.task.psa_fix_version_id = self.v40
        with self.assertRaises(AccessError):
            self.task.with_user(self.agent).action_psa_notify_affected_customers()
        self.assertFalse(self.task.psa_notified_installation_ids)
