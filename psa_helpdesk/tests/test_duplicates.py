# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .common import PsaCommon


@tagged("post_install", "-at_install")
class TestDuplicates(PsaCommon):
    """Possible duplicates suggested on a ticket, and the merge through
    helpdesk_mgmt's duplicate wizard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_rejected = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected")
        cls.payroll_installation = cls.env["psa.installation"].create(
            {
                "partner_id": cls.customer.id,
                "product_id": cls.other_product.id,
                "version_id": cls.other_version.id,
                "environment": "test",
            }
        )
        cls.original = cls._ticket(
            name="Error printing the tax receipts",
            installation_id=cls.installation.id,
        )

    def _new(self, name="Error when printing tax receipts", **vals):
        vals.setdefault("installation_id", self.installation.id)
        return self._ticket(user=self.agent, name=name, **vals)

    def _check_suggestions(self):
        ticket = self._new()
        self.assertEqual(ticket.psa_duplicate_candidate_ids, self.original)
        self.assertEqual(ticket.psa_duplicate_candidate_count, 1)
        # the original sees the new one; never itself
        self.assertEqual(self.original.psa_duplicate_candidate_ids, ticket)
        # a different subject is not a duplicate
        self.assertFalse(
            self._new(name="Slow login screen").psa_duplicate_candidate_ids
        )
        # another product of the same customer, no shared module
        other = self._new(installation_id=self.payroll_installation.id)
        self.assertNotIn(self.original, other.psa_duplicate_candidate_ids)
        # another customer
        foreign = self._ticket(
            name="Error printing the tax receipts", partner_id=self.other_contact.id
        )
        self.assertFalse(foreign.psa_duplicate_candidate_ids)
        # closed tickets are not suggested
        self.original.write(
            {"stage_id": self.stage_done.id, "psa_resolution": "<p>Fixed.</p>"}
        )
        self.assertNotIn(self.original, self._new().psa_duplicate_candidate_ids)

    def test_suggestions_trigram(self):
        if not self.env.registry.has_trigram:
            self.skipTest("pg_trgm is not installed")
        self._check_suggestions()

    def test_suggestions_word_overlap(self):
        with patch.object(self.env.registry, "has_trigram", False):
            self._check_suggestions()

    def test_shared_module_counts(self):
        """Same customer, another installation of the product sharing a
        module: still a candidate."""
        test_installation = self.env["psa.installation"].create(
            {
                "partner_id": self.customer.id,
                "product_id": self.product.id,
                "version_id": self.v40.id,
                "environment": "test",
                "module_ids": [Command.set(self.mod_tax.ids)],
            }
        )
        ticket = self._new(installation_id=test_installation.id)
        self.assertEqual(ticket.psa_duplicate_candidate_ids, self.original)

    def test_batch_one_query(self):
        tickets = self._new() | self._new(name="Error printing tax receipts again")
        tickets.invalidate_recordset(["psa_duplicate_candidate_ids"])
        with self.assertQueryCount(3):  # candidates, access filter, stages
            tickets.with_user(self.agent).mapped("psa_duplicate_candidate_ids")
        self.assertIn(self.original, tickets[0].psa_duplicate_candidate_ids)
        self.assertIn(self.original, tickets[1].psa_duplicate_candidate_ids)

    def test_suggested_while_typing(self):
        form = Form(self.env["helpdesk.ticket"].with_user(self.agent))
        form.partner_id = self.contact
        form.name = "Error printing the tax receipts"
        form.description = "<p>Same as last week</p>"
        self.assertEqual(form.psa_duplicate_candidate_count, 1)

    def test_mark_as_duplicate(self):
        self.env.company.helpdesk_mgmt_duplicate_ticket_stage_id = self.stage_done
        ticket = self._new()
        action = (
            self.original.with_user(self.agent)
            .with_context(psa_duplicate_ticket_id=ticket.id)
            .action_psa_mark_duplicate_of()
        )
        self.assertEqual(action["res_model"], "helpdesk.ticket.duplicate.wizard")
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.agent)
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(wizard.ticket_id, ticket)
        self.assertEqual(wizard.duplicate_of_id, self.original)
        # closing a duplicate needs no resolution of its own
        wizard.action_confirm()
        self.assertEqual(ticket.duplicate_id, self.original)
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertFalse(self.original.psa_duplicate_candidate_ids)

    def test_form_view_per_role(self):
        """The form shows suggestions to every helpdesk user, and the history
        only to the PSA roles."""
        helpdesk_user = new_test_user(
            self.env, login="hd_own", groups="helpdesk_mgmt.group_helpdesk_user_own"
        )
        for user, sees_history in ((self.agent, True), (helpdesk_user, False)):
            arch = (
                self.env["helpdesk.ticket"]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            self.assertIn('name="psa_duplicate_candidate_ids"', arch)
            self.assertIn('name="psa_resolution"', arch)
            self.assertEqual('name="psa_segment_ids"' in arch, sees_history)
