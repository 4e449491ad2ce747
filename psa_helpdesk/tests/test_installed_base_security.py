# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import PsaCommon, new_company_user


@tagged("post_install", "-at_install")
class TestInstalledBaseSecurity(PsaCommon):
    def test_agent_cannot_read_server_access(self):
        installation = self.installation.with_user(self.agent)
        self.assertEqual(installation.name, self.installation.name)
        with self.assertRaises(AccessError):
            installation.read(["server_access_details"])
        with self.assertRaises(AccessError):
            installation.read(["server_host"])
        with self.assertRaises(AccessError):
            installation.search([("server_access_details", "ilike", "secret")])
        self.assertNotIn(
            "server_access_details", installation.fields_get(), "field hidden from UI"
        )

    def test_server_access_group_reads_details(self):
        installation = self.installation.with_user(self.server_agent)
        self.assertIn("secret-profile", installation.server_access_details)
        # the manager has it implied
        self.assertTrue(self.installation.with_user(self.manager).server_access_details)

    def test_agent_reads_but_does_not_edit_installed_base(self):
        installation = self.installation.with_user(self.agent)
        self.assertTrue(installation.version_id.name)
        with self.assertRaises(AccessError):
            installation.write({"go_live_date": "2020-01-01"})
        with self.assertRaises(AccessError):
            self.env["psa.product"].with_user(self.agent).create(
                {"name": "X", "code": "X"}
            )

    def test_analyst_maintains_installations_not_catalogue(self):
        installation = self.installation.with_user(self.analyst)
        installation.version_id = self.v40
        self.assertEqual(self.installation.version_id, self.v40)
        with self.assertRaises(AccessError):
            installation.unlink()
        with self.assertRaises(AccessError):
            self.env["psa.product.version"].with_user(self.analyst).create(
                {"product_id": self.product.id, "name": "9.9"}
            )

    def test_history_is_append_only(self):
        history = self.installation.history_ids.with_user(self.analyst)
        with self.assertRaises(AccessError):
            history.write({"to_version_id": self.v40.id})
        with self.assertRaises(AccessError):
            self.env["psa.installation.history"].with_user(self.analyst).create(
                {"installation_id": self.installation.id, "to_version_id": self.v40.id}
            )

    def test_portal_sees_nothing(self):
        portal = new_test_user(self.env, login="psa_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.env["psa.installation"].with_user(portal).search([])
        with self.assertRaises(AccessError):
            self.env["psa.product"].with_user(portal).search([])

    def test_multi_company_isolation(self):
        company_b, agent_b = new_company_user(
            self.env, "Subsidiary B", "psa_agent_b", "psa_helpdesk.group_psa_agent"
        )
        inst_b = self.env["psa.installation"].create(
            {
                "partner_id": self.other_customer.id,
                "product_id": self.product.id,
                "version_id": self.v40.id,
                "company_id": company_b.id,
            }
        )
        visible = self.env["psa.installation"].with_user(agent_b).search([])
        self.assertIn(inst_b, visible)
        self.assertNotIn(self.installation, visible)
        visible_a = self.env["psa.installation"].with_user(self.agent).search([])
        self.assertNotIn(inst_b, visible_a)
        # shared products stay visible to both
        self.assertTrue(self.product.with_user(agent_b).name)
