# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Multi-company (SPEC §7): calendars and holidays, aliases and commercial
teams, contracts, installations, settings, alerts and reports stay in their
company.

Two companies: A (the test company, with the world of
``PsaContractCommon``) and B (its own calendar, tier, policy, support and
commercial teams, users). They share the customer *Town of Testville*, which
runs the same product in production for each of them; only A has a contract
with it (B's tests add one where they need it)."""

from datetime import datetime

from freezegun import freeze_time

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MailCase

from .common import (
    PsaContractCommon,
    enable_mail_gateway,
    new_company_user,
    open_team_alias,
)

# Monday 7 December 2026, 16:00 UTC (the example of the issue); the
# calendars work Monday to Friday, 8-12 and 13-17 UTC.
MONDAY_16 = "2026-12-07 16:00:00"
TUESDAY = ("2026-12-08 00:00:00", "2026-12-08 23:59:59")
TUESDAY_11 = datetime(2026, 12, 8, 11)
WEDNESDAY_11 = datetime(2026, 12, 9, 11)


class PsaMultiCompanyCommon(PsaContractCommon):
    """``PsaContractCommon`` (company A) plus company B, its support world
    and its users, and an installation of the shared customer in B."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        targets = [
            Command.create({"priority": p, "response_hours": 4, "resolution_hours": 16})
            for p in ("1", "2", "3")
        ]
        cls.policy.target_ids = targets
        cls.company_b, cls.agent_b = new_company_user(
            cls.env, "Vendor B (test)", "psa_mc_agent_b", "psa_helpdesk.group_psa_agent"
        )
        company_b = cls.company_b
        cls.manager_b = new_test_user(
            cls.env,
            login="psa_mc_manager_b",
            groups="psa_helpdesk.group_psa_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        # a support manager of both companies, working in A today
        cls.manager_ab = new_test_user(
            cls.env,
            login="psa_mc_manager_ab",
            groups="psa_helpdesk.group_psa_manager,base.group_multi_company",
            company_id=cls.company.id,
            company_ids=[Command.set((cls.company | company_b).ids)],
        )
        cls.calendar_b = cls.env["resource.calendar"].create(
            {"name": "Support B (test)", "tz": "UTC", "company_id": company_b.id}
        )
        cls.tier_b = cls.env["psa.service.tier"].create(
            {
                "name": "Tier B (test)",
                "company_id": company_b.id,
                "matrix_ids": [
                    Command.create({"severity": s, "priority": s})
                    for s in ("1", "2", "3")
                ],
            }
        )
        cls.policy_b = cls.env["psa.sla.policy"].create(
            {
                "name": "Policy B (test)",
                "company_id": company_b.id,
                "resource_calendar_id": cls.calendar_b.id,
                "target_ids": targets,
            }
        )
        Team = cls.env["helpdesk.ticket.team"]
        cls.team_b = Team.create(
            {
                "name": "Support B (test)",
                "company_id": company_b.id,
                "user_id": cls.manager_b.id,
                "user_ids": [Command.set((cls.agent_b | cls.manager_b).ids)],
                "psa_sla_policy_id": cls.policy_b.id,
            }
        )
        cls.team_commercial_b = Team.create(
            {
                "name": "Commercial B (test)",
                "company_id": company_b.id,
                "user_ids": [Command.set(cls.manager_b.ids)],
            }
        )
        company_b.psa_commercial_team_id = cls.team_commercial_b
        cls.installation_b = cls.env["psa.installation"].create(
            {
                "company_id": company_b.id,
                "partner_id": cls.customer.id,
                "product_id": cls.product.id,
                "version_id": cls.v310.id,
                "environment": "production",
            }
        )

    @classmethod
    def _contract_b(cls, **vals):
        """An active contract of the shared customer in B, on B's terms."""
        return cls._contract(
            company_id=cls.company_b.id,
            name="Maintenance B (test)",
            service_tier_id=cls.tier_b.id,
            sla_policy_id=cls.policy_b.id,
            resource_calendar_id=cls.calendar_b.id,
            **vals,
        )

    @classmethod
    def _holiday(cls, company, dates=TUESDAY):
        """A public holiday of ``company``: a leave without calendar."""
        return (
            cls.env["resource.calendar.leaves"]
            .with_company(company)
            .create({"name": "Holiday", "date_from": dates[0], "date_to": dates[1]})
        )

    def _ticket_a(self, **vals):
        vals.setdefault("team_id", self.team_l1.id)
        vals.setdefault("severity", "3")
        return self._ticket(user=self.agent, **vals)

    def _ticket_b(self, **vals):
        vals.setdefault("team_id", self.team_b.id)
        vals.setdefault("severity", "3")
        return self._ticket(user=self.agent_b, **vals)

    @staticmethod
    def _clock(ticket, metric):
        return ticket.sudo().psa_sla_ids.filtered(lambda c: c.metric == metric)


@tagged("post_install", "-at_install")
class TestMultiCompany(PsaMultiCompanyCommon):
    # ------------------------------------------------------------------
    # Business time: each company's holidays
    # ------------------------------------------------------------------

    def test_holiday_of_another_company_does_not_move_deadline(self):
        """The issue's example: B's public holiday on Tuesday; A's ticket of
        Monday 16:00 with a 4 business-hour P3 response target is due on
        Tuesday at 11:00, not Wednesday."""
        holiday_b = self._holiday(self.company_b)
        self.assertFalse(holiday_b.calendar_id)
        self.assertEqual(holiday_b.company_id, self.company_b)
        with freeze_time(MONDAY_16):
            ticket = self._ticket_a()
        self.assertEqual(ticket.company_id, self.company)
        self.assertEqual(ticket.contract_id, self.contract)
        self.assertEqual(ticket.psa_priority, "3")
        self.assertEqual(self._clock(ticket, "response").deadline, TUESDAY_11)

    def test_holiday_of_own_company_moves_deadline(self):
        """A's own public holiday (a leave without calendar of A) counts for
        A's calendar; B's tickets, on B's calendar, ignore it, and count B's
        holiday."""
        self._holiday(self.company)
        self._contract_b()
        with freeze_time(MONDAY_16):
            ticket_a = self._ticket_a()
            ticket_b = self._ticket_b()
        self.assertEqual(self._clock(ticket_a, "response").deadline, WEDNESDAY_11)
        self.assertEqual(ticket_b.company_id, self.company_b)
        self.assertEqual(self._clock(ticket_b, "response").calendar_id, self.calendar_b)
        self.assertEqual(self._clock(ticket_b, "response").deadline, TUESDAY_11)
        self._holiday(self.company_b)
        with freeze_time(MONDAY_16):
            later_b = self._ticket_b()
        self.assertEqual(self._clock(later_b, "response").deadline, WEDNESDAY_11)

    def test_calendar_without_company_counts_only_its_own_leaves(self):
        """A calendar shared by all companies cannot tell whose public
        holidays apply: only its own leaves take time off it."""
        shared = self.env["resource.calendar"].create(
            {"name": "Shared 8x5 (test)", "tz": "UTC", "company_id": False}
        )
        self.contract.resource_calendar_id = shared
        self._holiday(self.company)
        with freeze_time(MONDAY_16):
            ticket = self._ticket_a()
        self.assertEqual(self._clock(ticket, "response").deadline, TUESDAY_11)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Shared holiday",
                "calendar_id": shared.id,
                "date_from": TUESDAY[0],
                "date_to": TUESDAY[1],
            }
        )
        with freeze_time(MONDAY_16):
            ticket = self._ticket_a()
        self.assertEqual(self._clock(ticket, "response").deadline, WEDNESDAY_11)

    # ------------------------------------------------------------------
    # Entitlement: contracts and installations of the ticket's company
    # ------------------------------------------------------------------

    def test_ticket_in_b_ignores_contract_and_installation_of_a(self):
        """A's contract of the shared customer does not entitle a ticket in
        B: it takes B's installation, no contract, and goes to B's
        commercial team (no team was chosen); it stays in B."""
        ticket = self._ticket_b(team_id=False, company_id=self.company_b.id)
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.installation_id, self.installation_b)
        self.assertFalse(ticket.contract_id)
        self.assertFalse(ticket.psa_entitled)
        self.assertFalse(ticket.sudo().psa_sla_ids)
        self.assertEqual(ticket.team_id, self.team_commercial_b)
        # the same customer in A: A's installation and contract
        ticket_a = self._ticket_a()
        self.assertEqual(ticket_a.installation_id, self.installation)
        self.assertEqual(ticket_a.contract_id, self.contract)
        self.assertEqual(ticket_a.team_id, self.team_l1)

    def test_contract_of_b_entitles_tickets_of_b(self):
        contract_b = self._contract_b()
        ticket = self._ticket_b()
        self.assertEqual(ticket.contract_id, contract_b)
        self.assertEqual(ticket.psa_sla_policy_id, self.policy_b)
        self.assertEqual(ticket.psa_service_tier_id, self.tier_b)
        self.assertEqual(ticket.team_id, self.team_b)
        self.assertEqual(ticket._psa_support_calendar(), self.calendar_b)
        self.assertEqual(self._ticket_a().contract_id, self.contract)

    def test_contract_written_must_be_of_the_ticket_company(self):
        """A support manager of both companies may not give a ticket of B the
        contract of A (RPC write): refused, nothing changes."""
        ticket = self._ticket_b()
        as_manager = ticket.with_user(self.manager_ab).with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        )
        with self.assertRaises(UserError):
            as_manager.write({"contract_id": self.contract.id})
        with self.assertRaises(UserError):
            as_manager.write({"installation_id": self.installation.id})
        ticket.invalidate_recordset()
        self.assertFalse(ticket.contract_id)
        self.assertEqual(ticket.installation_id, self.installation_b)

    def test_records_of_another_company_refused_on_create(self):
        """RPC create of a ticket of B naming A's installation, contract or
        policy: refused."""
        Ticket = self.env["helpdesk.ticket"].with_user(self.manager_ab)
        Ticket = Ticket.with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        )
        for field, record in (
            ("installation_id", self.installation),
            ("contract_id", self.contract),
            ("psa_sla_policy_id", self.policy),
        ):
            with self.subTest(field=field), self.assertRaises(UserError):
                Ticket.create(
                    {
                        "name": "Mixed companies",
                        "description": "<p>Details</p>",
                        "partner_id": self.contact.id,
                        "team_id": self.team_b.id,
                        field: record.id,
                    }
                )

    def test_batch_create_checks_each_ticket_company(self):
        """A batch of tickets of both companies (the gateway or RPC create
        several at once): each ticket's links are checked against its own
        company. One ticket of B naming A's installation, contract or policy
        among correct ones of A and B: the whole batch is refused, nothing
        is created; the correct tickets alone are created."""
        Ticket = self.env["helpdesk.ticket"].with_user(self.manager_ab)
        Ticket = Ticket.with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        )

        def values(team, **vals):
            return {
                "name": "Batch (test)",
                "description": "<p>Details</p>",
                "partner_id": self.contact.id,
                "team_id": team.id,
                **vals,
            }

        good = [
            values(self.team_l1, installation_id=self.installation.id),
            values(self.team_b, installation_id=self.installation_b.id),
            values(self.team_l1, psa_sla_policy_id=self.policy.id),
            values(self.team_b, psa_sla_policy_id=self.policy_b.id),
        ]
        for field, record in (
            ("installation_id", self.installation),
            ("contract_id", self.contract),
            ("psa_sla_policy_id", self.policy),
        ):
            with self.subTest(field=field):
                count = Ticket.search_count([])
                bad = values(self.team_b, **{field: record.id})
                with self.assertRaises(UserError):
                    Ticket.create(good[:2] + [bad] + good[2:])
                self.assertEqual(Ticket.search_count([]), count)
        tickets = Ticket.create(good)
        self.assertEqual(
            [ticket.company_id for ticket in tickets],
            [self.company, self.company_b, self.company, self.company_b],
        )
        self.assertEqual(
            tickets.mapped("installation_id"), self.installation | self.installation_b
        )

    def test_installation_unique_per_company(self):
        """One installation per product and environment per customer *in
        each company*: A and B both have one in production; a second one in
        B is refused."""
        self.assertEqual(self.installation.environment, "production")
        self.assertEqual(self.installation_b.environment, "production")
        with self.assertRaisesRegex(ValidationError, "Vendor B"):
            self.env["psa.installation"].create(
                {
                    "company_id": self.company_b.id,
                    "partner_id": self.customer.id,
                    "product_id": self.product.id,
                    "version_id": self.v40.id,
                    "environment": "production",
                }
            )

    def test_installation_preselected_in_the_ticket_company(self):
        """The customer has one installation in each company: each ticket
        preselects the one of its company (the form too)."""
        ticket = self._ticket_b(team_id=self.team_b.id)
        self.assertEqual(ticket.installation_id, self.installation_b)
        self.assertEqual(ticket.psa_version_id, self.v310)
        defaults = self.env["helpdesk.ticket"]._psa_default_installations(
            self.customer, self.company | self.company_b
        )
        self.assertEqual(
            defaults,
            {
                (self.customer.id, self.company.id): self.installation.id,
                (self.customer.id, self.company_b.id): self.installation_b.id,
            },
        )

    def test_account_leader_only_in_its_companies(self):
        """The shared customer's account leader works in A: A's tickets get
        them, B's do not (nor as assignee)."""
        self.customer.psa_account_leader_id = self.leader
        ticket_a = self._ticket_a()
        ticket_b = self._ticket_b()
        self.assertEqual(ticket_a.psa_account_leader_id, self.leader)
        self.assertFalse(ticket_b.psa_account_leader_id)
        self.assertNotEqual(ticket_b.user_id, self.leader)

    def test_duplicates_suggested_in_the_ticket_company(self):
        """A ticket of the same customer, product and subject in the other
        company is not a possible duplicate, even for a manager of both."""
        self._contract_b()
        ticket_a = self._ticket_a(name="Receipts print blank")
        ticket_b = self._ticket_b(name="Receipts print blank")
        again_a = self._ticket_a(name="Receipts print blank")
        env = self.env(
            user=self.manager_ab,
            context=dict(
                self.env.context,
                allowed_company_ids=(self.company | self.company_b).ids,
            ),
        )
        self.assertEqual(
            again_a.with_env(env).psa_duplicate_candidate_ids, ticket_a.with_env(env)
        )
        self.assertFalse(ticket_b.with_env(env).psa_duplicate_candidate_ids)

    def test_form_takes_the_company_of_the_team(self):
        """On the form of a new ticket, choosing B's team makes it B's, with
        the customer's installation in B."""
        env = self.env(
            user=self.manager_ab,
            context=dict(
                self.env.context,
                allowed_company_ids=(self.company | self.company_b).ids,
            ),
        )
        with Form(env["helpdesk.ticket"]) as form:
            form.name = "Asked on the phone"
            form.description = "<p>Details</p>"
            form.partner_id = self.contact
            self.assertEqual(form.installation_id, self.installation)
            form.team_id = self.team_b
            self.assertEqual(form.company_id, self.company_b)
            self.assertEqual(form.installation_id, self.installation_b)
        ticket = form.record
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.installation_id, self.installation_b)
        # choosing the company first: A's team and installation are dropped
        with Form(env["helpdesk.ticket"]) as form:
            form.name = "Asked on the phone again"
            form.description = "<p>Details</p>"
            form.team_id = self.team_l1
            form.partner_id = self.contact
            self.assertEqual(form.installation_id, self.installation)
            form.company_id = self.company_b
            self.assertFalse(form.team_id)
            self.assertEqual(form.installation_id, self.installation_b)
            form.team_id = self.team_b
        self.assertEqual(form.record.company_id, self.company_b)
        self.assertEqual(form.record.installation_id, self.installation_b)

    # ------------------------------------------------------------------
    # A ticket's company is its team's, and stays
    # ------------------------------------------------------------------

    def test_company_comes_from_the_team_whatever_the_session(self):
        """A manager of both companies working in A creates a ticket for
        B's team: it is B's, its installation B's, and without contract in B
        it keeps the team the manager chose. Created in B without a team,
        it goes to B's commercial team (not A's)."""
        Ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.manager_ab)
            .with_context(allowed_company_ids=(self.company | self.company_b).ids)
        )
        values = {
            "name": "Town asks B",
            "description": "<p>Details</p>",
            "partner_id": self.contact.id,
        }
        ticket = Ticket.create(dict(values, team_id=self.team_b.id))
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.installation_id, self.installation_b)
        self.assertFalse(ticket.psa_entitled)
        self.assertEqual(ticket.team_id, self.team_b, "a chosen team is kept")
        ticket = Ticket.create(dict(values, company_id=self.company_b.id))
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.team_id, self.team_commercial_b)

    def test_moving_to_another_company_is_refused(self):
        """Moving a ticket to a team of another company (or to another
        company) is refused with a clear error; nothing changes."""
        ticket = self._ticket_a()
        clocks = self._clock(ticket, "response")
        as_manager = ticket.with_user(self.manager_ab).with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        )
        with self.assertRaisesRegex(UserError, "cannot move to team"):
            as_manager.write({"team_id": self.team_b.id})
        with self.assertRaisesRegex(UserError, "cannot move to Vendor B"):
            as_manager.write({"company_id": self.company_b.id})
        ticket.invalidate_recordset()
        # nor through the Escalate action
        wizard = (
            self.env["psa.ticket.escalate.wizard"]
            .with_user(self.manager_ab)
            .with_context(allowed_company_ids=(self.company | self.company_b).ids)
            .create(
                {
                    "ticket_id": ticket.id,
                    "to_team_id": self.team_b.id,
                    "reason": "B knows",
                }
            )
        )
        with self.assertRaisesRegex(UserError, "cannot move to team"):
            wizard.action_escalate()
        ticket.invalidate_recordset()
        self.assertEqual(ticket.company_id, self.company)
        self.assertEqual(ticket.team_id, self.team_l1)
        self.assertEqual(self._clock(ticket, "response"), clocks)
        # a team of the same company is fine
        as_manager.write({"team_id": self.team_l2.id})
        self.assertEqual(ticket.team_id, self.team_l2)

    # ------------------------------------------------------------------
    # Settings of the record's company
    # ------------------------------------------------------------------

    def test_settings_must_be_of_their_company(self):
        with self.assertRaisesRegex(ValidationError, "Commercial team"):
            self.company_b.psa_commercial_team_id = self.team_commercial
        shared = self.env["helpdesk.ticket.team"].create(
            {"name": "Shared commercial (test)", "company_id": False}
        )
        self.company_b.psa_commercial_team_id = shared
        ticket = self._ticket_b(
            partner_id=self.other_contact.id,
            team_id=False,
            company_id=self.company_b.id,
        )
        self.assertEqual(ticket.team_id, shared)
        self.assertEqual(ticket.company_id, self.company_b)

    def test_escalation_stage_of_the_ticket_company(self):
        """Escalating a ticket of B from a session in A moves it to B's
        escalation stage, not A's."""
        progress = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        awaiting = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        project = self.env["project.project"].create(
            {"name": "Shared development (test)", "company_id": False}
        )
        self.product.development_project_id = project
        self.company.psa_escalation_stage_id = progress
        self.company_b.psa_escalation_stage_id = awaiting
        self._contract_b()
        ticket = self._ticket_b(request_type="incident")
        env = self.env(
            user=self.manager_ab,
            context=dict(
                self.env.context,
                allowed_company_ids=(self.company | self.company_b).ids,
            ),
        )
        self.assertEqual(env.company, self.company)
        env["psa.escalate.development.wizard"].with_context(
            active_model="helpdesk.ticket", active_ids=ticket.ids
        ).create({}).action_escalate()
        self.assertTrue(ticket.task_id)
        self.assertEqual(ticket.stage_id, awaiting)

    def test_upgrade_template_of_the_installation_company(self):
        template_a, template_b = self.env["project.project"].create(
            [
                {"name": "Upgrade A (test)", "company_id": self.company.id},
                {"name": "Upgrade B (test)", "company_id": self.company_b.id},
            ]
        )
        self.company.psa_upgrade_template_project_id = template_a
        self.company_b.psa_upgrade_template_project_id = template_b
        wizard = (
            self.env["psa.upgrade.request.wizard"]
            .with_user(self.manager_ab)
            .with_context(allowed_company_ids=(self.company | self.company_b).ids)
            .create(
                {
                    "installation_id": self.installation_b.id,
                    "target_version_id": self.v40.id,
                }
            )
        )
        self.assertEqual(wizard.template_project_id, template_b)
        action = wizard.action_request()
        project = self.env["project.project"].browse(action["res_id"])
        self.assertEqual(project.company_id, self.company_b)

    def test_contract_currency_of_its_company(self):
        other = self.env.ref("base.EUR")
        if self.company.currency_id == other:
            other = self.env.ref("base.USD")
        other.active = True
        self.company_b.currency_id = other
        contract_b = self._contract_b()
        self.assertEqual(self.env.company, self.company)
        self.assertEqual(contract_b.currency_id, other)

    # ------------------------------------------------------------------
    # Alerts: recipients of the ticket's company
    # ------------------------------------------------------------------

    def test_alerts_go_to_the_ticket_company(self):
        """At breach the support managers are alerted: those of B for B's
        ticket (never A's), those of A for A's; a manager of both companies
        for both."""
        self._contract_b()
        with freeze_time("2026-12-14 08:00:00"):  # Monday
            ticket_a = self._ticket_a(user_id=self.agent.id)
            ticket_b = self._ticket_b(user_id=self.agent_b.id)
        recipients = self.env["psa.sla.alert"]._recipients(
            ticket_a | ticket_b, ("assignee", "team_leader", "support_managers")
        )
        # (the database may have other support managers: demo data)
        for ticket, expected, never in (
            (ticket_b, self.agent_b | self.manager_b | self.manager_ab, self.manager),
            (
                ticket_a,
                self.agent | self.leader | self.manager | self.manager_ab,
                self.manager_b | self.agent_b,
            ),
        ):
            self.assertLessEqual(expected, recipients[ticket.id])
            self.assertFalse(never & recipients[ticket.id])
            self.assertTrue(
                all(ticket.company_id in u.company_ids for u in recipients[ticket.id])
            )
        with freeze_time("2026-12-14 12:30:00"):
            self.env["psa.ticket.sla"]._cron_refresh_status()
        alerted_b = ticket_b.activity_ids.user_id
        self.assertIn(self.manager_b, alerted_b)
        self.assertNotIn(self.manager, alerted_b)
        alerted_a = ticket_a.activity_ids.user_id
        self.assertIn(self.manager, alerted_a)
        self.assertNotIn(self.manager_b, alerted_a)

    # ------------------------------------------------------------------
    # Reports: per company, in each company's currency
    # ------------------------------------------------------------------

    def test_penalties_per_company_in_its_currency(self):
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
        breached = [
            ("breached", "=", True),
            ("ticket_id", "in", (ticket_a | ticket_b).ids),
        ]
        for ticket, amount in ((ticket_a, 100), (ticket_b, 70)):
            clocks = self._clock(ticket, "response") | self._clock(ticket, "resolution")
            self.assertEqual(set(clocks.mapped("status")), {"breached"})
            self.assertEqual(clocks.mapped("penalty_amount"), [amount, amount])
        Report = (
            self.env["psa.sla.report"]
            .with_user(self.manager_ab)
            .with_context(allowed_company_ids=(self.company | self.company_b).ids)
        )
        rows = Report._read_group(
            breached,
            ["company_id", "company_currency_id"],
            ["penalty_company_amount:sum", "__count"],
        )
        self.assertEqual(
            sorted((c.id, cur.id, amount, n) for c, cur, amount, n in rows),
            sorted(
                [
                    (self.company.id, self.company.currency_id.id, 200, 2),
                    (self.company_b.id, other.id, 140, 2),
                ]
            ),
        )
        # a manager of B sees B's figures only, also through RPC read_group
        rows_b = (
            self.env["psa.sla.report"]
            .with_user(self.manager_b)
            .read_group(breached, ["penalty_company_amount:sum"], ["company_id"])
        )
        self.assertEqual(len(rows_b), 1)
        self.assertEqual(rows_b[0]["company_id"][0], self.company_b.id)
        self.assertEqual(rows_b[0]["penalty_company_amount"], 140)

    # ------------------------------------------------------------------
    # Access across companies (RPC as a user of one company)
    # ------------------------------------------------------------------

    def test_user_of_b_cannot_reach_records_of_a(self):
        """An agent of B reads, searches, groups and writes nothing of A:
        tickets, contracts, installations, clocks, history, escalations."""
        ticket_a = self._ticket_a()
        self.env["psa.ticket.escalate.wizard"].with_user(self.agent).create(
            {"ticket_id": ticket_a.id, "to_level": "2", "reason": "Needs L2"}
        ).action_escalate()
        self._contract_b()
        ticket_b = self._ticket_b()
        env_b = self.env(user=self.agent_b)
        self.assertEqual(env_b["helpdesk.ticket"].search([]), ticket_b)
        groups = env_b["helpdesk.ticket"].read_group([], ["company_id"], ["company_id"])
        self.assertEqual([g["company_id"][0] for g in groups], [self.company_b.id])
        records_a = {
            "helpdesk.ticket": ticket_a,
            "psa.contract": self.contract,
            "psa.installation": self.installation,
            "psa.ticket.sla": ticket_a.sudo().psa_sla_ids,
            "psa.ticket.segment": self.env["psa.ticket.segment"].search(
                [("ticket_id", "=", ticket_a.id)]
            ),
            "psa.ticket.escalation": self.env["psa.ticket.escalation"].search(
                [("ticket_id", "=", ticket_a.id)]
            ),
        }
        for model, records in records_a.items():
            with self.subTest(model=model):
                Model = env_b[model]
                self.assertFalse(Model.search([("id", "in", records.ids)]))
                if records:
                    with self.assertRaises(AccessError):
                        records.with_user(self.agent_b).read(["id"])
        with self.assertRaises(AccessError):
            ticket_a.with_user(self.agent_b).write({"name": "Hijacked"})
        # B's own records, readable
        self.assertTrue(ticket_b.with_user(self.agent_b).read(["name"]))
        self.assertTrue(
            self._clock(ticket_b, "response").with_user(self.agent_b).read(["deadline"])
        )
        self.assertTrue(self.installation_b.with_user(self.agent_b).read(["name"]))
        # and A's agent sees none of B's
        self.assertFalse(
            self.env(user=self.agent)["helpdesk.ticket"].search(
                [("id", "=", ticket_b.id)]
            )
        )
        self.assertFalse(
            self.env(user=self.agent)["psa.installation"].search(
                [("id", "=", self.installation_b.id)]
            )
        )


