# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Merging tickets (helpdesk_mgmt_merge) with the SLA clocks of psa_helpdesk:
the kept ticket keeps its clocks, the merged ones are closed as not solved
(cancelled, out of compliance, no penalty; a breach already there stays),
their history stays; tickets of two companies are never merged."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.psa_helpdesk.tests.common import (
    PsaSlaTeamCommon,
    new_company_user,
)

# 2026-03-02 is a Monday; the calendar works 9-18 UTC, Monday to Friday.
MONDAY = datetime(2026, 3, 2)


def monday(hour, minute=0):
    return MONDAY.replace(hour=hour, minute=minute)


class PsaSiblingCommon(PsaSlaTeamCommon):
    """The SLA set-up of ``PsaSlaTeamCommon`` (P3: response 2 h,
    resolution 12 h on 9-18 UTC; a contract with 100 per breach), and how
    these tests open a ticket and read its clocks."""

    def _new(self, **vals):
        vals.setdefault("team_id", self.team.id)
        vals.setdefault("installation_id", self.installation.id)
        return self._ticket(user=self.agent, **vals)

    @staticmethod
    def _clock(ticket, metric):
        clocks = ticket.sudo().psa_sla_ids.filtered(lambda c: c.metric == metric)
        return clocks.sorted("id")[-1:]


