# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.mail.tools.discuss import Store

from .common_development import PsaDevelopmentCommon


@tagged("post_install", "-at_install")
class TestUpgradeProject(PsaDevelopmentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env["project.project"].create({"name": "Upgrade template"})
        cls.env["project.task"].create(
            [
                {"name": "Back up the database", "project_id": cls.template.id},
                {"name": "Upgrade the test environment", "project_id": cls.template.id},
            ]
        )
        cls.company.psa_upgrade_template_project_id = cls.template

    def _request(self, user, target, installation=None):
        wizard = self.env(user=user)["psa.upgrade.request.wizard"].create(
            {
                "installation_id": (installation or self.installation).id,
                "target_version_id": target.id,
            }
        )
        action = wizard.action_request()
        return self.env["project.project"].browse(action["res_id"])

    def test_request_upgrade_copies_template(self):
        project = self._request(self.implementer, self.v40)
        self.assertEqual(project.psa_installation_id, self.installation)
        self.assertEqual(project.psa_target_version_id, self.v40)
        self.assertEqual(project.partner_id, self.customer)
        self.assertEqual(
            sorted(project.task_ids.mapped("name")),
            ["Back up the database", "Upgrade the test environment"],
        )
        self.assertEqual(len(self.template.task_ids), 2, "template untouched")
        self.assertIn("3.9", project.name)
        self.assertIn("4.0", project.name)
        self.assertEqual(self.installation.upgrade_project_count, 1)
        # the implementation user sees the project and the installation
        project.with_user(self.implementer).read(["name", "psa_installation_id"])
        self.installation.with_user(self.implementer).read(["version_id"])
        with self.assertRaises(AccessError):
            self.installation.with_user(self.implementer).write(
                {"version_id": self.v40.id}
            )

    def test_request_without_template(self):
        self.company.psa_upgrade_template_project_id = False
        project = self._request(self.implementer, self.v310)
        self.assertEqual(project.psa_target_version_id, self.v310)
        self.assertFalse(project.task_ids)

    def test_request_older_version_is_refused(self):
        self.installation.version_id = self.v310
        Project = self.env["project.project"]
        before = Project.search_count([])
        with self.assertRaisesRegex(UserError, "must be newer"):
            self._request(self.implementer, self.v39)
        with self.assertRaisesRegex(UserError, "must be newer"):
            self._request(self.implementer, self.v310)
        self.assertEqual(Project.search_count([]), before)

    def test_request_version_of_other_product_is_refused(self):
        with self.assertRaisesRegex(UserError, "is a version of"):
            self._request(self.implementer, self.other_version)
        self.assertFalse(self.installation.upgrade_project_ids)

    def test_agent_cannot_request_upgrade(self):
        with self.assertRaises(AccessError):
            self._request(self.agent, self.v40)

    def test_deliver_upgrade(self):
        project = self._request(self.implementer, self.v40)
        project.with_user(self.implementer).action_psa_deliver_upgrade()
        self.assertEqual(self.installation.version_id, self.v40)
        history = self.installation.history_ids[:1]
        self.assertEqual(history.from_version_id, self.v39)
        self.assertEqual(history.to_version_id, self.v40)
        self.assertEqual(history.project_id, project)
        self.assertEqual(history.user_id, self.implementer)
        self.assertTrue(project.psa_delivery_date)
        self.assertEqual(project.psa_delivered_by_id, self.implementer)
        self.assertIn("delivered", project.message_ids[:1].body)
        self.assertIn("delivered", self.installation.message_ids[:1].body)
        with self.assertRaisesRegex(UserError, "already delivered"):
            project.with_user(self.implementer).action_psa_deliver_upgrade()

    def test_delivery_with_open_tasks_is_noted(self):
        """Issue 16, point 9: the project tells how many of its tasks are
        still open, and the delivery note says it was delivered with them."""
        project = self._request(self.implementer, self.v40)
        self.assertEqual(project.with_user(self.implementer).psa_open_task_count, 2)
        project.task_ids[:1].state = "1_done"
        self.assertEqual(project.psa_open_task_count, 1)
        project.with_user(self.implementer).action_psa_deliver_upgrade()
        self.assertIn(
            "1 task(s) of the project still open", project.message_ids[:1].body
        )
        # all done: no mention
        test_env = self.env["psa.installation"].create(
            {
                "partner_id": self.customer.id,
                "product_id": self.product.id,
                "version_id": self.v39.id,
                "environment": "test",
            }
        )
        other = self._request(self.implementer, self.v40, installation=test_env)
        other.task_ids.state = "1_canceled"
        self.assertEqual(other.psa_open_task_count, 0)
        other.with_user(self.implementer).action_psa_deliver_upgrade()
        self.assertNotIn("still open", other.message_ids[:1].body)

    def test_implementer_managing_the_project_posts_in_it(self):
        """Issue 16, point 9: the implementation user who is the project
        manager of an upgrade project posts in its chatter (without the
        right to edit the project); another implementation user does not."""
        project = self._request(self.implementer, self.v40)
        self.assertEqual(project.user_id, self.implementer)
        as_manager = project.with_user(self.implementer)
        self.assertFalse(as_manager.has_access("write"))
        message = as_manager.message_post(
            body="Backup done", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(message.author_id, self.implementer.partner_id)
        Project = self.env["project.project"]
        self.assertEqual(
            Project.with_user(self.implementer)._get_thread_with_access(
                project.id, mode="write"
            ),
            project,
        )
        # the chatter offers to post though the project is read-only to him
        store = Store()
        as_manager._thread_to_store(store, request_list=[])
        (thread,) = [
            t
            for t in store.get_result()["mail.thread"]
            if t["model"] == "project.project" and t["id"] == project.id
        ]
        self.assertTrue(thread["canPostOnReadonly"])
        other = new_test_user(
            self.env,
            login="psa_implementer_2",
            groups="psa_helpdesk.group_psa_implementation",
        )
        with self.assertRaises(AccessError):
            project.with_user(other).message_post(
                body="Not mine", message_type="comment"
            )
        self.assertFalse(
            Project.with_user(other)._get_thread_with_access(project.id, mode="write")
        )
        with self.assertRaises(AccessError):
            as_manager.write({"name": "Renamed"})

    def test_deliver_when_installation_is_already_newer(self):
        project = self._request(self.implementer, self.v310)
        self.installation.version_id = self.v40
        history_before = self.installation.history_ids
        with self.assertRaisesRegex(UserError, "must be newer"):
            project.with_user(self.implementer).action_psa_deliver_upgrade()
        self.assertEqual(self.installation.version_id, self.v40)
        self.assertEqual(self.installation.history_ids, history_before)
        self.assertFalse(project.psa_delivery_date)

    def test_target_version_of_other_product(self):
        project = self._request(self.implementer, self.v40)
        with self.assertRaises(ValidationError):
            project.psa_target_version_id = self.other_version

    def test_agent_cannot_deliver(self):
        project = self._request(self.implementer, self.v40)
        with self.assertRaises(AccessError):
            project.with_user(self.agent).action_psa_deliver_upgrade()
        with self.assertRaises(AccessError):
            project.with_user(self.developer).action_psa_deliver_upgrade()
        self.assertEqual(self.installation.version_id, self.v39)