class PsaMultiCompanyMailCommon(PsaMultiCompanyCommon, MailCase):
    """Two companies, each team with its alias (A's ``soporte`` on
    support.example.com, B's ``soporte-b`` on B's own domain), and
    ``_mail``: a raw email through the mail gateway (which runs in its own
    user's company, A)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        enable_mail_gateway(cls, "support.example.com")
        # B's own alias domain (a domain belongs to its companies)
        domain_b = cls.env["mail.alias.domain"].create(
            {
                "name": "subsidiary.example",
                "bounce_alias": "bounce",
                "catchall_alias": "catchall",
                "default_from": "notifications",
            }
        )
        cls.company_b.alias_domain_id = domain_b
        open_team_alias(cls.team_l1, "soporte", cls.alias_domain)
        open_team_alias(cls.team_b, "soporte-b", domain_b)

    @mute_logger(
        "odoo.addons.mail.models.mail_thread",
        "odoo.addons.psa_helpdesk.models.mail_thread",
    )
    def _mail(self, sender, to, subject):
        raw = (
            f"From: {sender}\r\n"
            f"To: {to}\r\n"
            f"Subject: {subject}\r\n"
            f"Message-ID: <{abs(hash(subject))}@sender.example>\r\n"
            "Date: Mon, 07 Dec 2026 10:00:00 +0000\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "Hello, we would like some help.\r\n"
        )
        return self.env["helpdesk.ticket"].browse(self._process(raw))

    def _process(self, raw):
        """The id of the record the gateway gave the raw email to."""
        with self.mock_mail_gateway():
            return self.env["mail.thread"].sudo().message_process(None, raw)


@tagged("post_install", "-at_install")
class TestMultiCompanyMail(PsaMultiCompanyMailCommon):
    """Inbound email to each company's team alias, through the mail gateway
    (which runs in its own user's company, A)."""

    def test_prospect_mailing_b_alias_stays_in_b(self):
        """A prospect without contract mails B's alias: the ticket is B's,
        routed to B's commercial team (the gateway's company is A)."""
        self.assertEqual(self.env.company, self.company)
        ticket = self._mail(
            "Pat Prospect <pat@prospect.example>",
            "soporte-b@subsidiary.example",
            "Do you support payroll?",
        )
        self.assertTrue(ticket)
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.team_id, self.team_commercial_b)
        self.assertFalse(ticket.psa_entitled)

    def test_shared_customer_mailing_each_alias(self):
        """The shared customer mails B's alias: B's installation, no contract
        of A; the same to A's alias: A's installation and contract."""
        ticket_b = self._mail(
            self.contact.email, "soporte-b@subsidiary.example", "Receipts in B"
        )
        self.assertEqual(ticket_b.partner_id, self.contact)
        self.assertEqual(ticket_b.company_id, self.company_b)
        self.assertEqual(ticket_b.installation_id, self.installation_b)
        self.assertFalse(ticket_b.contract_id)
        self.assertEqual(ticket_b.team_id, self.team_commercial_b)
        contract_b = self._contract_b()
        ticket_b2 = self._mail(
            self.contact.email, "soporte-b@subsidiary.example", "Receipts again"
        )
        self.assertEqual(ticket_b2.contract_id, contract_b)
        self.assertEqual(ticket_b2.team_id, self.team_b)
        ticket_a = self._mail(
            self.contact.email, "soporte@support.example.com", "Receipts in A"
        )
        self.assertEqual(ticket_a.company_id, self.company)
        self.assertEqual(ticket_a.installation_id, self.installation)
        self.assertEqual(ticket_a.contract_id, self.contract)
        self.assertEqual(ticket_a.team_id, self.team_l1)


