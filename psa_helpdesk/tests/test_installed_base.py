# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from ..models.psa_product_version import version_sort_key
from .common import PsaCommon


@tagged("post_install", "-at_install")
class TestProductVersions(PsaCommon):
    def test_version_key_sorts_as_versions(self):
        keys = [
            version_sort_key(v) for v in ("3.9", "3.10", "3.10.1", "4.0-rc1", "4.0")
        ]
        self.assertEqual(keys, sorted(keys))
        self.assertGreater(version_sort_key("3.10"), version_sort_key("3.9"))
        self.assertEqual(version_sort_key("3"), version_sort_key("3.0.0"))

    def test_versions_ordered_newest_first(self):
        versions = self.env["psa.product.version"].search(
            [("product_id", "=", self.product.id)]
        )
        self.assertEqual(versions.mapped("name"), ["4.0", "3.10", "3.9"])
        self.assertEqual(self.product.latest_version_id, self.v40)
        self.assertTrue(self.v39._is_older_than(self.v310))
        self.assertFalse(self.v310._is_older_than(self.v39))

    def test_malformed_version_rejected(self):
        for bad in ("v3.2", "3..2", "3.2.1.4.5", "latest", "3.2-", " "):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                self.env["psa.product.version"].create(
                    {"product_id": self.product.id, "name": bad}
                )
        self.assertEqual(len(self.product.version_ids), 3, "nothing was created")

    def test_version_name_is_trimmed(self):
        version = self.env["psa.product.version"].create(
            {"product_id": self.product.id, "name": " 4.1 "}
        )
        self.assertEqual(version.name, "4.1")
        self.assertEqual(version.display_name, "TGM 4.1")


