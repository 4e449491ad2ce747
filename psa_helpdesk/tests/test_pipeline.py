# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket pipeline (models/helpdesk_ticket.py) and the batch loop of the
scheduled actions (tools/cron.py)."""

from types import SimpleNamespace
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..tools import cron as cron_tools
from ..tools.cron import run_in_batches
from .common import PsaContractCommon

ADDON = "odoo.addons.psa_helpdesk."


@tagged("post_install", "-at_install")
class TestTicketPipeline(PsaContractCommon):
    def _psa_classes_defining(self, method):
        return [
            cls
            for cls in type(self.env["helpdesk.ticket"]).__mro__
            if cls.__module__.startswith(ADDON) and method in vars(cls)
        ]

    def test_one_create_one_write_one_message_hook(self):
        """Nothing outside the pipeline overrides the ticket's create, write
        or message hook: their order is the one the pipeline states, not the
        import order of the files."""
        for method in ("create", "write", "_message_post_after_hook"):
            classes = self._psa_classes_defining(method)
            self.assertEqual(
                [cls.__module__ for cls in classes],
                [ADDON + "models.helpdesk_ticket"],
                method,
            )

    def test_check_runs_before_effects(self):
        """A P1 incident created closed without a resolution summary is
        refused before anyone is alerted or any clock starts."""
        stage = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        Ticket = type(self.env["helpdesk.ticket"])
        with (
            patch.object(Ticket, "_psa_alert_p1", autospec=True) as alert,
            patch.object(Ticket, "_psa_sla_after_create", autospec=True) as clocks,
            self.assertRaises(UserError),
        ):
            self._ticket(
                user=self.agent,
                severity="1",
                request_type="incident",
                stage_id=stage.id,
            )
        alert.assert_not_called()
        clocks.assert_not_called()

    def test_support_calendar_shared_by_clocks_and_aging(self):
        """The clocks and the priority aging count on one calendar: the
        contract's, else the ticket's SLA policy's (also a team's policy),
        else the company's."""
        ticket = self._ticket(user=self.agent)
        self.assertEqual(ticket._psa_support_calendar(), self.calendar)
        self.contract.resource_calendar_id = False
        self.assertEqual(
            ticket._psa_support_calendar(), self.policy.resource_calendar_id
        )
        other = self.env["resource.calendar"].create({"name": "Team policy (test)"})
        team_policy = self.env["psa.sla.policy"].create(
            {"name": "Team policy", "resource_calendar_id": other.id}
        )
        self.contract.sla_policy_id = False
        self.team_l1.psa_sla_policy_id = team_policy
        ticket = self._ticket(user=self.agent, team_id=self.team_l1.id)
        self.assertEqual(ticket.psa_sla_policy_id, team_policy)
        self.assertEqual(ticket._psa_support_calendar(), other)
        self.assertEqual(ticket._psa_sla_context()[ticket.id][2], other)


@tagged("post_install", "-at_install")
class TestCronBatches(PsaContractCommon):
    def test_failing_record_skipped_not_its_batch(self):
        """One record that fails is logged and skipped; the others of its
        batch and of the next batches are done."""
        partners = self.env["res.partner"].create(
            [{"name": f"Batch {i}"} for i in range(5)]
        )
        bad = partners[2]

        def process(batch):
            for partner in batch:
                if partner == bad:
                    raise ValueError("bad record")
                partner.ref = "done"

        with self.assertLogs("odoo.addons.psa_helpdesk.tools.cron", "ERROR") as logs:
            failed = run_in_batches(partners, process, batch_size=2, what="Test")
        self.assertEqual(failed, bad)
        self.assertEqual(
            partners.mapped("ref"), ["done", "done", False, "done", "done"]
        )
        self.assertIn(f"Test failed for record {bad.id}", logs.output[0])

    def test_aging_skips_failing_ticket(self):
        """Priority aging: a ticket that fails does not stop its batch."""
        tickets = self._ticket(user=self.agent) | self._ticket(user=self.agent)
        Ticket = type(self.env["helpdesk.ticket"])
        original = Ticket._psa_update_aging
        seen = []

        def update(records, now=None):
            if tickets[0] in records:
                raise ValueError("bad ticket")
            seen.extend(records.ids)
            return original(records, now=now)

        with (
            patch.object(Ticket, "_psa_update_aging", update),
            self.assertLogs("odoo.addons.psa_helpdesk.tools.cron", "ERROR"),
        ):
            self.env["helpdesk.ticket"]._cron_psa_priority_aging()
        self.assertIn(tickets[1].id, seen)

    def _commits(self, context):
        """How many times ``run_in_batches`` commits over 3 records in
        batches of 2 with ``context``, outside of a test."""
        partners = (
            self.env["res.partner"]
            .with_context(**context)
            .create([{"name": f"Commit {i}"} for i in range(3)])
        )
        with (
            patch.object(cron_tools, "odoo_module", SimpleNamespace(current_test=None)),
            patch.object(partners.env.cr, "commit") as commit,
        ):
            run_in_batches(partners, lambda batch: None, batch_size=2)
        return commit.call_count

    def test_commits_per_batch_in_a_worker_run_only(self):
        """A cron worker's run (context ``cron_id``) commits each batch; a run
        by hand (``ir.cron`` locks the action in the request's transaction)
        or a call from code commits nothing."""
        cron = self.env.ref("psa_helpdesk.psa_ticket_sla_cron_refresh")
        _cron, progress = cron._add_progress()
        self.assertEqual(
            self._commits({"cron_id": cron.id, "ir_cron_progress_id": progress.id}), 2
        )
        self.assertEqual(progress.done, 3)
        self.assertEqual(self._commits({"ir_cron_progress_id": progress.id}), 0)
        self.assertEqual(self._commits({}), 0)

    def test_worker_and_manual_runs_told_apart(self):
        """Through ``ir.cron`` itself: a worker's run (``_run_job``) gives the
        scheduled action's method the context key ``cron_id``, so it commits
        per batch; a run by hand ("Run Manually") not, so it commits
        nothing."""
        cron = self.env.ref("psa_helpdesk.psa_ticket_sla_cron_refresh")
        Clock = type(self.env["psa.ticket.sla"])
        runs = []

        def run(records, batch_size=None):
            runs.append(cron_tools._worker_run(records.env))

        # the worker's cursor, on this test's transaction
        self.registry.enter_test_mode(self.env.cr)
        self.addCleanup(self.registry.leave_test_mode)
        job = {
            "id": cron.id,
            "cron_name": cron.cron_name,
            "ir_actions_server_id": cron.ir_actions_server_id.id,
            "user_id": cron.user_id.id,
            "lastcall": cron.lastcall,
            "timed_out_counter": 0,
            "active": True,
        }
        with (
            patch.object(Clock, "_cron_refresh_status", run),
            patch.object(cron_tools, "odoo_module", SimpleNamespace(current_test=None)),
        ):
            type(cron)._run_job(job)
            cron.method_direct_trigger()
        self.assertEqual(runs, [True, False])
