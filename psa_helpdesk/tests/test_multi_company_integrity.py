# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Multi-company integrity (SPEC §7), the attacks on the relations between
records of two companies: a team's policy, records moved to another company
while records of their former company use them, the company's commercial
team, penalty sums across currencies, the ticket's links and assignee, the
team of the context, the subject tag of another company's ticket, and a
portal user's inbound email (assignee, automatic answer)."""

from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .test_multi_company import PsaMultiCompanyCommon, PsaMultiCompanyMailCommon


@tagged("post_install", "-at_install")
class TestMultiCompanyIntegrity(PsaMultiCompanyCommon):
    def _env_ab(self, *companies):
        """The manager of both companies, working in ``companies``."""
        companies = companies or (self.company, self.company_b)
        return self.env(
            user=self.manager_ab,
            context={"allowed_company_ids": [c.id for c in companies]},
        )

    # ------------------------------------------------------------------
    # F1: the team's SLA policy is of its company
    # ------------------------------------------------------------------

    def test_team_policy_of_another_company_refused(self):
        policy_a = self.env["psa.sla.policy"].create(
            {"name": "Policy A (test)", "company_id": self.company.id}
        )
        with (
            self.assertRaisesRegex(UserError, "Incompatible companies"),
            self.env.cr.savepoint(),
        ):
            self._env_ab()["helpdesk.ticket.team"].browse(self.team_b.id).write(
                {"psa_sla_policy_id": policy_a.id}
            )
        self.env.invalidate_all()
        self.assertEqual(self.team_b.psa_sla_policy_id, self.policy_b)
        # B's tickets are still created
        self.assertEqual(self._ticket_b().company_id, self.company_b)

    # ------------------------------------------------------------------
    # F2/F3: a record used in its company does not move to another
    # ------------------------------------------------------------------

    def test_records_in_use_do_not_move_to_another_company(self):
        ticket = self._ticket_a()
        self.assertEqual(ticket.contract_id, self.contract)
        self.assertEqual(ticket.installation_id, self.installation)
        env = self._env_ab(self.company_b, self.company)
        moves = {
            "contract": (
                env["psa.contract"].browse(self.contract.id),
                {
                    "sla_policy_id": self.policy_b.id,
                    "resource_calendar_id": self.calendar_b.id,
                    "service_tier_id": self.tier_b.id,
                },
            ),
            "team": (env["helpdesk.ticket.team"].browse(self.team_l1.id), {}),
            "installation": (env["psa.installation"].browse(self.installation.id), {}),
            "policy": (
                env["psa.sla.policy"].browse(self.policy.id),
                {"resource_calendar_id": self.calendar_b.id},
            ),
            "tier": (env["psa.service.tier"].browse(self.tier_premium.id), {}),
            "calendar": (self.env["resource.calendar"].browse(self.calendar.id), {}),
        }
        for name, (record, vals) in moves.items():
            with self.subTest(record=name):
                with self.assertRaisesRegex(UserError, "cannot move to Vendor B"):
                    record.write({"company_id": self.company_b.id, **vals})
                self.assertEqual(record.company_id, self.company)
        # a record nothing uses moves freely
        spare = self.env["helpdesk.ticket.team"].create({"name": "Spare (test)"})
        spare.with_env(env).write({"company_id": self.company_b.id})
        self.assertEqual(spare.company_id, self.company_b)

    def test_commercial_team_of_a_company_does_not_move(self):
        """B's configured commercial team cannot move to A (B's prospects
        would land in A)."""
        with self.assertRaisesRegex(UserError, "Vendor B"):
            self._env_ab()["helpdesk.ticket.team"].browse(
                self.team_commercial_b.id
            ).write({"company_id": self.company.id})
        self.assertEqual(self.team_commercial_b.company_id, self.company_b)

    def test_routing_never_moves_a_ticket_to_another_company(self):
        """Even with a commercial team of another company configured (data
        from before the check), a ticket no contract covers stays in its
        company."""
        self.env.cr.execute(
            "UPDATE res_company SET psa_commercial_team_id = %s WHERE id = %s",
            (self.team_commercial.id, self.company_b.id),
        )
        self.env.invalidate_all()
        ticket = self._ticket_b()
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.team_id, self.team_b)
        self.assertFalse(ticket.psa_entitled)

    def test_contract_copied_into_another_company_takes_its_currency(self):
        other = self.env.ref("base.EUR")
        if self.company.currency_id == other:
            other = self.env.ref("base.USD")
        other.active = True
        self.company_b.currency_id = other
        copy = self.contract.copy(
            {
                "company_id": self.company_b.id,
                "service_tier_id": self.tier_b.id,
                "sla_policy_id": self.policy_b.id,
                "resource_calendar_id": self.calendar_b.id,
            }
        )
        self.assertEqual(copy.company_id, self.company_b)
        self.assertEqual(copy.currency_id, other)

    # ------------------------------------------------------------------
    # F4: penalties summed per currency only
    # ------------------------------------------------------------------

    def test_penalty_sums_never_add_currencies(self):
        other = self.env.ref("base.EUR")
        if self.company.currency_id == other:
            other = self.env.ref("base.USD")
        other.active = True
        self.company_b.currency_id = other
        self.contract.penalty_per_breach = 100
        self._contract_b(penalty_per_breach=70)
        with freeze_time("2026-12-14 08:00:00"):  # Monday
            ticket_a = self._ticket_a()
            ticket_b = self._ticket_b()
        with freeze_time("2026-12-15 18:00:00"):
            self.env["psa.ticket.sla"]._cron_refresh_status()
        self.env.flush_all()
        domain = [("ticket_id", "in", (ticket_a | ticket_b).ids)]
        env = self._env_ab()
        for model, fname, currency in (
            ("psa.ticket.sla", "penalty_amount", "currency_id"),
            ("psa.sla.report", "penalty_amount", "currency_id"),
            ("psa.sla.report", "penalty_company_amount", "company_currency_id"),
        ):
            with self.subTest(model=model, field=fname):
                Model = env[model]
                total = Model.read_group(domain, [f"{fname}:sum"], [])
                self.assertFalse(total[0][fname])
                by_metric = Model.read_group(domain, [f"{fname}:sum"], ["metric"])
                self.assertTrue(by_metric)
                self.assertFalse(any(row[fname] for row in by_metric))
                rows = Model.read_group(domain, [f"{fname}:sum"], [currency])
                self.assertEqual(
                    sorted((row[currency][0], row[fname]) for row in rows),
                    sorted([(self.company.currency_id.id, 200), (other.id, 140)]),
                )
                rows = Model.read_group(
                    domain, [f"{fname}:sum"], ["company_id", "metric"], lazy=False
                )
                self.assertEqual(
                    sorted((row["company_id"][0], row[fname]) for row in rows),
                    sorted(
                        [(self.company.id, 100)] * 2 + [(self.company_b.id, 70)] * 2
                    ),
                )

    # ------------------------------------------------------------------
    # F5: the ticket's links and assignee
    # ------------------------------------------------------------------

    def test_ticket_links_of_another_company_refused(self):
        ticket_a = self._ticket_a()
        ticket_b = self._ticket_b()
        stage_b = self.env["helpdesk.ticket.stage"].create(
            {"name": "B only (test)", "company_id": self.company_b.id}
        )
        env = self._env_ab()
        attacks = {
            "duplicate": (ticket_b, {"duplicate_id": ticket_a.id}),
            "stage": (ticket_a, {"stage_id": stage_b.id}),
            "assignee": (ticket_a, {"user_id": self.agent_b.id}),
            "account leader": (ticket_a, {"psa_account_leader_id": self.agent_b.id}),
        }
        for name, (ticket, vals) in attacks.items():
            with self.subTest(link=name):
                before = ticket.read(list(vals))[0]
                with (
                    self.assertRaisesRegex(ValidationError, "does not work in|is of"),
                    self.env.cr.savepoint(),
                ):
                    ticket.with_env(env).write(vals)
                ticket.invalidate_recordset()
                self.assertEqual(ticket.read(list(vals))[0], before)

    def test_escalation_to_a_user_of_another_company_refused(self):
        ticket = self._ticket_a()
        wizard = (
            self.env["psa.ticket.escalate.wizard"]
            .with_user(self.manager_ab)
            .create(
                {
                    "ticket_id": ticket.id,
                    "to_user_id": self.agent_b.id,
                    "reason": "Vendor B knows",
                }
            )
        )
        with (
            self.assertRaisesRegex(ValidationError, "does not work in"),
            self.env.cr.savepoint(),
        ):
            wizard.action_escalate()
        self.assertNotEqual(ticket.user_id, self.agent_b)

    def test_portal_user_is_never_the_assignee(self):
        portal = new_test_user(
            self.env,
            login="psa_mci_portal",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        ticket = self._ticket_a()
        with (
            self.assertRaisesRegex(ValidationError, "not an internal user"),
            self.env.cr.savepoint(),
        ):
            ticket.write({"user_id": portal.id})
        ticket.invalidate_recordset()
        self.assertNotEqual(ticket.user_id, portal)
        # helpdesk_mgmt's auto-assignment never picks a portal user
        self.company.helpdesk_mgmt_ticket_auto_assign = True
        defaults = (
            self.env["helpdesk.ticket"].with_user(portal).default_get(["user_id"])
        )
        self.assertFalse(defaults.get("user_id"))

    def test_ticket_opened_as_a_portal_user_is_answered_by_the_company(self):
        """The mail gateway (and the portal) create the ticket as the
        sender's portal user, in sudo: helpdesk_mgmt's auto-assignment would
        make them the assignee, and the automatic answer would be theirs,
        notifying nobody."""
        self.company_b.helpdesk_mgmt_ticket_auto_assign = True
        portal = new_test_user(
            self.env,
            login="psa_mci_portal_gw",
            groups="base.group_portal",
            partner_id=self.contact.id,
            company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        Ticket = self.env["helpdesk.ticket"].with_user(portal).sudo()
        ticket = Ticket.with_context(mail_create_nosubscribe=True).create(
            {
                "name": "Receipts in B",
                "description": "<p>Nothing prints</p>",
                "partner_id": self.contact.id,
                "team_id": self.team_b.id,
            }
        )
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertFalse(ticket.psa_entitled)
        self.assertFalse(ticket.user_id)
        answer = ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("mail.mt_comment")
        )
        self.assertEqual(len(answer), 1)
        self.assertNotEqual(answer.author_id, self.contact)
        self.assertIn(self.contact, answer.notified_partner_ids)

    # ------------------------------------------------------------------
    # F6: the team of the context gives the company
    # ------------------------------------------------------------------

    def test_default_team_of_the_context_gives_the_company(self):
        env = self._env_ab()
        ticket = (
            env["helpdesk.ticket"]
            .with_context(default_team_id=self.team_b.id)
            .create(
                {
                    "name": "Printing in B",
                    "description": "<p>Details</p>",
                    "partner_id": self.contact.id,
                    "severity": "3",
                }
            )
        )
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.installation_id, self.installation_b)


