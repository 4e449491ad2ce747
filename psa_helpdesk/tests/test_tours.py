# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What a person clicks, in headless Chromium: an agent opens a ticket and
sees the environment and the SLA clock, escalates it to development, a
developer moves the task and the ticket follows, a manager opens the SLA
analysis."""

from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPsaTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.company.psa_commercial_team_id = False
        cls.agent = new_test_user(
            env,
            login="tour_agent",
            password="tour_agent_pw",
            groups="psa_helpdesk.group_psa_agent",
        )
        cls.developer = new_test_user(
            env,
            login="tour_dev",
            password="tour_dev_pw",
            groups="psa_helpdesk.group_psa_developer",
        )
        cls.manager = new_test_user(
            env,
            login="tour_manager",
            password="tour_manager_pw",
            groups="psa_helpdesk.group_psa_manager",
        )
        stages = env["project.task.type"].create(
            [
                {"name": "Backlog", "sequence": 1},
                {"name": "In progress", "sequence": 2},
                {"name": "Released", "sequence": 3, "fold": True},
            ]
        )
        cls.dev_project = env["project.project"].create(
            {
                "name": "Tour development",
                "type_ids": [Command.set(stages.ids)],
            }
        )
        product = env["psa.product"].create(
            {
                "name": "Tour Product",
                "code": "TRP",
                "development_project_id": cls.dev_project.id,
            }
        )
        version = env["psa.product.version"].create(
            {"product_id": product.id, "name": "2.1"}
        )
        module = env["psa.product.module"].create(
            {"product_id": product.id, "name": "Invoicing", "code": "INV"}
        )
        cls.customer = env["res.partner"].create(
            {"name": "Tour Town", "is_company": True}
        )
        cls.contact = env["res.partner"].create(
            {
                "name": "Laura Tour",
                "parent_id": cls.customer.id,
                "email": "laura@tour.example",
            }
        )
        cls.installation = env["psa.installation"].create(
            {
                "partner_id": cls.customer.id,
                "product_id": product.id,
                "version_id": version.id,
                "module_ids": [Command.set(module.ids)],
            }
        )
        calendar = env["resource.calendar"].create({"name": "Tour 8x5", "tz": "UTC"})
        policy = env["psa.sla.policy"].create(
            {
                "name": "Tour policy",
                "resource_calendar_id": calendar.id,
                "p1_round_the_clock": True,
                "target_ids": [
                    Command.create(
                        {
                            "priority": p,
                            "response_hours": 2 * int(p),
                            "resolution_hours": 8 * int(p),
                            "update_hours": 4,
                        }
                    )
                    for p in ("1", "2", "3")
                ],
            }
        )
        tier = env["psa.service.tier"].create(
            {
                "name": "Tour premium",
                "matrix_ids": [
                    Command.create({"severity": s, "priority": s})
                    for s in ("1", "2", "3")
                ],
            }
        )
        env["psa.contract"].create(
            {
                "name": "Tour maintenance",
                "partner_id": cls.customer.id,
                "product_ids": [Command.set(product.ids)],
                "service_tier_id": tier.id,
                "sla_policy_id": policy.id,
                "date_start": "2020-01-01",
                "confirmed": True,
            }
        )

    def _ticket(self):
        """A ticket opened by the agent, read back with the test's rights."""
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .create(
                {
                    "name": "Facturas rechazadas por el organismo",
                    "description": "<p>Rechazo 10040</p>",
                    "partner_id": self.contact.id,
                    "severity": "1",
                }
            )
        )
        return ticket.with_env(self.env)

    def test_agent_creates_ticket(self):
        self.start_tour(
            "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/new",
            "psa_agent_creates_ticket",
            login="tour_agent",
        )
        ticket = self.env["helpdesk.ticket"].search(
            [("partner_id", "=", self.contact.id)]
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.installation_id, self.installation)
        self.assertEqual(ticket.psa_priority, "1")
        self.assertTrue(ticket.psa_sla_ids)

    def test_agent_sees_coverage_before_saving(self):
        nocover = self.env["res.partner"].create(
            {"name": "Nocover SA", "is_company": True}
        )
        self.env["res.partner"].create(
            {"name": "Pedro Nocover", "parent_id": nocover.id}
        )
        self.env["psa.installation"].create(
            {
                "partner_id": nocover.id,
                "product_id": self.installation.product_id.id,
                "version_id": self.installation.version_id.id,
            }
        )
        tickets = self.env["helpdesk.ticket"].search([])
        self.start_tour(
            "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/new",
            "psa_agent_sees_coverage_before_saving",
            login="tour_agent",
        )
        self.assertEqual(
            self.env["helpdesk.ticket"].search([]), tickets, "nothing saved"
        )

    def test_sla_time_left_in_list_and_kanban(self):
        self._ticket().name = "Caída total"
        nocover = self.env["res.partner"].create(
            {"name": "Nocover SRL", "is_company": True}
        )
        self.env["helpdesk.ticket"].with_user(self.agent).create(
            {
                "name": "Sin contrato",
                "description": "<p>x</p>",
                "partner_id": nocover.id,
            }
        )
        self.start_tour(
            "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
            "psa_agent_sees_sla_time_left",
            login="tour_agent",
        )

    def test_manager_gives_developer_role(self):
        admin = new_test_user(
            self.env,
            login="tour_admin",
            password="tour_admin_pw",
            groups="base.group_user,base.group_erp_manager,"
            "psa_helpdesk.group_psa_manager",
        )
        user = new_test_user(self.env, login="tour_newcomer", groups="base.group_user")
        self.assertFalse(admin.has_group("base.group_no_one"), "no developer mode")
        self.start_tour(
            f"/odoo/action-base.action_res_users/{user.id}",
            "psa_manager_gives_developer_role",
            login="tour_admin",
        )
        self.assertTrue(user.has_group("psa_helpdesk.group_psa_developer"))
        self.assertTrue(user.has_group("project.group_project_user"), "implied")

    def test_escalate_and_develop(self):
        ticket = self._ticket()
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "psa_agent_escalates_ticket",
            login="tour_agent",
        )
        task = ticket.task_id
        self.assertEqual(task.project_id, self.dev_project)
        # unassigned in the product's backlog: a developer who is not
        # assigned moves it from its form and sees its tickets
        self.assertFalse(task.user_ids)
        self.start_tour(
            f"/odoo/project.task/{task.id}",
            "psa_developer_moves_task",
            login="tour_dev",
        )
        self.assertEqual(task.stage_id.name, "Released")
        for stage in ("In progress", "Released"):
            self.assertTrue(
                ticket.message_ids.filtered(lambda m, s=stage: s in (m.body or "")),
                stage,
            )

    def test_manager_opens_sla_report(self):
        self._ticket()
        self.start_tour("/odoo", "psa_manager_opens_sla_report", login="tour_manager")