@tagged("post_install", "-at_install")
class TestMultiCompanyPortal(PsaMultiCompanyCommon, HttpCase):
    """A contact of the shared customer with a portal user of B submits a
    ticket from the portal: it is B's, with B's installation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b.write(
            {
                "helpdesk_mgmt_portal_select_team": False,
                "helpdesk_mgmt_portal_select_category": False,
                "helpdesk_mgmt_portal_team_id_required": False,
                "helpdesk_mgmt_portal_category_id_required": False,
            }
        )
        cls.portal_b = new_test_user(
            cls.env,
            login="psa_mc_portal_b",
            groups="base.group_portal",
            partner_id=cls.contact.id,
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    def test_portal_ticket_of_b(self):
        ticket_a = self._ticket_a()
        self.authenticate(self.portal_b.login, self.portal_b.login)
        response = self.url_open(
            "/submitted/ticket",
            data={
                "subject": "Portal in B",
                "description": "Nothing prints",
                "csrf_token": http.Request.csrf_token(self),
            },
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Portal in B")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.installation_id, self.installation_b)
        self.assertFalse(ticket.contract_id)
        self.assertEqual(ticket.team_id, self.team_commercial_b)
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Portal in B", page.text)
        # A's ticket of the same customer is out of this user's companies
        self.assertFalse(ticket_a.with_user(self.portal_b).has_access("read"))
        page = self.url_open(f"/my/ticket/{ticket_a.id}")
        self.assertNotIn(ticket_a.name, page.text)