@tagged("post_install", "-at_install")
class TestMultiCompanyIntegrityMail(PsaMultiCompanyMailCommon):
    """Inbound email across companies: the subject tag of another company's
    ticket, a portal user as the sender."""

    def _process(self, raw):
        # the bounce of a failed email opens a new cursor, which cannot see
        # this test's alias: let the failure itself be raised
        Alias = type(self.env["mail.alias"])
        with (
            self.mock_mail_gateway(),
            patch.object(Alias, "_alias_bounce_incoming_email", lambda *a, **k: None),
        ):
            return self.env["mail.thread"].sudo().message_process(None, raw)

    def test_subject_tag_of_another_company_opens_a_ticket_there(self):
        ticket_a = self._ticket_a()
        messages = ticket_a.message_ids
        ticket = self._mail(
            self.contact.email,
            "soporte-b@subsidiary.example",
            f"[#{ticket_a.number}] The same in B",
        )
        self.assertNotEqual(ticket, ticket_a)
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket_a.message_ids, messages)

    def test_portal_sender_is_neither_assignee_nor_author_of_the_answer(self):
        self.company_b.helpdesk_mgmt_ticket_auto_assign = True
        portal = new_test_user(
            self.env,
            login="psa_mci_portal_b",
            groups="base.group_portal",
            partner_id=self.contact.id,
            company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        ticket = self._mail(
            self.contact.email, "soporte-b@subsidiary.example", "Receipts in B"
        )
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertFalse(ticket.psa_entitled)
        self.assertNotEqual(ticket.user_id, portal)
        self.assertFalse(ticket.user_id.share)
        answer = ticket.message_ids.filtered(
            lambda m: (
                m.message_type == "comment"
                and m.subtype_id == self.env.ref("mail.mt_comment")
            )
        )
        self.assertEqual(len(answer), 1)
        self.assertNotEqual(answer.author_id, self.contact)
        self.assertIn(self.contact, answer.notified_partner_ids)
