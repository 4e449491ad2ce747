# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's self-service pages (SPEC §9, seed 05): their installations
and their coverage, through the real HTTP routes as portal users; another
customer's ids give 404 and leak nothing; the server access details of an
installation and the penalty terms of a contract never reach a portal user,
by page nor by JSON-RPC."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .common import new_company_user
from .test_integrity_portal import PsaPortalCommon, _portal_user


@tagged("post_install", "-at_install")
class TestPortalSelfService(PsaPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.installation.go_live_date = "2021-05-17"
        cls.mod_tax.name = "Taxes"
        # Laura's version is deprecated; 4.0 is the latest supported one
        cls.v39.support_state = "deprecated"
        cls.v310.support_state = "deprecated"
        cls.v40.support_state = "supported"
        cls.contract_laura = cls.contracts.filtered(
            lambda c: c.partner_id == cls.customer
        )
        cls.contract_laura.write(
            {
                "name": "Municipal maintenance 2026",
                "penalty_per_breach": 4321,
            }
        )
        cls.other_contract = cls.contracts - cls.contract_laura
        cls.other_contract.name = "Otto secret maintenance"

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    # ------------------------------------------------------------------
    # Installations
    # ------------------------------------------------------------------

    def test_installations_list(self):
        self._login(self.laura)
        response = self._get("/my/installations")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn(f"/my/installations/{self.installation.id}", page)
        self.assertIn("Municipal", page)
        self.assertIn("3.9", page)
        self.assertIn("Deprecated", page)
        self.assertIn("Latest supported version", page)
        # never another customer's installation
        self.assertNotIn(f"/my/installations/{self.other_municipal.id}", page)
        self.assertNotIn(f"/my/installations/{self.other_installation.id}", page)
        # never the server access details
        self.assertNotIn("erp.testville.example", page)
        self.assertNotIn("secret-profile", page)

    def test_installation_detail(self):
        self._login(self.laura)
        response = self._get(f"/my/installations/{self.installation.id}")
        self.assertEqual(response.status_code, 200)
        page = response.text
        for text in (
            "Municipal",
            "3.9",
            "Deprecated",
            "4.0",  # the latest supported version
            "Production",
            "Taxes",
            "Land registry",
            "Customised modules",
            "05/17/2021",
            # its open ticket, linked to the ticket page
            self.ticket.number,
            f"/my/ticket/{self.ticket.id}",
        ):
            self.assertIn(text, page)
        self.assertNotIn("erp.testville.example", page)
        self.assertNotIn("secret-profile", page)
        self.assertNotIn(OTHER_SUBJECT_MARK, page)

    def test_installation_supported_says_so(self):
        self.v39.support_state = "supported"
        self._login(self.laura)
        page = self._get(f"/my/installations/{self.installation.id}").text
        self.assertIn("Supported", page)
        self.assertNotIn("Latest supported version", page)

    def test_installation_closed_ticket_not_listed(self):
        self.ticket.stage_id = self.stage_cancelled
        self._login(self.laura)
        page = self._get(f"/my/installations/{self.installation.id}").text
        self.assertNotIn(f"/my/ticket/{self.ticket.id}", page)
        self.assertIn("No open tickets for this installation", page)

    def test_other_customers_installation_not_found(self):
        self._login(self.otto)
        with mute_logger("odoo.http"):
            for inst in (
                self.installation,
                self.env["psa.installation"].browse(999999),
            ):
                response = self._get(f"/my/installations/{inst.id}")
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("erp.testville.example", response.text)
                self.assertNotIn("Town of Testville", response.text)
        # his own list has only his own
        page = self._get("/my/installations").text
        self.assertIn(f"/my/installations/{self.other_municipal.id}", page)
        self.assertNotIn(f"/my/installations/{self.installation.id}", page)

    def test_customer_of_another_company(self):
        """A contact of the same customer whose portal account lives in
        another company sees none of the first company's installations."""
        company, _user = new_company_user(
            self.env, "Other vendor", "psa_other_vendor_agent", "base.group_user"
        )
        contact = self.env["res.partner"].create(
            {"name": "Lola Elsewhere", "parent_id": self.customer.id}
        )
        lola = _portal_user(self.env, "psa_portal_lola", contact)
        lola.write({"company_ids": [(6, 0, company.ids)], "company_id": company.id})
        self._login(lola)
        page = self._get("/my/installations").text
        self.assertNotIn(f"/my/installations/{self.installation.id}", page)
        with mute_logger("odoo.http"):
            response = self._get(f"/my/installations/{self.installation.id}")
        self.assertEqual(response.status_code, 404)
        page = self._get("/my/coverage").text
        self.assertNotIn("Municipal maintenance 2026", page)

    def test_anonymous_redirected_to_login(self):
        response = self._get(f"/my/installations/{self.installation.id}")
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    # ------------------------------------------------------------------
    # Coverage
    # ------------------------------------------------------------------

    def test_coverage(self):
        self._login(self.laura)
        response = self._get("/my/coverage")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("Municipal maintenance 2026", page)
        self.assertIn("Municipal", page)
        self.assertIn("Tier (test)", page)
        self.assertIn("01/01/2020", page)
        self.assertIn("Open-ended", page)
        # never the penalty terms nor another customer's contract
        self.assertNotIn("4,321", page)
        self.assertNotIn("4321", page)
        self.assertNotIn("Otto secret maintenance", page)

    def test_coverage_only_contracts_in_force(self):
        self.contract_laura.action_cancel()
        self._login(self.laura)
        page = self._get("/my/coverage").text
        self.assertNotIn("Municipal maintenance 2026", page)
        self.assertIn("no maintenance contract in force", page)

    # ------------------------------------------------------------------
    # Portal home and JSON-RPC
    # ------------------------------------------------------------------

    def test_home_counters(self):
        self._login(self.laura)
        counters = self.make_jsonrpc_request(
            "/my/counters",
            {"counters": ["psa_installation_count", "psa_contract_count"]},
        )
        self.assertEqual(counters["psa_installation_count"], 1)
        self.assertEqual(counters["psa_contract_count"], 1)
        page = self._get("/my").text
        self.assertIn("/my/installations", page)
        self.assertIn("/my/coverage", page)

    def test_jsonrpc_refused(self):
        """Portal users have no access to installations nor contracts by
        RPC, whatever the ids or fields; the server access details neither
        through the ticket."""
        self._login(self.laura)

        def call(model, method, args, kwargs=None):
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs or {},
                },
            )

        asks = [
            ("psa.installation", "read", [[self.installation.id], ["server_host"]]),
            ("psa.installation", "read", [[self.installation.id], ["name"]]),
            ("psa.installation", "search_read", [[], ["server_access_details"]]),
            ("psa.installation", "search", [[("server_host", "ilike", "erp")]]),
            ("psa.installation", "read_group", [[], ["server_host"], ["server_host"]]),
            (
                "psa.contract",
                "read",
                [[self.contract_laura.id], ["penalty_per_breach"]],
            ),
            ("psa.contract", "search_read", [[], ["name"]]),
            (
                "helpdesk.ticket",
                "read",
                [[self.ticket.id], ["installation_id.server_host"]],
            ),
            (
                "helpdesk.ticket",
                "search",
                [[("installation_id.server_host", "ilike", "erp")]],
            ),
        ]
        with mute_logger("odoo.http"):
            for model, method, args in asks:
                with (
                    self.subTest(model=model, method=method, args=args),
                    self.assertRaises(JsonRpcException),
                ):
                    call(model, method, args)


