# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Support analysis reports: SLA compliance (per clock and per module), time
per stage and level, open backlog. Clocks and history segments are written
directly with the outcomes under test, so the numbers do not depend on the
engine's scheduling."""

import json

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.fields import Command, Datetime
from odoo.tests import tagged
from odoo.tools import SQL

from .common import PsaCommon, new_company_user

MARCH = "2026-03-02 09:00:00"
APRIL = "2026-04-01 09:00:00"
APRIL_3 = "2026-04-03 09:00:00"


@tagged("post_install", "-at_install")
class TestReports(PsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Team = cls.env["helpdesk.ticket.team"]
        cls.team_a = Team.create({"name": "Team A (reports)"})
        cls.team_b = Team.create({"name": "Team B (reports)"})
        Stage = cls.env["helpdesk.ticket.stage"]
        # shared by all companies: the tickets of company B use them too
        cls.stage_new = Stage.create(
            {"name": "New (reports)", "sequence": 1, "company_id": False}
        )
        cls.stage_work = Stage.create(
            {"name": "In progress (reports)", "company_id": False}
        )
        cls.stage_done = Stage.create(
            {"name": "Done (reports)", "closed": True, "company_id": False}
        )
        # t1: customer, 2 modules (taxes, land registry), team A
        cls.t1 = cls._ticket(installation_id=cls.installation.id, team_id=cls.team_a.id)
        # t2: other customer, other product, no module, team B
        cls.t2 = cls._ticket(
            partner_id=cls.other_contact.id,
            installation_id=cls.other_installation.id,
            team_id=cls.team_b.id,
        )
        # t3: customer, taxes only, team A
        cls.t3 = cls._ticket(installation_id=cls.installation.id, team_id=cls.team_a.id)
        cls.t3.psa_module_ids = [Command.set(cls.mod_tax.ids)]
        # the modules the requests are about: t1 the land registry (of its
        # two), t3 taxes, t2 none
        cls.t1.affected_module_id = cls.mod_land
        cls.t3.affected_module_id = cls.mod_tax
        cls.tickets = cls.t1 | cls.t2 | cls.t3
        # no contract: the engine started no clock; these are the clocks
        cls.assertFalse(cls, cls.tickets.psa_sla_ids)
        cls.clocks = cls.env["psa.ticket.sla"].create(
            [
                cls._clock(cls.t1, "response", "met", MARCH, end=True),
                cls._clock(
                    cls.t1,
                    "resolution",
                    "breached",
                    "2026-03-02 09:00:00",
                    overrun_hours=2.0,
                    penalty_amount=100.0,
                ),
                cls._clock(
                    cls.t2,
                    "response",
                    "met_late",
                    "2026-04-01 09:00:00",
                    end=True,
                    overrun_hours=1.0,
                    penalty_amount=50.0,
                ),
                cls._clock(cls.t2, "resolution", "running", APRIL),
                cls._clock(cls.t2, "update", "cancelled", APRIL, end=True),
                cls._clock(cls.t3, "response", "met", APRIL_3, end=True),
                cls._clock(cls.t3, "resolution", "met", APRIL_3, end=True),
            ]
        )

    @classmethod
    def _clock(cls, ticket, metric, status, start, end=False, **vals):
        return {
            "ticket_id": ticket.id,
            "metric": metric,
            "status": status,
            "priority": "2",
            "target_hours": 8.0,
            "start_date": start,
            "checkpoint_date": start,
            "end_date": start.replace("09:00", "17:00") if end else False,
            **vals,
        }

    def _grouped(self, model, groupby, user=None, domain=None, aggregates=None):
        """{group value: (clocks, decided, met, breached, compliance)}"""
        aggregates = aggregates or [
            "clock_count:sum",
            "finished_count:sum",
            "met_count:sum",
            "breached_count:sum",
            "compliance_rate:avg",
        ]
        Report = self.env[model].with_user(user or self.analyst)
        rows = Report._read_group(
            [("ticket_id", "in", self.tickets.ids)] + (domain or []),
            [groupby] if groupby else [],
            aggregates,
        )
        if not groupby:
            return tuple(self._round(v) for v in rows[0])
        return {row[0]: tuple(self._round(v) for v in row[1:]) for row in rows}

    @staticmethod
    def _round(value):
        return round(value, 2) if isinstance(value, float) else value

    # ------------------------------------------------------------------
    # SLA compliance
    # ------------------------------------------------------------------

    def test_sla_totals(self):
        # 7 clocks; decided: met ×3, breached, met late; running and
        # cancelled ones do not count in the rate
        self.assertEqual(self._grouped("psa.sla.report", None), (7, 5, 3, 2, 60.0))

    def test_sla_per_customer_product_team(self):
        good, bad = (4, 4, 3, 1, 75.0), (3, 1, 0, 1, 0.0)
        self.assertEqual(
            self._grouped("psa.sla.report", "partner_id"),
            {self.customer: good, self.other_customer: bad},
        )
        self.assertEqual(
            self._grouped("psa.sla.report", "product_id"),
            {self.product: good, self.other_product: bad},
        )
        self.assertEqual(
            self._grouped("psa.sla.report", "team_id"),
            {self.team_a: good, self.team_b: bad},
        )

    def test_sla_per_month_metric_status(self):
        self.assertEqual(
            self._grouped("psa.sla.report", "start_date:month"),
            {
                self._month("2026-03-01"): (2, 2, 1, 1, 50.0),
                self._month("2026-04-01"): (5, 3, 2, 1, 66.67),
            },
        )
        self.assertEqual(
            self._grouped("psa.sla.report", "metric"),
            {
                "response": (3, 3, 2, 1, 66.67),
                "resolution": (3, 2, 1, 1, 50.0),
                # nothing decided: no rate (not 0 %)
                "update": (1, 0, 0, 0, False),
            },
        )
        breached = (
            self.env["psa.sla.report"]
            .with_user(self.analyst)
            .search([("ticket_id", "in", self.tickets.ids), ("breached", "=", True)])
        )
        self.assertEqual(sorted(breached.mapped("status")), ["breached", "met_late"])
        self.assertEqual(sum(breached.mapped("overrun_hours")), 3.0)

    @staticmethod
    def _month(day):
        return Datetime.to_datetime(day)

    def test_sla_per_module(self):
        """A clock counts once, in the module its ticket is about (not in
        every installed module); tickets without one keep their clocks in
        an empty module group."""
        self.assertEqual(
            self._grouped("psa.sla.module.report", "module_id"),
            {
                self.mod_tax: (2, 2, 2, 0, 100.0),  # t3
                self.mod_land: (2, 2, 1, 1, 50.0),  # t1 (taxes installed too)
                self.env["psa.product.module"]: (3, 1, 0, 1, 0.0),  # t2
            },
        )
        # the clock report never multiplies clocks: filtering on a module
        # keeps one row per clock
        self.assertEqual(
            self._grouped(
                "psa.sla.report", None, domain=[("module_ids", "in", self.mod_land.ids)]
            ),
            (2, 2, 1, 1, 50.0),
        )
        self.assertEqual(
            self._grouped(
                "psa.sla.report",
                None,
                domain=[
                    ("module_ids", "in", (self.mod_tax | self.mod_land).ids),
                ],
            ),
            (4, 4, 3, 1, 75.0),
        )
        # one row per clock
        Report = self.env["psa.sla.module.report"]
        domain = [("ticket_id", "in", self.tickets.ids)]
        self.assertEqual(len(Report.search(domain).ids), 7)
        self.assertEqual(len(set(Report.search(domain).ids)), 7)
        rows = self.env["psa.sla.module.report"].search(
            [("clock_id", "=", self.clocks[1].id)]
        )
        self.assertEqual(rows.module_id, self.mod_land)
        self.assertEqual(rows.mapped("status"), ["breached"])

    def test_sla_penalties_for_managers_only(self):
        self.assertEqual(
            self._grouped(
                "psa.sla.report",
                "partner_id",
                user=self.manager,
                aggregates=["penalty_amount:sum"],
            ),
            {self.customer: (100.0,), self.other_customer: (50.0,)},
        )
        self.assertEqual(
            self._grouped(
                "psa.sla.module.report",
                "module_id",
                user=self.manager,
                aggregates=["penalty_amount:sum"],
            ),
            {
                self.mod_tax: (0.0,),
                self.mod_land: (100.0,),
                self.env["psa.product.module"]: (50.0,),
            },
        )
        for model in ("psa.sla.report", "psa.sla.module.report"):
            Report = self.env[model].with_user(self.analyst)
            self.assertNotIn("penalty_amount", Report.fields_get())
            self.assertNotIn("penalty_company_amount", Report.fields_get())
            with self.assertRaises(AccessError):
                Report.read_group(
                    [("ticket_id", "in", self.tickets.ids)],
                    ["penalty_amount:sum"],
                    ["partner_id"],
                )
            with self.assertRaises(AccessError):
                Report.search([("ticket_id", "in", self.tickets.ids)]).read(
                    ["penalty_amount"]
                )

    def test_penalties_in_contract_and_company_currency(self):
        """A penalty is owed in the contract's currency; the report also
        gives it in the company's, at the rate of the day the clock stopped,
        so penalties in several currencies add up."""
        company_currency = self.env.company.currency_id
        foreign = self.env.ref("base.EUR")
        if foreign == company_currency:
            foreign = self.env.ref("base.USD")
        foreign.active = True
        Rate = self.env["res.currency.rate"]
        Rate.search([("currency_id", "in", (company_currency | foreign).ids)]).unlink()
        Rate.create(
            [
                {"currency_id": company_currency.id, "name": "2026-01-01", "rate": 1.0},
                # 1 company unit = 0.5 foreign units from March, 0.25 from April
                {"currency_id": foreign.id, "name": "2026-03-01", "rate": 0.5},
                {"currency_id": foreign.id, "name": "2026-04-01", "rate": 0.25},
            ]
        )
        # a contract in the foreign currency gives its clocks their currency
        customer = self.env["res.partner"].create(
            {"name": "Foreign customer", "is_company": True}
        )
        contract = self._entitle([(customer, self.product)], currency_id=foreign.id)
        ticket = self._ticket(
            team_id=self.team_a.id, partner_id=customer.id, contract_id=contract.id
        )
        self.tickets |= ticket
        self.env["psa.ticket.sla"].create(
            [
                self._clock(
                    ticket,
                    "response",
                    "met_late",
                    "2026-03-02 09:00:00",
                    end=True,
                    penalty_amount=10.0,
                ),
                self._clock(
                    ticket,
                    "resolution",
                    "met_late",
                    "2026-04-02 09:00:00",
                    end=True,
                    penalty_amount=10.0,
                ),
            ]
        )
        rows = (
            self.env["psa.sla.report"]
            .with_user(self.manager)
            .search(
                [("ticket_id", "=", ticket.id), ("penalty_amount", ">", 0)],
                order="start_date",
            )
        )
        self.assertEqual(rows.currency_id, foreign)
        self.assertEqual(rows.company_currency_id, company_currency)
        self.assertEqual(rows.mapped("penalty_amount"), [10.0, 10.0])
        self.assertEqual(rows.mapped("penalty_company_amount"), [20.0, 40.0])
        # the company's own penalties are not converted; totals per currency
        self.assertEqual(
            self._grouped(
                "psa.sla.report",
                "currency_id",
                user=self.manager,
                aggregates=["penalty_amount:sum", "penalty_company_amount:sum"],
            ),
            {company_currency: (150.0, 150.0), foreign: (20.0, 60.0)},
        )

    def test_agents_do_not_read_reports(self):
        for model in (
            "psa.sla.report",
            "psa.sla.module.report",
            "psa.ticket.time.report",
            "psa.backlog.report",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.agent).search([])

    def test_menus_per_role(self):
        """Analysts reach Support analysis (helpdesk_mgmt shows Reporting to
        helpdesk managers only); penalties are for support managers."""
        reporting = self.env.ref("helpdesk_mgmt.helpdesk_ticket_reporting_menu")
        analysis = self.env.ref("psa_helpdesk.psa_sla_report_menu")
        penalties = self.env.ref("psa_helpdesk.psa_sla_report_menu_penalty")
        backlog = self.env.ref("psa_helpdesk.psa_backlog_report_menu")
        expected = {
            self.agent: set(),
            self.analyst: {reporting, analysis, backlog},
            self.manager: {reporting, analysis, backlog, penalties},
        }
        for user, menus in expected.items():
            visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            with self.subTest(user=user.login):
                self.assertEqual(
                    {
                        menu
                        for menu in (reporting, analysis, penalties, backlog)
                        if menu.id in visible
                    },
                    menus,
                )

    def test_report_views(self):
        """Every view of the reports loads for an analyst (penalty fields
        left out) and for a manager."""
        for model in (
            "psa.sla.report",
            "psa.sla.module.report",
            "psa.ticket.time.report",
            "psa.backlog.report",
        ):
            for user in (self.analyst, self.manager):
                Report = self.env[model].with_user(user)
                views = Report.get_views(
                    [(False, v) for v in ("list", "pivot", "graph", "search")]
                )
                arch = views["views"]["list"]["arch"]
                with self.subTest(model=model, user=user.login):
                    self.assertEqual(
                        "penalty_amount" in arch,
                        user == self.manager and "sla" in model,
                    )

    # ------------------------------------------------------------------
    # Time per stage and level
    # ------------------------------------------------------------------

    def test_time_per_stage_and_level(self):
        with freeze_time("2026-03-01 08:00:00"):
            ticket = self._ticket(team_id=self.team_a.id)
        self.tickets = ticket
        Segment = self.env["psa.ticket.segment"]

        def segment(dimension, start, end, wall, business, **vals):
            return {
                "ticket_id": ticket.id,
                "dimension": dimension,
                "date_start": start,
                "date_end": end,
                "wall_hours": wall,
                "business_hours": business,
                **vals,
            }

        new, work = self.stage_new, self.stage_work
        Segment.create(
            [
                segment(
                    "team",
                    "2026-03-02 08:00:00",
                    "2026-03-31 08:00:00",
                    696,
                    168,
                    team_id=self.team_a.id,
                ),
                segment(
                    "stage",
                    "2026-03-02 08:00:00",
                    "2026-03-02 12:00:00",
                    4,
                    4,
                    stage_id=new.id,
                ),
                segment(
                    "stage",
                    "2026-03-02 12:00:00",
                    "2026-03-03 12:00:00",
                    24,
                    8,
                    stage_id=work.id,
                ),
                segment(
                    "stage",
                    "2026-04-01 08:00:00",
                    "2026-04-01 10:00:00",
                    2,
                    2,
                    stage_id=new.id,
                ),
                segment(
                    "level",
                    "2026-03-02 08:00:00",
                    "2026-03-03 12:00:00",
                    28,
                    12,
                    value_key="1",
                ),
                segment(
                    "level",
                    "2026-04-01 08:00:00",
                    "2026-04-01 10:00:00",
                    2,
                    2,
                    value_key="2",
                ),
            ]
        )
        # In progress since: team B from March 31st, stage "work" from April
        # 1st 10:00, level L2 from April 1st 10:00 (kept on the ticket)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET team_id = %s, stage_id = %s, "
            "support_level = '2', psa_segment_since = %s WHERE id = %s",
            [
                self.team_b.id,
                work.id,
                json.dumps(
                    {
                        "team": "2026-03-31 08:00:00",
                        "stage": "2026-04-01 10:00:00",
                        "level": "2026-04-01 10:00:00",
                    }
                ),
                ticket.id,
            ],
        )
        self.env.invalidate_all()
        finished = [("ongoing", "=", False)]
        stage = finished + [("dimension", "=", "stage")]
        hours = ["business_hours:sum", "wall_hours:sum", "segment_count:sum"]
        model = "psa.ticket.time.report"
        self.assertEqual(
            self._grouped(model, "stage_id", domain=stage, aggregates=hours),
            {new: (6.0, 6.0, 2), work: (8.0, 24.0, 1)},
        )
        # the team is the one that held the ticket when the segment began
        self.assertEqual(
            self._grouped(model, "team_id", domain=stage, aggregates=hours),
            {self.team_a: (12.0, 28.0, 2), self.team_b: (2.0, 2.0, 1)},
        )
        self.assertEqual(
            self._grouped(model, "date_start:month", domain=stage, aggregates=hours),
            {
                self._month("2026-03-01"): (12.0, 28.0, 2),
                self._month("2026-04-01"): (2.0, 2.0, 1),
            },
        )
        level = finished + [("dimension", "=", "level")]
        self.assertEqual(
            self._grouped(
                model,
                "support_level",
                domain=level,
                aggregates=["business_hours:sum", "avg_business_hours:avg"],
            ),
            {"1": (12.0, 12.0), "2": (2.0, 2.0)},
        )
        # the current segments are there, without hours yet, held by
        # the team of the ticket since March 31st
        ongoing = (
            self.env[model]
            .with_user(self.analyst)
            .search([("ticket_id", "=", ticket.id), ("ongoing", "=", True)])
        )
        self.assertEqual(
            sorted(
                (r.dimension, r.stage_id, r.support_level, str(r.date_start), r.team_id)
                for r in ongoing
            ),
            [
                (
                    "level",
                    self.env["helpdesk.ticket.stage"],
                    "2",
                    "2026-04-01 10:00:00",
                    self.team_b,
                ),
                ("stage", work, False, "2026-04-01 10:00:00", self.team_b),
            ],
        )
        self.assertEqual(ongoing.mapped("business_hours"), [0.0, 0.0])

    # ------------------------------------------------------------------
    # Backlog
    # ------------------------------------------------------------------

    def test_backlog_age_buckets(self):
        ages = {  # days before 2026-05-01 12:00 → (severity, closed)
            0.5: "1",
            2: "2",
            2.5: "1",
            5: "3",
            10: "2",
            40: "3",
        }
        tickets = self.env["helpdesk.ticket"]
        for severity in ages.values():
            tickets |= self._ticket(stage_id=self.stage_new.id, severity=severity)
        closed = self._ticket(stage_id=self.stage_done.id, request_type="question")
        archived = self._ticket(stage_id=self.stage_new.id)
        archived.active = False
        self.env.flush_all()
        for ticket, age in zip(
            tickets | closed | archived, list(ages) + [1, 1], strict=True
        ):
            self.env.cr.execute(
                SQL(
                    "UPDATE helpdesk_ticket SET create_date = "
                    "TIMESTAMP '2026-05-01 12:00:00' - %s * INTERVAL '1 day' "
                    "WHERE id = %s",
                    age,
                    ticket.id,
                )
            )
        self.env.invalidate_all()
        self.tickets = tickets | closed | archived
        with freeze_time("2026-05-01 12:00:00"):
            self.assertEqual(
                self._grouped(
                    "psa.backlog.report", "age_bucket", aggregates=["ticket_count:sum"]
                ),
                {"1": (1,), "2": (2,), "3": (1,), "4": (1,), "5": (1,)},
            )
            self.assertEqual(
                self._grouped(
                    "psa.backlog.report", "priority", aggregates=["ticket_count:sum"]
                ),
                {"1": (2,), "2": (2,), "3": (2,)},
            )
            rows = (
                self.env["psa.backlog.report"]
                .with_user(self.analyst)
                .search([("ticket_id", "in", self.tickets.ids)])
            )
            self.assertEqual(rows.ticket_id, tickets)
            self.assertEqual(
                round(sum(rows.mapped("age_days")), 2), round(sum(ages), 2)
            )
        # a day later (1.5, 3, 3.5, 6, 11, 41 days), the buckets follow
        with freeze_time("2026-05-02 12:00:00"):
            self.assertEqual(
                self._grouped(
                    "psa.backlog.report", "age_bucket", aggregates=["ticket_count:sum"]
                ),
                {"2": (1,), "3": (3,), "4": (1,), "5": (1,)},
            )

    # ------------------------------------------------------------------
    # Multi-company
    # ------------------------------------------------------------------

    def test_multi_company_isolation(self):
        company_b, analyst_b = new_company_user(
            self.env,
            "Subsidiary B (reports)",
            "r_analyst_b",
            "psa_helpdesk.group_psa_analyst",
        )
        ticket_b = self._ticket(company_id=company_b.id, stage_id=self.stage_new.id)
        self.env["psa.ticket.sla"].create(
            self._clock(ticket_b, "response", "met", MARCH, end=True)
        )
        self.env["psa.ticket.segment"].create(
            {
                "ticket_id": ticket_b.id,
                "dimension": "stage",
                "stage_id": self.stage_new.id,
                "date_start": "2026-03-02 09:00:00",
                "date_end": "2026-03-02 10:00:00",
                "wall_hours": 1.0,
                "business_hours": 1.0,
            }
        )
        ticket_a = self._ticket(stage_id=self.stage_new.id)
        self.tickets |= ticket_a | ticket_b
        for model in (
            "psa.sla.report",
            "psa.sla.module.report",
            "psa.ticket.time.report",
            "psa.backlog.report",
        ):
            domain = [("ticket_id", "in", self.tickets.ids)]
            rows_a = self.env[model].with_user(self.analyst).search(domain)
            rows_b = self.env[model].with_user(analyst_b).search(domain)
            with self.subTest(model=model):
                self.assertTrue(rows_a)
                self.assertNotIn(ticket_b, rows_a.ticket_id)
                self.assertEqual(rows_b.ticket_id, ticket_b)
                self.assertEqual(set(rows_b.mapped("company_id")), {company_b})
