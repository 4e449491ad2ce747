# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Integrity of the SLA evidence (SPEC §7): audit rows and the fields the
application writes change only through the actions that own them, whoever
asks and however (form, RPC, context keys, x2many commands)."""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import new_company_user
from .common_development import PsaDevelopmentCommon

NOW = "2026-03-02 10:00:00"
FORGED_DATE = "2020-01-01 00:00:00"


@tagged("post_install", "-at_install")
class TestIntegrityAudit(PsaDevelopmentCommon):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(
            cls.env, login="i_portal", groups="base.group_portal"
        )
        cls.portal.partner_id.parent_id = cls.customer
        cls.company_b, cls.user_b = new_company_user(
            cls.env,
            "Subsidiary B (integrity)",
            "i_manager_b",
            "psa_helpdesk.group_psa_manager,psa_helpdesk.group_psa_implementation",
        )
        cls.roles = {
            "portal": cls.portal,
            "agent": cls.agent,
            "analyst": cls.analyst,
            "developer": cls.developer,
            "implementation": cls.implementer,
            "manager": cls.manager,
            "other company": cls.user_b,
        }
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Support 8x5 (integrity)", "tz": "UTC"}
        )
        cls.policy = cls.env["psa.sla.policy"].create(
            {
                "name": "Integrity policy",
                "resource_calendar_id": cls.calendar.id,
                "target_ids": [
                    Command.create(
                        {
                            "priority": priority,
                            "response_hours": 2,
                            "resolution_hours": 16,
                        }
                    )
                    for priority in ("1", "2", "3")
                ],
            }
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Integrity L1",
                "support_level": "1",
                "psa_sla_policy_id": cls.policy.id,
                "user_ids": [Command.set((cls.agent | cls.analyst).ids)],
            }
        )
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        with freeze_time("2026-03-02 09:00:00"):
            cls.ticket = cls._ticket(user=cls.agent, team_id=cls.team.id)
            cls._escalate_level(cls.ticket, cls.agent, "2")
        cls.escalation = cls.ticket.psa_escalation_ids
        cls.history = cls.installation.history_ids[:1]
        cls.segment = cls.env["psa.ticket.segment"].create(
            {
                "ticket_id": cls.ticket.id,
                "dimension": "stage",
                "stage_id": cls.stage_new.id,
                "date_start": "2026-03-02 09:00:00",
                "date_end": "2026-03-02 10:00:00",
                "wall_hours": 1.0,
                "business_hours": 1.0,
            }
        )
        cls.live_clock = cls.ticket.psa_sla_ids.filtered(
            lambda c: c.metric == "resolution"
        )
        cls.finished_clock = cls.env["psa.ticket.sla"].create(
            {
                "ticket_id": cls.ticket.id,
                "metric": "response",
                "cycle": 0,
                "start_date": "2026-02-02 09:00:00",
                "end_date": "2026-02-02 12:00:00",
                "target_hours": 2.0,
                "consumed_hours": 3.0,
                "overrun_hours": 1.0,
                "status": "breached",
                "penalty_amount": 150.0,
            }
        )
        cls.other_project = cls.env["project.project"].create(
            {"name": "Sales follow-up", "privacy_visibility": "employees"}
        )

    @classmethod
    def _escalate_level(cls, ticket, user, to_level, **context):
        wizard = (
            cls.env["psa.ticket.escalate.wizard"]
            .with_user(user)
            .with_context(active_model="helpdesk.ticket", active_id=ticket.id)
            .create({"to_level": to_level, "reason": "Needs an analyst"})
        )
        return wizard.with_context(**context).action_escalate()

    def _snapshot(self, records):
        """The stored values of ``records`` in the database, to compare
        before and after."""
        self.env.invalidate_all()
        return records.sudo().read(
            [fname for fname, field in records._fields.items() if field.store]
        )

    def _last_history(self):
        return self.installation.history_ids.sorted("id")[-1:]

    # ------------------------------------------------------------------
    # Audit rows: no direct create, write or unlink, for any role
    # ------------------------------------------------------------------

    def _audit_rows(self):
        """(record, forged create values, forged write values) per model."""
        return {
            "psa.ticket.escalation": (
                self.escalation,
                {
                    "ticket_id": self.ticket.id,
                    "user_id": self.manager.id,
                    "date": FORGED_DATE,
                    "from_level": "1",
                    "to_level": "3",
                    "reason": "Forged",
                },
                {"user_id": self.manager.id, "date": FORGED_DATE, "reason": "No"},
            ),
            "psa.installation.history": (
                self.history,
                {
                    "installation_id": self.installation.id,
                    "to_version_id": self.v40.id,
                    "user_id": self.manager.id,
                    "date": FORGED_DATE,
                    "project_id": self.other_project.id,
                },
                {"project_id": self.other_project.id, "date": FORGED_DATE},
            ),
            "psa.ticket.segment": (
                self.segment,
                {
                    "ticket_id": self.ticket.id,
                    "company_id": self.company.id,
                    "dimension": "stage",
                    "date_start": FORGED_DATE,
                    "date_end": NOW,
                    "wall_hours": 999.0,
                },
                {"wall_hours": 0.0, "business_hours": 0.0},
            ),
            "psa.ticket.sla": (
                self.finished_clock | self.live_clock,
                {
                    "ticket_id": self.ticket.id,
                    "metric": "resolution",
                    "start_date": FORGED_DATE,
                    "status": "met",
                },
                {"status": "met", "deadline": "2030-01-01 00:00:00"},
            ),
        }

    def test_audit_rows_refuse_direct_changes_for_every_role(self):
        for model, (records, create_vals, write_vals) in self._audit_rows().items():
            Model = self.env[model]
            for role, user in self.roles.items():
                with self.subTest(model=model, role=role):
                    count = Model.sudo().search_count([])
                    before = self._snapshot(records)
                    with self.assertRaises(AccessError):
                        Model.with_user(user).create(create_vals)
                    for record in records:
                        with self.assertRaises(AccessError):
                            record.with_user(user).write(write_vals)
                        with self.assertRaises(AccessError):
                            record.with_user(user).unlink()
                    self.assertEqual(Model.sudo().search_count([]), count)
                    self.assertEqual(self._snapshot(records), before)

    def test_audit_rows_refuse_x2many_commands(self):
        before = self._snapshot(self.history)
        commands = [
            (
                self.analyst,
                Command.create({"to_version_id": self.v40.id, "date": FORGED_DATE}),
            ),
            (self.manager, Command.update(self.history.id, {"date": FORGED_DATE})),
            (self.manager, Command.delete(self.history.id)),
        ]
        for user, command in commands:
            with self.subTest(command=command[0]), self.assertRaises(AccessError):
                self.installation.with_user(user).write({"history_ids": [command]})
        self.assertEqual(self.installation.history_ids, self.history)
        self.assertEqual(self._snapshot(self.history), before)

    def test_finished_clock_is_never_rewritten(self):
        self.assertTrue(self.live_clock)
        before = self._snapshot(self.finished_clock)
        # not even by the engine, which works in superuser mode
        with self.assertRaisesRegex(AccessError, "never rewritten"):
            self.finished_clock.sudo().write({"status": "met", "penalty_amount": 0})
        self.assertEqual(self._snapshot(self.finished_clock), before)
        self.live_clock.sudo().write({"status": "at_risk"})
        self.assertEqual(self.live_clock.status, "at_risk")

    # ------------------------------------------------------------------
    # The owning actions still work and set who and when themselves
    # ------------------------------------------------------------------

    def test_escalate_action_writes_author_and_date(self):
        for role in ("agent", "analyst", "manager"):
            user = self.roles[role]
            with self.subTest(role=role):
                ticket = self._ticket(user=self.agent, team_id=self.team.id)
                with freeze_time(NOW):
                    self._escalate_level(
                        ticket,
                        user,
                        "3",
                        default_user_id=self.user_b.id,
                        default_date=FORGED_DATE,
                        default_company_id=self.company_b.id,
                    )
                log = ticket.psa_escalation_ids
                self.assertEqual(len(log), 1)
                self.assertEqual(log.user_id, user)
                self.assertEqual(str(log.date), NOW)
                self.assertEqual(log.company_id, self.company)
                self.assertEqual(ticket.company_id, self.company)
                self.assertEqual(ticket.support_level, "3")

    def test_escalate_action_refused_to_other_roles(self):
        for role in ("portal", "developer", "implementation", "other company"):
            user = self.roles[role]
            with self.subTest(role=role):
                ticket = self._ticket(team_id=self.team.id)
                with self.assertRaises(AccessError):
                    self._escalate_level(ticket, user, "2")
                self.assertFalse(ticket.psa_escalation_ids)
                self.assertEqual(ticket.support_level, "1")

    def test_version_change_writes_its_history_itself(self):
        for role in ("analyst", "manager"):
            user = self.roles[role]
            with self.subTest(role=role):
                self.installation.version_id = self.v39
                with freeze_time(NOW):
                    self.installation.with_user(user).with_context(
                        psa_upgrade_project_id=self.other_project.id,
                        default_project_id=self.other_project.id,
                        default_user_id=self.manager.id,
                        default_date=FORGED_DATE,
                    ).version_id = self.v310
                row = self._last_history()
                self.assertEqual(
                    (row.from_version_id, row.to_version_id), (self.v39, self.v310)
                )
                self.assertEqual(row.user_id, user)
                self.assertEqual(str(row.date), NOW)
                self.assertFalse(row.project_id)

    def test_version_change_refused_to_other_roles(self):
        for role in ("portal", "agent", "developer", "implementation", "other company"):
            user = self.roles[role]
            with self.subTest(role=role):
                history = self.installation.history_ids
                with self.assertRaises(AccessError):
                    self.installation.with_user(user).version_id = self.v310
                self.assertEqual(self.installation.version_id, self.v39)
                self.assertEqual(self.installation.history_ids, history)

    def _upgrade_project(self, target=None, **vals):
        return self.env["project.project"].create(
            {
                "name": "Upgrade Testville",
                "psa_installation_id": self.installation.id,
                "psa_target_version_id": (target or self.v40).id,
                "company_id": self.company.id,
                **vals,
            }
        )

    def test_upgrade_delivery_names_its_project(self):
        project = self._upgrade_project()
        with freeze_time(NOW):
            project.with_user(self.implementer).with_context(
                default_project_id=self.other_project.id,
                default_user_id=self.manager.id,
                default_date=FORGED_DATE,
            ).action_psa_deliver_upgrade()
        row = self._last_history()
        self.assertEqual((row.from_version_id, row.to_version_id), (self.v39, self.v40))
        self.assertEqual(row.project_id, project)
        self.assertEqual(row.user_id, self.implementer)
        self.assertEqual(str(row.date), NOW)
        self.assertEqual(str(project.psa_delivery_date), NOW)
        self.assertEqual(project.psa_delivered_by_id, self.implementer)

    def test_upgrade_delivery_refused_to_other_roles(self):
        project = self._upgrade_project()
        for role in (
            "portal",
            "agent",
            "analyst",
            "developer",
            "manager",
            "other company",
        ):
            user = self.roles[role]
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    project.with_user(user).action_psa_deliver_upgrade()
                self.assertEqual(self.installation.version_id, self.v39)
                self.assertFalse(project.psa_delivery_date)
                self.assertEqual(len(self.installation.history_ids), 1)

    def test_engine_takes_no_value_from_the_context(self):
        with freeze_time(NOW):
            ticket = (
                self.env["helpdesk.ticket"]
                .with_user(self.agent)
                .with_context(
                    default_end_date=NOW,
                    default_status="met",
                    default_penalty_amount=1000.0,
                    default_breach_alert_date=NOW,
                )
                .create(
                    {
                        "name": "Clocks from the engine",
                        "description": "<p>Details</p>",
                        "partner_id": self.contact.id,
                        "team_id": self.team.id,
                    }
                )
            )
        clocks = ticket.psa_sla_ids.sudo()
        self.assertTrue(clocks)
        for clock in clocks:
            self.assertFalse(clock.end_date)
            self.assertEqual(clock.status, "running")
            self.assertFalse(clock.penalty_amount)
            self.assertFalse(clock.breach_alert_date)

    def test_history_segments_take_no_value_from_the_context(self):
        ticket = self._ticket(user=self.agent, team_id=self.team.id)
        ticket.with_user(self.agent).with_context(
            default_stage_id=self.stage_ticket_done.id,
            default_wall_hours=999.0,
        ).write({"user_id": self.analyst.id})
        segment = self.env["psa.ticket.segment"].search(
            [("ticket_id", "=", ticket.id), ("dimension", "=", "user")]
        )
        self.assertEqual(len(segment), 1)
        self.assertFalse(segment.stage_id)
        self.assertLess(segment.wall_hours, 1)

    # ------------------------------------------------------------------
    # Escalation to development: the task is the agent's own
    # ------------------------------------------------------------------

    def test_development_task_created_as_the_agent(self):
        ticket = self._ticket()
        wizard = self._escalate(ticket, user=self.agent)
        task = ticket.task_id
        self.assertEqual(wizard.project_id, self.dev_project)
        self.assertEqual(task.project_id, self.dev_project)
        self.assertEqual(task.create_uid, self.agent)

    def test_development_escalation_refuses_a_confidential_project(self):
        confidential = self.env["project.project"].create(
            {"name": "Confidential development", "privacy_visibility": "followers"}
        )
        self.product.development_project_id = confidential
        Task = self.env["project.task"]
        tasks = Task.search_count([])
        ticket = self._ticket()
        stage = ticket.stage_id
        with self.assertRaisesRegex(AccessError, "Confidential development"):
            self._escalate(ticket, user=self.agent, name="Free title")
        self.assertEqual(Task.search_count([]), tasks)
        self.assertFalse(ticket.task_id)
        self.assertEqual(ticket.stage_id, stage)
        # nor directly, over RPC
        with self.assertRaises(AccessError):
            Task.with_user(self.agent).create(
                {"name": "Free title", "project_id": confidential.id}
            )
        self.assertEqual(Task.search_count([]), tasks)
        # a follower of the project may escalate there
        confidential.message_subscribe(partner_ids=self.agent.partner_id.ids)
        self._escalate(ticket, user=self.agent)
        self.assertEqual(ticket.task_id.project_id, confidential)
        self.assertEqual(ticket.task_id.create_uid, self.agent)

    def test_development_escalation_refuses_other_projects(self):
        Task = self.env["project.task"]
        tasks = Task.search_count([])
        ticket = self._ticket()
        with self.assertRaisesRegex(AccessError, "Sales follow-up"):
            self._escalate(ticket, user=self.agent, project_id=self.other_project.id)
        with self.assertRaises(AccessError):
            Task.with_user(self.agent).create(
                {"name": "Free title", "project_id": self.other_project.id}
            )
        self.assertEqual(Task.search_count([]), tasks)
        self.assertFalse(ticket.task_id)

    def test_development_link_needs_read_access_to_the_task(self):
        confidential = self.env["project.project"].create(
            {"name": "Confidential development", "privacy_visibility": "followers"}
        )
        secret = self.env["project.task"].create(
            {"name": "Secret task", "project_id": confidential.id}
        )
        ticket = self._ticket()
        with self.assertRaises(AccessError):
            self._escalate(
                ticket,
                user=self.agent,
                mode="existing",
                project_id=confidential.id,
                task_id=secret.id,
            )
        self.assertFalse(ticket.task_id)
        self.assertFalse(secret.ticket_ids)

    # ------------------------------------------------------------------
    # Upgrade requests: only the configured template is copied as superuser
    # ------------------------------------------------------------------

    def _request_upgrade(self, user, template):
        wizard = self.env(user=user)["psa.upgrade.request.wizard"].create(
            {
                "installation_id": self.installation.id,
                "target_version_id": self.v40.id,
                "template_project_id": template.id,
            }
        )
        action = wizard.action_request()
        return self.env["project.project"].browse(action["res_id"])

    def test_upgrade_request_copies_only_the_configured_template(self):
        template = self.env["project.project"].create({"name": "Upgrade template"})
        self.company.psa_upgrade_template_project_id = template
        Project = self.env["project.project"].with_context(active_test=False)
        projects = Project.search_count([])
        with self.assertRaisesRegex(AccessError, "Sales follow-up"):
            self._request_upgrade(self.implementer, self.other_project)
        self.assertEqual(Project.search_count([]), projects)
        project = self._request_upgrade(self.implementer, template)
        self.assertEqual(project.psa_installation_id, self.installation)
        self.assertFalse(project.psa_delivery_date)
        # a project manager copies another project with their own rights
        project_manager = new_test_user(
            self.env,
            login="i_project_manager",
            groups="project.group_project_manager,"
            "psa_helpdesk.group_psa_implementation",
        )
        project = self._request_upgrade(project_manager, self.other_project)
        self.assertEqual(project.create_uid, project_manager)

    # ------------------------------------------------------------------
    # Fields the application writes: refused in a direct create or write
    # ------------------------------------------------------------------

    def test_system_fields_refused_to_direct_writes(self):
        contract = self.contracts.filtered(lambda c: c.partner_id == self.customer)
        project = self._upgrade_project()
        project_manager = new_test_user(
            self.env,
            login="i_project_manager",
            groups="project.group_project_manager,psa_helpdesk.group_psa_developer",
        )
        task = self.env["project.task"].create(
            {"name": "Fix", "project_id": self.dev_project.id}
        )
        rule = self.env["psa.priority.aging.rule"].create(
            {"from_priority": "3", "to_priority": "2", "hours": 8}
        )
        cases = [
            (contract, self.manager, {"state": "draft"}),
            (contract, self.manager, {"confirmed": False}),
            (contract, self.manager, {"cancelled": True}),
            (self.installation, self.analyst, {"name": "Forged name"}),
            (self.installation, self.analyst, {"is_customized": False}),
            (self.v39, self.manager, {"version_key": "9999"}),
            (rule, self.manager, {"name": "Forged rule"}),
            (project, project_manager, {"psa_delivery_date": NOW}),
            (project, project_manager, {"psa_delivered_by_id": self.manager.id}),
            (
                task,
                project_manager,
                {"psa_notified_installation_ids": [Command.set(self.installation.ids)]},
            ),
        ]
        for record, user, vals in cases:
            with self.subTest(model=record._name, vals=vals):
                before = self._snapshot(record)
                with self.assertRaises(AccessError):
                    record.with_user(user).write(vals)
                self.assertEqual(self._snapshot(record), before)
        with self.assertRaises(AccessError):
            self.env["psa.contract"].with_user(self.manager).create(
                {
                    "name": "Born confirmed",
                    "partner_id": self.other_customer.id,
                    "service_tier_id": contract.service_tier_id.id,
                    "confirmed": True,
                }
            )
        with self.assertRaises(AccessError):
            self.env["project.project"].with_user(project_manager).create(
                {"name": "Born delivered", "psa_delivery_date": NOW}
            )

    def test_contract_actions_still_work(self):
        contract = self.contracts.filtered(lambda c: c.partner_id == self.customer)
        for user in (self.agent, self.analyst):
            with self.assertRaises(AccessError):
                contract.with_user(user).action_cancel()
        contract.with_user(self.manager).action_cancel()
        self.assertEqual(contract.state, "cancelled")
        contract.with_user(self.manager).action_reset_draft()
        contract.with_user(self.manager).action_confirm()
        self.assertEqual(contract.state, "active")

    def test_delivered_project_keeps_its_installation(self):
        project = self._upgrade_project()
        project.with_user(self.implementer).action_psa_deliver_upgrade()
        with self.assertRaisesRegex(UserError, "delivered its upgrade"):
            project.write({"psa_installation_id": self.other_installation.id})
        with self.assertRaisesRegex(UserError, "delivered its upgrade"):
            project.write({"psa_target_version_id": self.v310.id})
        self.assertEqual(project.psa_installation_id, self.installation)
        project.write({"name": "Upgrade Testville (delivered)"})