@tagged("post_install", "-at_install")
class TestPortalTicketList(PsaPortalCommon):
    """``/my/tickets``: P, severity, SLA state and the promised time in
    words, installation and affected module; installation and priority
    filters that only narrow the user's own tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket.affected_module_id = cls.mod_tax
        cls.second = cls._ticket(
            name="Cash desk slow",
            installation_id=cls.installation.id,
            request_type="incident",
            severity="3",
        )

    def test_columns(self):
        self.assertEqual(self.ticket.psa_priority, "2")
        promise = self.ticket.with_user(self.laura)._psa_portal_sla_promise()
        self.assertEqual(promise["state"], "on_track")
        self.assertTrue(promise["lines"])
        self._login(self.laura)
        response = self.url_open("/my/tickets")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn(self.ticket.number, page)
        self.assertIn("P2", page)
        self.assertIn("On track", page)
        for line in promise["lines"]:
            self.assertIn(line, page)
        self.assertIn(f"/my/installations/{self.installation.id}", page)
        self.assertIn("Taxes", page)
        self.assertNotIn(OTHER_SUBJECT_MARK, page)
        self.assertNotIn("erp.testville.example", page)

    def test_filters(self):
        self._login(self.laura)
        page = self.url_open("/my/tickets?psa_priority=3").text
        self.assertIn(self.second.number, page)
        self.assertNotIn(self.ticket.number, page)
        page = self.url_open(
            f"/my/tickets?psa_installation={self.installation.id}"
        ).text
        self.assertIn(self.second.number, page)
        self.assertIn(self.ticket.number, page)
        # another customer's installation: nothing, and nothing of it
        page = self.url_open(
            f"/my/tickets?psa_installation={self.other_municipal.id}"
        ).text
        self.assertNotIn(self.ticket.number, page)
        self.assertNotIn(self.other_ticket.number, page)
        self.assertNotIn(OTHER_SUBJECT_MARK, page)
        # garbage is ignored
        page = self.url_open("/my/tickets?psa_installation=abc&psa_priority=x").text
        self.assertIn(self.ticket.number, page)
        # grouped by installation and by priority
        for groupby in ("installation", "psa_priority"):
            response = self.url_open(f"/my/tickets?groupby={groupby}")
            self.assertEqual(response.status_code, 200)
            self.assertIn(self.ticket.number, response.text)

    def test_promise_in_words(self):
        """The deadline in the user's language and time zone: a Monday 11:00
        UTC deadline is "lunes 12:00" for a customer in Madrid."""
        self.env["res.lang"]._activate_lang("es_ES")
        self.laura.write({"lang": "es_ES", "tz": "Europe/Madrid"})
        Ticket = (
            self.env["helpdesk.ticket"].with_user(self.laura).with_context(lang="es_ES")
        )
        now = fields.Datetime.to_datetime("2026-12-03 09:00:00")
        when = Ticket._psa_portal_when(
            fields.Datetime.to_datetime("2026-12-07 11:00:00"), now=now
        )
        self.assertEqual(when, "lunes 12:00")
        when = Ticket._psa_portal_when(
            fields.Datetime.to_datetime("2026-12-21 11:00:00"), now=now
        )
        self.assertEqual(when, "lunes 21 diciembre 12:00")

    def test_promise_in_spanish(self):
        """The whole sentence in Spanish, in the customer's time zone."""
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(["psa_helpdesk"], ["es_ES"])
        self.laura.write({"lang": "es_ES", "tz": "Europe/Madrid"})
        clock = self.ticket.sudo().psa_sla_ids.filtered(
            lambda c: c.metric == "response" and not c.end_date
        )
        self.assertTrue(clock.deadline)
        ticket = self.ticket.with_user(self.laura).with_context(lang="es_ES")
        promise = ticket._psa_portal_sla_promise()
        when = ticket._psa_portal_when(clock.deadline)
        self.assertIn(f"Respuesta antes del {when}", promise["lines"])

    def test_passed_deadline_is_no_promise(self):
        """Once its deadline has passed, a clock reads as overdue, never as
        "before <a past day>" (even before the scheduled action marks it
        breached)."""
        clock = self.ticket.sudo().psa_sla_ids.filtered(
            lambda c: c.metric == "response" and not c.end_date
        )
        ticket = self.ticket.with_user(self.laura)
        when = ticket._psa_portal_when(clock.deadline)
        with freeze_time(clock.deadline + timedelta(minutes=5)):
            promise = ticket._psa_portal_sla_promise()
        self.assertEqual(promise["state"], "late")
        self.assertIn(f"Response was due {when}", promise["lines"])
        self.assertFalse(
            [line for line in promise["lines"] if line.startswith("Response before")]
        )

    def test_closed_ticket_no_promise(self):
        self.ticket.stage_id = self.stage_cancelled
        promise = self.ticket.with_user(self.laura)._psa_portal_sla_promise()
        self.assertEqual(promise, {"state": False, "lines": []})