@tagged("post_install", "-at_install")
class TestInstallation(PsaCommon):
    def test_name_and_counts(self):
        self.assertEqual(
            self.installation.name, "Town of Testville · TGM 3.9 · Production"
        )
        self.assertTrue(self.installation.is_customized)
        self.assertEqual(self.installation.customized_module_ids, self.mod_tax)
        self.assertEqual(self.customer.psa_installation_count, 1)
        self.assertEqual(self.contact.psa_installation_count, 1)
        self.assertEqual(self.product.installation_count, 1)

    def test_name_in_the_readers_language(self):
        """The stored name (searched) names the environment in English
        whoever saved it; the displayed name in the reader's language."""
        self.env["res.lang"]._activate_lang("es_AR")
        selection = self.env["ir.model.fields.selection"].search(
            [
                ("field_id.model", "=", "psa.installation"),
                ("field_id.name", "=", "environment"),
                ("value", "=", "production"),
            ]
        )
        selection.with_context(lang="es_AR").name = "Producción"
        self.env.registry.clear_cache()
        spanish = self.installation.with_context(lang="es_AR")
        spanish.version_id = self.v310  # saved by a Spanish speaker
        self.assertEqual(spanish.name, "Town of Testville · TGM 3.10 · Production")
        self.assertEqual(
            spanish.display_name, "Town of Testville · TGM 3.10 · Producción"
        )
        self.assertEqual(
            self.installation.with_context(lang="en_US").display_name,
            "Town of Testville · TGM 3.10 · Production",
        )

    def test_version_of_other_product_rejected(self):
        with self.assertRaises(ValidationError):
            self.installation.version_id = self.other_version
        self.assertEqual(self.installation.version_id, self.v39)

    def test_module_of_other_product_rejected(self):
        with self.assertRaises(ValidationError):
            self.installation.module_ids = [Command.link(self.other_module.id)]
        self.assertEqual(self.installation.module_ids, self.mod_tax | self.mod_land)

    def test_customization_of_other_product_rejected(self):
        with self.assertRaises(ValidationError):
            self.env["psa.installation.customization"].create(
                {
                    "installation_id": self.installation.id,
                    "module_id": self.other_module.id,
                    "name": "Wrong",
                }
            )

    def test_duplicate_installation_rejected(self):
        Installation = self.env["psa.installation"]
        with self.assertRaises(ValidationError):
            Installation.create(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.product.id,
                    "version_id": self.v40.id,
                    "environment": "production",
                }
            )
        # same customer and product in another environment is fine
        test_env = Installation.create(
            {
                "partner_id": self.customer.id,
                "product_id": self.product.id,
                "version_id": self.v40.id,
                "environment": "test",
            }
        )
        with self.assertRaises(ValidationError):
            test_env.environment = "production"
        self.assertEqual(test_env.environment, "test")
        # an archived installation does not block a new one
        test_env.active = False
        Installation.create(
            {
                "partner_id": self.customer.id,
                "product_id": self.product.id,
                "version_id": self.v40.id,
                "environment": "test",
            }
        )

    def test_installation_belongs_to_company_not_contact(self):
        with self.assertRaises(ValidationError):
            self.env["psa.installation"].create(
                {
                    "partner_id": self.contact.id,
                    "product_id": self.product.id,
                    "version_id": self.v39.id,
                    "environment": "training",
                }
            )

    def test_version_history(self):
        with freeze_time("2026-03-02 10:00:00"):
            self.installation.with_user(self.analyst).version_id = self.v310
        history = self.installation.history_ids.sorted("id")
        self.assertEqual(len(history), 2, "creation and the upgrade")
        self.assertFalse(history[0].from_version_id)
        self.assertEqual(history[0].to_version_id, self.v39)
        upgrade = history[1]
        self.assertEqual(upgrade.from_version_id, self.v39)
        self.assertEqual(upgrade.to_version_id, self.v310)
        self.assertEqual(upgrade.user_id, self.analyst)
        self.assertEqual(str(upgrade.date), "2026-03-02 10:00:00")
        # writing the same version again is not a change
        self.installation.version_id = self.v310
        self.assertEqual(len(self.installation.history_ids), 2)

    def test_version_history_keeps_project(self):
        project = self.env["project.project"].create({"name": "Upgrade Testville"})
        # no context key puts a project in the history: only the delivery of
        # the installation's own upgrade project does
        self.installation.with_user(self.analyst).with_context(
            psa_upgrade_project_id=project.id
        ).version_id = self.v310
        self.assertFalse(self.installation.history_ids[:1].project_id)
        with self.assertRaisesRegex(UserError, "not an upgrade project"):
            self.installation._psa_deliver_upgrade(project)
        self.assertEqual(self.installation.version_id, self.v310)
        project.write(
            {
                "psa_installation_id": self.installation.id,
                "psa_target_version_id": self.v40.id,
            }
        )
        self.installation._psa_deliver_upgrade(project)
        self.assertEqual(self.installation.version_id, self.v40)
        delivered = self.installation.history_ids.sorted("id")[-1:]
        self.assertEqual(delivered.to_version_id, self.v40)
        self.assertEqual(delivered.project_id, project)

    def test_onchange_product_resets_version_and_modules(self):
        form = Form(self.env["psa.installation"])
        form.partner_id = self.other_customer
        form.product_id = self.product
        self.assertEqual(form.version_id, self.v40, "latest version preselected")
        form.module_ids.add(self.mod_tax)
        form.product_id = self.other_product
        self.assertEqual(form.version_id, self.other_version)
        self.assertFalse(form.module_ids)