@tagged("post_install", "-at_install")
class TestMerge(PsaSiblingCommon):
    def _merge(self, tickets, user=None, companies=None, **vals):
        context = {"active_ids": tickets.ids}
        if companies:
            context["allowed_company_ids"] = companies.ids
        wizard = (
            self.env["helpdesk.ticket.merge"]
            .with_user(user or self.agent)
            .with_context(**context)
            .create(vals)
        )
        wizard.merge_tickets()
        return wizard

    def test_kept_ticket_keeps_its_clocks_merged_ones_cancelled(self):
        with freeze_time(monday(10)):
            kept = self._new(name="Receipts print blank")
        with freeze_time(monday(10, 30)):
            merged = self._new(name="Blank receipts again")
            merged.message_post(
                body="Still blank",
                author_id=self.contact.id,
                message_type="email",
                subtype_xmlid="mail.mt_comment",
            )
        customer_message = merged.message_ids.filtered(
            lambda m: m.author_id == self.contact
        )
        kept_clocks = kept.sudo().psa_sla_ids
        kept_before = kept_clocks.read(["status", "deadline", "start_date"])
        merged_clocks = merged.sudo().psa_sla_ids
        segments_before = self.env["psa.ticket.segment"].search_count(
            [("ticket_id", "=", merged.id)]
        )
        with freeze_time(monday(11)):
            self._merge(kept | merged)
        # The kept ticket: the same clocks, still running; the merge notice
        # posted on it by the agent is not a first response.
        self.assertEqual(kept.sudo().psa_sla_ids, kept_clocks)
        self.assertEqual(
            kept_clocks.read(["status", "deadline", "start_date"]), kept_before
        )
        self.assertFalse(kept_clocks.filtered("reached_date"))
        self.assertEqual(self._clock(kept, "response").status, "running")
        self.assertFalse(self._clock(kept, "update"), "no update clock: no reply")
        # The merged ticket: archived, a duplicate of the kept one, closed as
        # not solved: its clocks cancelled, never met, no penalty.
        self.assertFalse(merged.active)
        self.assertEqual(merged.duplicate_id, kept)
        self.assertEqual(merged._psa_close_kind(), "not_solved")
        self.assertEqual(set(merged_clocks.mapped("status")), {"cancelled"})
        self.assertFalse(merged_clocks.filtered("reached_date"))
        self.assertEqual(merged_clocks.mapped("end_date"), [monday(11)] * 2)
        self.assertFalse(any(merged_clocks.sudo().mapped("penalty_amount")))
        # Out of the compliance figures (NULL rate), kept in the report.
        rows = (
            self.env["psa.sla.report"]
            .with_user(self.manager)
            .search_read([("ticket_id", "=", merged.id)], ["compliance_rate"])
        )
        self.assertEqual(len(rows), 2)
        self.assertEqual({row["compliance_rate"] for row in rows}, {False})
        # History kept: its segments and clocks on the archived ticket, its
        # customer's message on the kept ticket.
        self.assertEqual(
            self.env["psa.ticket.segment"].search_count(
                [("ticket_id", "=", merged.id)]
            ),
            segments_before,
        )
        self.assertEqual(customer_message.res_id, kept.id)

    def test_breach_already_there_stays(self):
        """A merge does not undo a breach (SPEC §7: penalties hold on every
        path): the late response clock ends breached with its penalty; the
        resolution clock, not late, is cancelled."""
        with freeze_time(monday(9)):
            kept = self._new(name="Receipts print blank")
            merged = self._new(name="Blank receipts again")
        with freeze_time(monday(12)):  # the response was due at 11:00
            self._merge(kept | merged)
        self.assertEqual(self._clock(merged, "response").status, "breached")
        self.assertEqual(self._clock(merged, "response").sudo().penalty_amount, 100)
        self.assertEqual(self._clock(merged, "resolution").status, "cancelled")
        self.assertFalse(self._clock(merged, "resolution").sudo().penalty_amount)
        # the kept ticket's late response clock is not met by the merge
        self.assertFalse(self._clock(kept, "response").end_date)

    def test_solved_ticket_merged_keeps_its_outcome(self):
        """A ticket already solved keeps its finished clocks as they were
        (finished clocks are never rewritten): the merge marks it a
        duplicate, nothing more."""
        stage_done = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        with freeze_time(monday(9)):
            kept = self._new(name="Receipts print blank")
            solved = self._new(name="Blank receipts again", request_type="question")
        with freeze_time(monday(10)):
            solved.with_user(self.agent).stage_id = stage_done
        outcome = solved.sudo().psa_sla_ids.read(["status", "end_date", "reached_date"])
        self.assertEqual(self._clock(solved, "resolution").status, "met")
        with freeze_time(monday(11)):
            self._merge(kept | solved)
        self.assertEqual(solved.duplicate_id, kept)
        self.assertEqual(
            solved.sudo().psa_sla_ids.read(["status", "end_date", "reached_date"]),
            outcome,
        )

    def test_merge_into_new_ticket(self):
        """Tickets whose clocks run are not merged into a new ticket (its
        clocks would start afresh at the merge, 5 minutes before the
        response deadline here); tickets without clocks may be."""
        with freeze_time(monday(9)):
            first = self._new(name="Receipts print blank")
            second = self._new(name="Blank receipts again")
        with (
            freeze_time(monday(10, 55)),
            self.assertRaisesRegex(UserError, "running SLA clocks"),
        ):
            self._merge(
                first,
                create_new_ticket=True,
                dst_ticket_name="Blank receipts",
                dst_helpdesk_team_id=self.team.id,
            )
        self.assertTrue(first.active)
        self.assertEqual(self._clock(first, "response").status, "running")
        # closed as not solved, then merged into a new ticket: allowed
        with freeze_time(monday(10, 56)):
            (first | second).with_user(self.agent).write(
                {
                    "stage_id": self.env.ref(
                        "helpdesk_mgmt.helpdesk_ticket_stage_cancelled"
                    ).id
                }
            )
            wizard = self._merge(
                first | second,
                create_new_ticket=True,
                dst_ticket_name="Blank receipts",
                dst_helpdesk_team_id=self.team.id,
            )
        new = wizard.dst_ticket_id
        self.assertNotIn(new, first | second)
        self.assertEqual((first | second).mapped("duplicate_id"), new)

    def test_tickets_of_two_companies_never_merged(self):
        other_company, _user = new_company_user(
            self.env,
            "Other support (test)",
            "psa_merge_other",
            "psa_helpdesk.group_psa_agent",
        )
        other_team = self.env["helpdesk.ticket.team"].create(
            {"name": "Other team (test)", "company_id": other_company.id}
        )
        ticket = self._new()
        other = (
            self.env["helpdesk.ticket"]
            .with_company(other_company)
            .create(
                {
                    "name": "Elsewhere",
                    "description": "<p>x</p>",
                    "team_id": other_team.id,
                }
            )
        )
        self.assertEqual(other.company_id, other_company)
        # a user of the other company cannot reach the first ticket
        with self.assertRaises(AccessError):
            self._merge(other | ticket, user=_user)
        self.assertTrue(ticket.active and other.active)
        boss = new_test_user(
            self.env,
            login="psa_merge_boss",
            groups="psa_helpdesk.group_psa_manager",
            company_ids=[Command.set((self.company | other_company).ids)],
        )
        companies = self.company | other_company
        with self.assertRaisesRegex(UserError, "different companies"):
            self._merge(ticket | other, user=boss, companies=companies)
        self.assertTrue(ticket.active and other.active)
        self.assertFalse((ticket | other).mapped("duplicate_id"))
        with self.assertRaisesRegex(UserError, "different companies"):
            self._merge(
                ticket,
                user=boss,
                companies=companies,
                create_new_ticket=True,
                dst_ticket_name="Elsewhere",
                dst_helpdesk_team_id=other_team.id,
            )
        self.assertTrue(ticket.active)

    def test_tickets_of_two_customers_refused(self):
        """Merged, the other customer would follow the kept ticket and read
        it on the portal (and its messages would move there): refused,
        nothing changes."""
        with freeze_time(monday(9)):
            kept = self._new(name="Receipts print blank")
            theirs = self._new(
                name="Blank receipts",
                partner_id=self.other_contact.id,
                installation_id=False,
            )
        with (
            freeze_time(monday(10)),
            self.assertRaisesRegex(UserError, "different customers"),
        ):
            self._merge(kept | theirs, dst_ticket_id=kept.id)
        self.assertTrue(theirs.active)
        self.assertFalse(theirs.duplicate_id)
        self.assertNotIn(self.other_contact, kept.message_partner_ids)

    def test_closed_ticket_kept_refused(self):
        """Merged into a solved ticket, the open request would lose its
        live clocks (cancelled, nothing replacing them): refused."""
        stage_done = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        with freeze_time(monday(9)):
            solved = self._new(name="Old question", request_type="question")
            open_ticket = self._new(name="Receipts print blank")
        with freeze_time(monday(9, 30)):
            solved.with_user(self.agent).stage_id = stage_done
        with (
            freeze_time(monday(10, 50)),
            self.assertRaisesRegex(UserError, "is closed"),
        ):
            self._merge(solved | open_ticket, dst_ticket_id=solved.id)
        self.assertTrue(open_ticket.active)
        self.assertFalse(
            open_ticket.sudo().psa_sla_ids.filtered(lambda c: c.status == "cancelled")
        )

    def test_new_ticket_without_team_stays_in_the_tickets_company(self):
        """A manager whose current company is another one merges this
        company's tickets into a new ticket without team: it is created in
        the tickets' company."""
        other = self.env["res.company"].create({"name": "Other (merge test)"})
        boss = new_test_user(
            self.env,
            login="psa_merge_boss_2",
            groups="psa_helpdesk.group_psa_manager",
            company_id=other.id,
            company_ids=[Command.set((other | self.company).ids)],
        )
        with freeze_time(monday(9)):
            first = self._new(name="Receipts print blank")
            second = self._new(name="Blank receipts again")
            # no running clock (else refused: a new ticket's clocks restart)
            (first | second).write(
                {
                    "stage_id": self.env.ref(
                        "helpdesk_mgmt.helpdesk_ticket_stage_cancelled"
                    ).id
                }
            )
        with freeze_time(monday(10)):
            wizard = self._merge(
                first | second,
                user=boss,
                companies=other | self.company,
                create_new_ticket=True,
                dst_ticket_name="Blank receipts",
                dst_helpdesk_team_id=False,
                user_id=False,
            )
        self.assertEqual(wizard.dst_ticket_id.company_id, self.company)