@tagged("post_install", "-at_install")
class TestPortalNewTicket(PsaPortalCommon):
    """The guided new ticket: the customer's own installations and modules,
    request type and severity with their help, the coverage of each
    installation; the ticket goes through the same pipeline (entitlement,
    P, clocks); anything the form did not offer is refused."""

    def _submit(self, **data):
        values = {
            "subject": "Receipts fail",
            "description": "Nothing prints",
            "psa_request_type": "incident",
            "psa_severity": "1",
        }
        values.update(data)
        return self._post("/submitted/ticket", values)

    def _new_tickets(self):
        return self.env["helpdesk.ticket"].search([("name", "=", "Receipts fail")])

    def test_form(self):
        # a second installation of theirs
        self.other_municipal.write(
            {"partner_id": self.customer.id, "environment": "test"}
        )
        self.contracts.filtered(lambda c: c.partner_id == self.customer).action_cancel()
        self._login(self.laura)
        page = self.url_open("/new/ticket").text
        self.assertIn('name="psa_installation"', page)
        self.assertIn(self.installation.display_name, page)
        self.assertIn("Land registry", page)
        self.assertIn("S1 - Operation stopped", page)
        self.assertIn("operation is stopped", page)
        self.assertIn("No active maintenance contract for Municipal", page)
        self.assertNotIn(self.other_installation.display_name, page)
        self.assertNotIn("erp.testville.example", page)

    def test_coverage_json(self):
        self._login(self.laura)
        result = self.make_jsonrpc_request(
            "/my/psa/coverage", {"installation_id": self.installation.id}
        )
        self.assertTrue(result["covered"])
        self.assertIn("covers Municipal", result["message"])
        self.assertEqual(
            {m["id"] for m in result["modules"]}, set(self.installation.module_ids.ids)
        )
        # another customer's installation: not found, nothing leaked
        with mute_logger("odoo.http"):
            for inst_id in (self.other_municipal.id, 0, "abc"):
                with self.assertRaises(JsonRpcException):
                    self.make_jsonrpc_request(
                        "/my/psa/coverage", {"installation_id": inst_id}
                    )

    def test_submit_same_pipeline(self):
        self._login(self.laura)
        response = self._submit(
            psa_installation=self.installation.id, psa_module=self.mod_land.id
        )
        self.assertEqual(response.status_code, 302)
        ticket = self._new_tickets()
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.installation_id, self.installation)
        self.assertEqual(ticket.affected_module_id, self.mod_land)
        self.assertEqual(ticket.request_type, "incident")
        self.assertEqual(ticket.severity, "1")
        self.assertEqual(ticket.partner_id, self.contact)
        # the same entitlement, priority and clocks as any channel
        self.assertEqual(ticket.contract_id.partner_id, self.customer)
        self.assertEqual(ticket.psa_priority, "1")
        self.assertTrue(ticket.psa_sla_ids)
        self.assertIn(f"/my/ticket/{ticket.id}", response.headers["Location"])

    def test_submit_refuses_what_the_form_did_not_offer(self):
        self._login(self.laura)
        bad = [
            {"psa_installation": self.other_municipal.id},
            {"psa_installation": "abc"},
            {
                "psa_installation": self.installation.id,
                "psa_module": self.mod_cash.id,  # not installed
            },
            {
                "psa_installation": self.installation.id,
                "psa_module": self.other_module.id,
            },
            {"psa_installation": self.installation.id, "psa_severity": "9"},
            {"psa_installation": self.installation.id, "psa_request_type": "x"},
        ]
        with mute_logger("odoo.http"):
            for data in bad:
                with self.subTest(data=data):
                    response = self._submit(**data)
                    self.assertEqual(response.status_code, 400)
        self.assertFalse(self._new_tickets())