@tagged("post_install", "-at_install")
class TestTicketEnvironment(PsaCommon):
    def test_snapshot_on_creation(self):
        ticket = self._ticket(installation_id=self.installation.id)
        self.assertEqual(ticket.psa_product_id, self.product)
        self.assertEqual(ticket.psa_version_id, self.v39)
        self.assertEqual(ticket.psa_environment, "production")
        self.assertEqual(ticket.psa_module_ids, self.mod_tax | self.mod_land)
        self.assertEqual(ticket.psa_customized_module_ids, self.mod_tax)
        self.assertIn("Amnesty 2024", ticket.psa_customization_notes)

    def test_single_installation_preselected(self):
        ticket = self._ticket(user=self.agent)
        self.assertEqual(ticket.installation_id, self.installation)
        self.assertEqual(ticket.psa_version_id, self.v39)

    def test_no_preselection_when_ambiguous(self):
        self.env["psa.installation"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "product_id": self.other_product.id,
                    "version_id": self.other_version.id,
                    "environment": "production",
                },
            ]
        )
        ticket = self._ticket()
        self.assertFalse(ticket.installation_id)
        self.assertFalse(ticket.psa_product_id)

    def test_upgrade_does_not_change_old_ticket(self):
        ticket = self._ticket(installation_id=self.installation.id)
        self.installation.write(
            {
                "version_id": self.v40.id,
                "module_ids": [Command.set([self.mod_cash.id])],
            }
        )
        self.installation.customization_ids.unlink()
        self.env.invalidate_all()
        self.assertEqual(ticket.psa_version_id, self.v39)
        self.assertEqual(ticket.psa_module_ids, self.mod_tax | self.mod_land)
        self.assertEqual(ticket.psa_customized_module_ids, self.mod_tax)
        # a recomputation of everything still does not touch the snapshot
        ticket._recompute_recordset()
        self.assertEqual(ticket.psa_version_id, self.v39)
        # a new ticket sees the new version
        new_ticket = self._ticket(installation_id=self.installation.id)
        self.assertEqual(new_ticket.psa_version_id, self.v40)
        self.assertEqual(new_ticket.psa_module_ids, self.mod_cash)
        # the refresh action takes the new snapshot, and says so
        ticket.action_refresh_environment()
        self.assertEqual(ticket.psa_version_id, self.v40)
        self.assertIn("3.9", ticket.message_ids[:1].body)

    def test_installation_of_other_customer_rejected(self):
        with self.assertRaises(ValidationError):
            self._ticket(installation_id=self.other_installation.id)
        ticket = self._ticket(installation_id=self.installation.id)
        with self.assertRaises(ValidationError):
            ticket.installation_id = self.other_installation
        self.assertEqual(ticket.installation_id, self.installation)
        # moving the ticket to another customer without changing the
        # installation is refused too
        with self.assertRaises(ValidationError):
            ticket.partner_id = self.other_contact
        self.assertEqual(ticket.partner_id, self.contact)

    def test_onchange_partner_offers_installation(self):
        form = Form(self.env["helpdesk.ticket"].with_user(self.agent))
        form.name = "Slow reports"
        form.description = "<p>x</p>"
        form.partner_id = self.contact
        self.assertEqual(form.installation_id, self.installation)
        form.partner_id = self.other_contact
        self.assertEqual(form.installation_id, self.other_installation)
        ticket = form.save()
        self.assertEqual(ticket.psa_product_id, self.other_product)

    def test_removing_installation_clears_snapshot(self):
        ticket = self._ticket(installation_id=self.installation.id)
        ticket.installation_id = False
        self.assertFalse(ticket.psa_product_id)
        self.assertFalse(ticket.psa_module_ids)

    def test_group_and_filter_by_installed_base(self):
        self._ticket(installation_id=self.installation.id)
        self._ticket(
            partner_id=self.other_contact.id,
            installation_id=self.other_installation.id,
        )
        Ticket = self.env["helpdesk.ticket"]
        scope = [
            ("commercial_partner_id", "in", (self.customer | self.other_customer).ids)
        ]
        by_product = dict(Ticket._read_group(scope, ["psa_product_id"], ["__count"]))
        self.assertEqual(by_product, {self.product: 1, self.other_product: 1})
        by_module = dict(Ticket._read_group(scope, ["psa_module_ids"], ["__count"]))
        self.assertEqual(by_module[self.mod_tax], 1)
        self.assertEqual(by_module[self.mod_land], 1)
        by_version = dict(Ticket._read_group(scope, ["psa_version_id"], ["__count"]))
        self.assertEqual(by_version[self.v39], 1)
        self.assertEqual(
            Ticket.search_count(scope + [("psa_module_ids", "=", self.mod_land.id)]), 1
        )