@tagged("post_install", "-at_install")
class TestPortalDeflection(PsaPortalCommon):
    """Articles suggested on the guided new ticket: only published ones of
    the customer's product, version and module matching the text; "yes" counts
    the article and opens no ticket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Page = cls.env["document.page"]
        cls.article = Page.create(
            {
                "name": "Tax receipts print blank",
                "psa_kind": "solution",
                "psa_product_id": cls.product.id,
                "psa_module_ids": [Command.set(cls.mod_tax.ids)],
                "psa_symptoms": "receipt blank printing",
                "psa_published": True,
                "content": "<p>Restore the standard receipt template.</p>",
            }
        )
        cls.internal = Page.create(
            {
                "name": "Tax receipts print blank: database fix",
                "psa_kind": "solution",
                "psa_product_id": cls.product.id,
                "psa_module_ids": [Command.set(cls.mod_tax.ids)],
                "content": "<p>UPDATE secret_table</p>",
            }
        )
        cls.other_article = Page.create(
            {
                "name": "Payslips print blank",
                "psa_kind": "solution",
                "psa_product_id": cls.other_product.id,
                "psa_published": True,
                "content": "<p>Payroll only</p>",
            }
        )

    def _articles(self, **params):
        values = {
            "installation_id": self.installation.id,
            "module_id": self.mod_tax.id,
            "subject": "Tax receipts print blank",
        }
        values.update(params)
        return self.make_jsonrpc_request("/my/psa/articles", values)

    def test_suggestions(self):
        self._login(self.laura)
        result = self._articles()
        self.assertEqual([a["id"] for a in result], self.article.ids)
        self.assertIn("standard receipt template", result[0]["content"])
        self.assertNotIn("secret_table", str(result))
        # no subject, or an installation that is not theirs: nothing
        self.assertEqual(self._articles(subject=" "), [])
        self.assertEqual(self._articles(installation_id=self.other_installation.id), [])
        self.assertEqual(self._articles(installation_id="abc"), [])

    def test_yes_counts_once_and_opens_no_ticket(self):
        self._login(self.laura)
        tickets = self.env["helpdesk.ticket"].search_count([])

        def solved():
            return self.make_jsonrpc_request(
                "/my/psa/article_solved", {"article_id": self.article.id}
            )

        # an article never suggested to this user: not counted
        self.assertEqual(solved(), {"counted": False})
        self._articles()
        self.assertEqual(solved(), {"counted": True})
        # repeating the call does not inflate the counter
        self.assertEqual(solved(), {"counted": False})
        self._articles()
        self.assertEqual(solved(), {"counted": False})
        self.article.invalidate_recordset()
        self.assertEqual(self.article.psa_deflection_count, 1)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), tickets)

    def test_revisions_of_an_article_are_not_for_customers(self):
        """A customer reads the published text of an article, never its
        earlier revisions (an internal wording before it was published)."""
        self.article.content = "<p>Published wording: reprint from the menu</p>"
        History = self.env["document.page.history"].with_user(self.laura)
        with self.assertRaises(AccessError):
            History.search_read([("page_id", "=", self.article.id)], ["content"])
        page = self.article.with_user(self.laura)
        self.assertIn("Published wording", page.read(["content"])[0]["content"])

    def test_yes_refused_on_articles_not_theirs(self):
        self._login(self.laura)
        with mute_logger("odoo.http"):
            for article_id in (self.internal.id, self.other_article.id, "x", 0):
                with self.assertRaises(JsonRpcException):
                    self.make_jsonrpc_request(
                        "/my/psa/article_solved", {"article_id": article_id}
                    )
        self.assertEqual(self.internal.psa_deflection_count, 0)
        self.assertEqual(self.other_article.psa_deflection_count, 0)

    def test_guided_new_ticket_tour(self):
        """The guided new ticket in the browser: live coverage, the article
        suggested, the ticket with the right installation, module and P."""
        self.other_installation.write({"partner_id": self.customer.id})
        self.start_tour(
            "/new/ticket", "psa_portal_guided_new_ticket", login=self.laura.login
        )
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Tax receipts print blank")]
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.installation_id, self.installation)
        self.assertEqual(ticket.affected_module_id, self.mod_tax)
        self.assertEqual(ticket.psa_priority, "1")
        self.assertEqual(ticket.partner_id, self.contact)


OTHER_SUBJECT_MARK = "Otto's confidential"
