# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Integrity of the SLA evidence on the customer's side (SPEC §7): a customer
closes only their own tickets (POST with CSRF, their own record rules, a
stage the portal offers, what solved it), reads nothing internal of them
(portal pages, JSON-RPC, tracking), and every text sent to them is built
from their own data."""

from markupsafe import Markup

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.helpdesk_ticket_portal import CUSTOMER_FIELDS
from .common_development import PsaDevelopmentCommon

OTHER_SUBJECT = "Otto's confidential payroll leak"


def _portal_user(env, login, partner):
    return new_test_user(
        env,
        login=login,
        groups="base.group_portal",
        partner_id=partner.id,
        email=partner.email or f"{login}@portal.example",
    )


class PsaPortalCommon(PsaDevelopmentCommon, HttpCase):
    """Two customers with a portal user each (and a colleague of the first),
    a ticket of each, SLA clocks, and internal data on the first customer's
    ticket that names the second customer: a problem ticket, a development
    task named after its subject, an override reason, an exception."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_awaiting = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_cancelled = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_cancelled"
        )
        cls.stage_rejected = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected")
        calendar = cls.env["resource.calendar"].create(
            {
                "name": "Portal 24x7 (test)",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"D{day}",
                            "dayofweek": str(day),
                            "hour_from": 0,
                            "hour_to": 24,
                        }
                    )
                    for day in range(7)
                ],
            }
        )
        cls.policy = cls.env["psa.sla.policy"].create(
            {
                "name": "Portal policy",
                "resource_calendar_id": calendar.id,
                "target_ids": [
                    Command.create(
                        {
                            "priority": p,
                            "response_hours": 4,
                            "resolution_hours": 40,
                            "update_hours": 8,
                        }
                    )
                    for p in ("1", "2", "3")
                ],
            }
        )
        cls.contracts.sla_policy_id = cls.policy
        cls.other_contact.email = "otto@other.example"
        cls.colleague = cls.env["res.partner"].create(
            {
                "name": "Carla Colega",
                "parent_id": cls.customer.id,
                "email": "carla@t.example",
            }
        )
        cls.laura = _portal_user(cls.env, "psa_portal_laura", cls.contact)
        cls.carla = _portal_user(cls.env, "psa_portal_carla", cls.colleague)
        cls.otto = _portal_user(cls.env, "psa_portal_otto", cls.other_contact)
        cls.public = cls.env.ref("base.public_user")
        cls.ticket = cls._ticket(
            name="Receipts print blank",
            installation_id=cls.installation.id,
            request_type="incident",
            severity="2",
            stage_id=cls.stage_ticket_progress.id,
        )
        cls.other_municipal = cls.env["psa.installation"].create(
            {
                "partner_id": cls.other_customer.id,
                "product_id": cls.product.id,
                "version_id": cls.v310.id,
            }
        )
        cls.other_ticket = cls._ticket(
            name=OTHER_SUBJECT,
            partner_id=cls.other_contact.id,
            installation_id=cls.other_municipal.id,
            request_type="incident",
            stage_id=cls.stage_ticket_progress.id,
        )

    def _link_internal_data(self):
        """What the agents know of the first customer's ticket and the
        customer must not: the other customer's problem ticket, the task
        named after its subject, an override and an exception reason."""
        self.other_ticket.psa_is_problem = True
        self._escalate(self.other_ticket, user=self.agent)
        self.ticket.write(
            {
                "psa_problem_id": self.other_ticket.id,
                "task_id": self.other_ticket.task_id.id,
                "project_id": self.other_ticket.project_id.id,
                "psa_priority_override": "1",
                "psa_priority_override_reason": "Mayor called the CEO",
                "notes": "<p>Internal: beware of the mayor</p>",
            }
        )
        self.assertIn(OTHER_SUBJECT, self.ticket.psa_task_name)

    def _flush_tracking(self):
        """Run what the commit would: tracking starts once a creation is
        committed, and is posted at the commit."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.invalidate_all()

    def _login(self, user):
        """A session of ``user`` (test users' password is their login)."""
        self.authenticate(user.login, user.login)

    def _post(self, url, data, csrf=True, **kwargs):
        if csrf:
            data = dict(data, csrf_token=http.Request.csrf_token(self))
        return self.url_open(url, data=data, allow_redirects=False, **kwargs)

    def _close(self, ticket, stage, **data):
        return self._post(
            "/ticket/close", dict(data, ticket_id=ticket.id, stage_id=stage.id)
        )

    def _unchanged(self, ticket, stage):
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, stage)
        self.assertFalse(ticket.closed_date)
        self.assertFalse(ticket.sudo().psa_sla_ids.filtered("end_date"))


@tagged("post_install", "-at_install")
class TestPortalClose(PsaPortalCommon):
    """``/ticket/close``: only by POST with its CSRF token, only the
    customer's own tickets, only into a stage the portal offers, with what
    solved the problem where the stage needs a resolution summary."""

    def test_get_refused(self):
        self._login(self.laura)
        response = self.url_open(
            f"/ticket/close?ticket_id={self.ticket.id}"
            f"&stage_id={self.stage_cancelled.id}",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 405)
        self._unchanged(self.ticket, self.stage_ticket_progress)

    def test_post_without_csrf_refused(self):
        self._login(self.laura)
        data = {"ticket_id": self.ticket.id, "stage_id": self.stage_cancelled.id}
        with mute_logger("odoo.http"):
            response = self._post("/ticket/close", data, csrf=False)
            self.assertEqual(response.status_code, 400)
            response = self._post(
                "/ticket/close", dict(data, csrf_token="forged"), csrf=False
            )
            self.assertEqual(response.status_code, 400)
        self._unchanged(self.ticket, self.stage_ticket_progress)

    def test_another_customers_ticket_refused(self):
        # Otto cannot read Laura's ticket...
        self._login(self.otto)
        response = self._close(self.ticket, self.stage_cancelled)
        self.assertEqual(response.status_code, 403)
        self._unchanged(self.ticket, self.stage_ticket_progress)
        # ... nor close it once he follows it (copied on an email): he may
        # read it, it is not his customer's
        self.ticket.message_subscribe(partner_ids=self.other_contact.ids)
        self.assertTrue(self.ticket.with_user(self.otto).has_access("read"))
        response = self._close(self.ticket, self.stage_cancelled)
        self.assertEqual(response.status_code, 403)
        self._unchanged(self.ticket, self.stage_ticket_progress)
        # and Laura cannot close Otto's ticket, nor a ticket that does not exist
        self._login(self.laura)
        response = self._close(self.other_ticket, self.stage_cancelled)
        self.assertEqual(response.status_code, 403)
        self._unchanged(self.other_ticket, self.stage_ticket_progress)
        missing = self._post(
            "/ticket/close",
            {"ticket_id": self.other_ticket.id + 1000, "stage_id": self.stage_new.id},
        )
        self.assertEqual(missing.status_code, 403)

    def test_public_user_refused(self):
        self.authenticate(None, None)
        response = self._close(self.ticket, self.stage_cancelled)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        self._unchanged(self.ticket, self.stage_ticket_progress)

    def test_stage_not_offered_refused(self):
        team = self.env["helpdesk.ticket.team"].create({"name": "Other team"})
        other_team_stage = self.env["helpdesk.ticket.stage"].create(
            {
                "name": "Closed by the other team",
                "closed": True,
                "close_from_portal": True,
                "psa_close_kind": "not_solved",
                "team_ids": [Command.set(team.ids)],
            }
        )
        not_closing = self.stage_awaiting
        not_closing.close_from_portal = True
        self._login(self.laura)
        for stage in (self.stage_rejected, other_team_stage, not_closing):
            with self.subTest(stage=stage.name):
                response = self._close(self.ticket, stage)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(
                    response.headers["Location"].endswith(
                        f"/my/ticket/{self.ticket.id}"
                    )
                )
                self._unchanged(self.ticket, self.stage_ticket_progress)
        # the model refuses them too, whoever calls it
        with self.assertRaises(UserError):
            self.ticket.with_user(self.laura)._psa_portal_close(self.stage_rejected)

    def test_close_own_incident_with_what_solved_it(self):
        clocks = self.ticket.psa_sla_ids
        self.assertTrue(clocks)
        self.assertFalse(clocks.filtered("end_date"))
        self._login(self.laura)
        # an incident needs what solved it: without it, nothing changes
        for data in ({}, {"resolution": "   "}):
            response = self._close(self.ticket, self.stage_ticket_done, **data)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(
                response.headers["Location"].endswith("psa_close_error=resolution")
            )
            self._unchanged(self.ticket, self.stage_ticket_progress)
        page = self.url_open(response.headers["Location"])
        self.assertIn('name="psa_close_error"', page.text)
        # with it, the ticket closes, the text is its resolution summary
        response = self._close(
            self.ticket,
            self.stage_ticket_done,
            resolution="We reinstalled the <printer> driver",
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            response.headers["Location"].endswith(f"/my/ticket/{self.ticket.id}")
        )
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.stage_id, self.stage_ticket_done)
        self.assertTrue(self.ticket.closed_date)
        self.assertEqual(
            self.ticket.psa_resolution,
            Markup("<p>We reinstalled the &lt;printer&gt; driver</p>"),
        )
        # the evidence says who closed it; the clocks stopped
        self.assertEqual(self.ticket.write_uid, self.laura)
        self.assertTrue(all(clocks.mapped("end_date")))
        self.assertNotIn(self.ticket.psa_sla_status, ("running", "paused", "at_risk"))
        # the customer got the closing email with their words
        closing = self.ticket.message_ids.filtered(
            lambda m: "Resolved" in (m.subject or "")
        )
        self.assertEqual(len(closing), 1)
        self.assertIn(self.contact, closing.partner_ids)
        self.assertIn("reinstalled the &lt;printer&gt; driver", closing.body)
        # the page shows it, and no close button any more
        page = self.url_open(f"/my/ticket/{self.ticket.id}")
        self.assertIn("reinstalled the &lt;printer&gt; driver", page.text)
        self.assertNotIn('action="/ticket/close"', page.text)
        # a closed ticket is not closed again into another stage
        response = self._close(self.ticket, self.stage_cancelled)
        self.assertEqual(response.status_code, 302)
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.stage_id, self.stage_ticket_done)

    def test_resolution_kept_when_the_agent_wrote_one(self):
        self.ticket.psa_resolution = "<p>Patch 3.9.4 applied by support</p>"
        self._login(self.laura)
        response = self._close(self.ticket, self.stage_ticket_done)
        self.assertEqual(response.status_code, 302)
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.stage_id, self.stage_ticket_done)
        self.assertIn("Patch 3.9.4", self.ticket.psa_resolution)

    def test_colleague_closes_without_resolution_where_none_is_needed(self):
        # a stage that needs none (Cancelled), by a colleague of the customer
        self._login(self.carla)
        response = self._close(self.ticket, self.stage_cancelled)
        self.assertEqual(response.status_code, 302)
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.stage_id, self.stage_cancelled)
        self.assertFalse(self.ticket.psa_resolution)
        self.assertEqual(self.ticket.write_uid, self.carla)
        # a usage question needs none either
        question = self._ticket(name="How do I print?", request_type="question")
        self._close(question, self.stage_ticket_done)
        question.invalidate_recordset()
        self.assertEqual(question.stage_id, self.stage_ticket_done)

    def test_no_silent_bypass_of_the_resolution(self):
        """Writing the stage as superuser on behalf of a customer (what
        helpdesk_mgmt's route did) does not skip the resolution summary."""
        with self.assertRaisesRegex(UserError, "resolution summary"):
            self.ticket.with_user(self.laura).sudo().stage_id = self.stage_ticket_done
        with self.assertRaises(UserError):
            self.ticket.with_user(self.laura)._psa_portal_close(self.stage_ticket_done)
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.otto)._psa_portal_close(self.stage_cancelled)
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.public)._psa_portal_close(self.stage_cancelled)
        self._unchanged(self.ticket, self.stage_ticket_progress)

    def test_close_buttons_only_for_the_customer(self):
        def close_forms(response):
            self.assertEqual(response.status_code, 200)
            return response.text.count('action="/ticket/close"')

        self._login(self.laura)
        page = self.url_open(f"/my/ticket/{self.ticket.id}")
        # Done and Cancelled, by POST with the CSRF token; Done asks what
        # solved the problem
        self.assertEqual(close_forms(page), 2)
        self.assertEqual(page.text.count('method="POST" action="/ticket/close"'), 2)
        self.assertEqual(page.text.count('name="resolution"'), 1)
        self.assertIn('name="csrf_token"', page.text)
        # what the ticket is about, from the customer's own fields
        self.assertIn("Municipal", page.text)
        self.assertIn("P2 - High", page.text)
        # a follower of another customer sees the page, not the buttons
        self.ticket.message_subscribe(partner_ids=self.other_contact.ids)
        self._login(self.otto)
        self.assertEqual(close_forms(self.url_open(f"/my/ticket/{self.ticket.id}")), 0)
        # nor does a visitor with the link
        self.authenticate(None, None)
        token = self.ticket._portal_ensure_token()
        page = self.url_open(f"/my/ticket/{self.ticket.id}?access_token={token}")
        self.assertEqual(close_forms(page), 0)


@tagged("post_install", "-at_install")
class TestPortalSubmit(PsaPortalCommon):
    """``/submitted/ticket`` creates as superuser: it keeps only the category
    and team the form offered to the user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "helpdesk_mgmt_portal_select_team": True,
                "helpdesk_mgmt_portal_select_category": True,
                "helpdesk_mgmt_portal_team_id_required": False,
                "helpdesk_mgmt_portal_category_id_required": False,
            }
        )
        cls.company_b = cls.env["res.company"].create({"name": "Subsidiary B"})
        Category = cls.env["helpdesk.ticket.category"]
        cls.category = Category.create({"name": "Printing", "show_in_portal": True})
        cls.hidden_category = Category.create(
            {"name": "VIP lane", "show_in_portal": False}
        )
        cls.category_b = Category.create(
            {
                "name": "B printing",
                "show_in_portal": True,
                "company_id": cls.company_b.id,
            }
        )
        Team = cls.env["helpdesk.ticket.team"]
        cls.team = Team.create({"name": "Portal team", "show_in_portal": True})
        cls.hidden_team = Team.create({"name": "P1 squad", "show_in_portal": False})
        cls.team_b = Team.create(
            {"name": "B team", "show_in_portal": True, "company_id": cls.company_b.id}
        )

    def _submit(self, subject, **data):
        response = self._post(
            "/submitted/ticket",
            dict(data, subject=subject, description="Nothing prints"),
        )
        self.assertIn(response.status_code, (302, 303))
        return self.env["helpdesk.ticket"].search([("name", "=", subject)])

    def test_foreign_category_and_team_dropped(self):
        self._login(self.laura)
        for category, team in (
            (self.category_b, self.team_b),
            (self.hidden_category, self.hidden_team),
        ):
            with self.subTest(category=category.name):
                subject = f"Submitted with {category.name}"
                ticket = self._submit(subject, category=category.id, team=team.id)
                self.assertEqual(len(ticket), 1)
                self.assertFalse(ticket.category_id)
                self.assertNotEqual(ticket.team_id, team)
                self.assertEqual(ticket.company_id, self.company)
                self.assertEqual(ticket.partner_id, self.contact)
        ticket = self._submit("Junk ids", category="1 OR 1=1", team="x")
        self.assertFalse(ticket.category_id)

    def test_offered_category_and_team_kept(self):
        self._login(self.laura)
        ticket = self._submit(
            "Printing fails", category=self.category.id, team=self.team.id
        )
        self.assertEqual(ticket.category_id, self.category)
        self.assertEqual(ticket.team_id, self.team)
        # entitled through the customer's contract, with clocks
        self.assertTrue(ticket.psa_entitled)
        self.assertTrue(ticket.sudo().psa_sla_ids)
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Printing fails", page.text)

    def test_not_entitled_flow_for_a_portal_customer(self):
        third = self.env["res.partner"].create(
            {"name": "Third Town", "is_company": True}
        )
        contact = self.env["res.partner"].create(
            {"name": "Tina Third", "parent_id": third.id, "email": "tina@third.example"}
        )
        _portal_user(self.env, "psa_portal_tina", contact)
        self.authenticate("psa_portal_tina", "psa_portal_tina")
        ticket = self._submit("No contract here")
        self.assertFalse(ticket.psa_entitled)
        answer = ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("mail.mt_comment")
        )
        self.assertEqual(len(answer), 1)
        self.assertIn("Third Town", answer.body)
        self.assertIn(contact, answer.partner_ids)
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("No contract here", page.text)

    def test_public_user_cannot_write_stages(self):
        Stage = self.env["helpdesk.ticket.stage"].with_user(self.public)
        self.assertFalse(Stage.has_access("write"))
        self.assertFalse(Stage.with_user(self.laura).has_access("write"))


@tagged("post_install", "-at_install")
class TestPortalReads(PsaPortalCommon):
    """A customer reads the fields of CUSTOMER_FIELDS of their tickets, and
    nothing else psa_helpdesk adds, however they ask."""

    def _psa_fields(self):
        Ticket = self.env["helpdesk.ticket"]
        return {
            name: field
            for name, field in Ticket._fields.items()
            if "psa_helpdesk" in (field._modules or ())
        }

    def _helpdesk_fields(self, names):
        """The fields of ``names`` that helpdesk_mgmt and psa_helpdesk define
        (not those of mail's mixins, nor the attachments, which portal users
        read through the portal's own routes)."""
        modules = {"helpdesk_mgmt", "helpdesk_mgmt_project", "psa_helpdesk"}
        fields = self.env["helpdesk.ticket"]._fields
        return sorted(
            name
            for name in names
            if modules & set(fields[name]._modules or ()) and name != "attachment_ids"
        )

    def _internal_fields(self):
        return sorted(set(self._psa_fields()) - CUSTOMER_FIELDS)

    def test_every_field_is_listed_or_internal(self):
        fields = self._psa_fields()
        self.assertGreater(len(fields), 50)
        self.assertLessEqual(CUSTOMER_FIELDS, set(fields), "unknown customer field")
        for user in (self.laura, self.public):
            env = self.env(user=user)
            for name, field in fields.items():
                with self.subTest(user=user.login, field=name):
                    self.assertEqual(
                        field.is_accessible(env),
                        name in CUSTOMER_FIELDS,
                        "a customer field, or one with groups= excluding "
                        "portal and public users",
                    )
        # agents read them all; developers all but those kept from them
        # on purpose (contract, clocks, escalations, history)
        agent_env, developer_env = (
            self.env(user=self.agent),
            self.env(user=self.developer),
        )
        for name, field in fields.items():
            with self.subTest(field=name):
                self.assertTrue(field.is_accessible(agent_env))
                if field.groups == "base.group_user":
                    self.assertTrue(field.is_accessible(developer_env))

    def test_internal_fields_refused_to_the_customer(self):
        self._link_internal_data()
        ticket = self.ticket.with_user(self.laura)
        Ticket = ticket.browse()
        for name in self._internal_fields():
            field = ticket._fields[name]
            with self.subTest(field=name):
                with self.assertRaises(AccessError):
                    ticket.read([name])
                with self.assertRaises(AccessError):
                    Ticket.search_read([], [name])
                with self.assertRaises(AccessError):
                    ticket.web_read({name: {}})
                if field.store or field.search:
                    with self.assertRaises(AccessError):
                        Ticket.search([(name, "!=", False)])
                if field.store and field.type not in ("one2many", "html", "json"):
                    with self.assertRaises(AccessError):
                        Ticket.read_group([], [name], [name])
                    with self.assertRaises(AccessError):
                        Ticket.web_read_group([], [name], [name])
        # what the customer may read, they read; a plain read() holds none
        # of the rest, nor the other customer's subject
        values = ticket.read(sorted(CUSTOMER_FIELDS))[0]
        self.assertEqual(values["psa_product_id"][0], self.product.id)
        # every helpdesk field the customer is told about (fields_get), read
        # at once
        offered = set(ticket.fields_get(attributes=["type"]))
        self.assertFalse(set(self._internal_fields()) & offered)
        everything = ticket.read(self._helpdesk_fields(offered))[0]
        self.assertNotIn(OTHER_SUBJECT, str(everything))
        self.assertNotIn("Mayor called", str(everything))
        self.assertNotIn("beware of the mayor", str(everything))

    def test_jsonrpc_reads(self):
        self._link_internal_data()
        self._login(self.laura)

        def call(method, args, kwargs=None):
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "helpdesk.ticket",
                    "method": method,
                    "args": args,
                    "kwargs": kwargs or {},
                },
            )

        asks = [
            ("read", [[self.ticket.id], ["psa_problem_id"]]),
            ("read", [[self.ticket.id], ["psa_task_name"]]),
            ("read", [[self.ticket.id], ["task_id"]]),
            ("read", [[self.ticket.id], ["psa_priority_override_reason"]]),
            ("read", [[self.ticket.id], ["psa_entitlement_reason"]]),
            ("search_read", [[], ["psa_entitlement_user_id"]]),
            ("web_read", [[self.ticket.id], {"psa_problem_id": {}}]),
            ("read_group", [[], ["psa_problem_id"], ["psa_problem_id"]]),
            ("search", [[("psa_problem_id.name", "ilike", "Otto")]]),
            ("search", [[("psa_task_name", "ilike", "Otto")]]),
        ]
        with mute_logger("odoo.http"):
            for method, args in asks:
                with self.subTest(method=method, args=args):
                    with self.assertRaises(JsonRpcException) as caught:
                        call(method, args)
                    self.assertIn("AccessError", str(caught.exception))
        result = call("read", [[self.ticket.id], sorted(CUSTOMER_FIELDS)])
        self.assertEqual(result[0]["psa_priority"], "1")
        offered = set(call("fields_get", [], {"attributes": ["type"]}))
        self.assertFalse(set(self._internal_fields()) & offered)
        everything = call("read", [[self.ticket.id], self._helpdesk_fields(offered)])
        self.assertNotIn(OTHER_SUBJECT, str(everything))
        self.assertNotIn("beware of the mayor", str(everything))
        # the other customer's ticket, linked as the problem, stays closed
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            call("read", [[self.other_ticket.id], ["name"]])

    def test_portal_pages_still_work(self):
        self._link_internal_data()
        self._login(self.laura)
        listing = self.url_open("/my/tickets")
        self.assertEqual(listing.status_code, 200)
        self.assertIn("Receipts print blank", listing.text)
        self.assertNotIn(OTHER_SUBJECT, listing.text)
        for sortby in ("date", "name", "stage", "update"):
            self.assertEqual(
                self.url_open(f"/my/tickets?sortby={sortby}&groupby=stage").status_code,
                200,
            )
        page = self.url_open(f"/my/ticket/{self.ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(OTHER_SUBJECT, page.text)
        self.assertNotIn("beware of the mayor", page.text)
        self.assertNotIn("Mayor called", page.text)
        # the customer answers from the portal; the clocks hear it
        self.ticket.with_user(self.laura).message_post(
            body="Still blank today",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertIn(
            "Still blank today", self.ticket.message_ids[:1].body, "posted as Laura"
        )

    def test_tracking_of_internal_fields_hidden_from_the_customer(self):
        self._flush_tracking()
        ticket = self.ticket.with_context(tracking_disable=False)
        self.other_ticket.psa_is_problem = True
        ticket.write({"psa_problem_id": self.other_ticket.id, "severity": "1"})
        self._flush_tracking()
        trackings = ticket.message_ids.sudo().tracking_value_ids
        tracked = set(trackings.field_id.mapped("name"))
        self.assertLessEqual({"psa_problem_id", "severity"}, tracked)
        shown = trackings._filter_has_field_access(self.env(user=self.laura))
        self.assertIn("severity", shown.field_id.mapped("name"))
        self.assertNotIn("psa_problem_id", shown.field_id.mapped("name"))
        mailed = trackings._filter_free_field_access()
        self.assertNotIn("psa_problem_id", mailed.field_id.mapped("name"))


@tagged("post_install", "-at_install")
class TestCustomerTexts(PsaPortalCommon):
    """Every text the addon sends to a customer is built from that
    customer's own data: their ticket's number and subject, the versions,
    the resolution; never another customer's subject or name."""

    def _customer_messages(self, records, partner):
        """Messages of ``records`` a customer sees or receives: public
        comments and emails, or addressed to ``partner``."""
        return records.message_ids.filtered(
            lambda m: (
                partner in m.partner_ids
                or (m.subtype_id and not m.subtype_id.internal)
                or m.message_type == "email_outgoing"
            )
        )

    def _assert_own_data_only(self, messages):
        self.assertTrue(messages)
        for message in messages:
            text = f"{message.subject or ''} {message.body or ''}"
            for foreign in (OTHER_SUBJECT, self.other_customer.name, "Otto"):
                self.assertNotIn(foreign, text)

    def test_problem_resolution_names_the_incident(self):
        self.other_ticket.psa_is_problem = True
        self.other_ticket.psa_problem_resolution = "Rounding fixed by patch 3.9.4"
        self.ticket.psa_problem_id = self.other_ticket
        self.other_ticket.with_user(self.agent).action_psa_resolve_incidents()
        self.assertTrue(self.ticket.closed)
        comment = self.ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("mail.mt_comment")
        )
        self.assertEqual(len(comment), 1)
        self.assertIn(self.ticket.number, comment.body)
        self.assertIn("Receipts print blank", comment.body)
        self.assertIn("Rounding fixed by patch 3.9.4", comment.body)
        self.assertNotIn(self.other_ticket.number, comment.body)
        self._assert_own_data_only(self._customer_messages(self.ticket, self.contact))

    def test_fix_available_names_the_customers_own_ticket(self):
        # the task is named after the other customer's ticket, escalated first
        self._escalate(self.other_ticket, user=self.agent)
        task = self.other_ticket.task_id
        self.assertIn(OTHER_SUBJECT, task.name)
        self._escalate(self.ticket, user=self.agent, mode="existing", task_id=task.id)
        self.assertEqual(self.ticket.task_id, task)
        # a third customer is affected without having reported it
        third = self.env["res.partner"].create(
            {"name": "Third Town", "is_company": True, "email": "it@third.example"}
        )
        third_installation = self.env["psa.installation"].create(
            {
                "partner_id": third.id,
                "product_id": self.product.id,
                "version_id": self.v310.id,
            }
        )
        task.psa_fix_version_id = self.v40
        self.assertIn(self.installation, task.psa_affected_installation_ids)
        installations = self.installation | third_installation
        before = installations.message_ids
        task.with_user(self.analyst).action_psa_notify_affected_customers()
        new = installations.message_ids - before
        mine = new.filtered(lambda m: m.res_id == self.installation.id)
        theirs = new.filtered(lambda m: m.res_id == third_installation.id)
        self.assertEqual(len(mine), 1)
        self.assertIn(f"[#{self.ticket.number}]", mine.body)
        self.assertIn("Receipts print blank", mine.body)
        self.assertIn("4.0", mine.body)
        self.assertIn("3.9", mine.body)
        self.assertEqual(mine.partner_ids, self.customer)
        self.assertEqual(len(theirs), 1)
        self.assertIn("4.0", theirs.body)
        self.assertNotIn("Receipts print blank", theirs.body)
        for message in mine | theirs:
            self.assertNotIn(task.name, message.body)
            self.assertNotIn(OTHER_SUBJECT, message.body)
        self._assert_own_data_only(
            self._customer_messages(self.installation, self.customer)
        )

    def test_every_customer_text_of_a_ticket_life(self):
        """A ticket linked to another customer's problem and development
        task, reported as not entitled first, then closed: none of what its
        customer sees or receives names the other customer."""
        ticket = self._ticket(
            name="Receipts print blank again",
            installation_id=self.installation.id,
            request_type="incident",
        ).with_context(tracking_disable=False)
        self._flush_tracking()
        self._link_internal_data()
        self._escalate(
            ticket, user=self.agent, mode="existing", task_id=self.ticket.task_id.id
        )
        ticket.psa_problem_id = self.other_ticket
        ticket.with_user(self.agent).message_post(
            body="We are on it",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.other_ticket.psa_problem_resolution = "Patched"
        self.other_ticket.with_user(self.agent).with_context(
            tracking_disable=False
        ).action_psa_resolve_incidents()
        self._flush_tracking()
        self.assertTrue(ticket.closed)
        messages = self._customer_messages(ticket, self.contact)
        self.assertGreaterEqual(len(messages), 3)
        self._assert_own_data_only(messages)
        # and the portal chatter (public messages) shows no internal tracking
        for message in messages:
            shown = message.sudo().tracking_value_ids._filter_has_field_access(
                self.env(user=self.laura)
            )
            self.assertFalse(
                shown.filtered(
                    lambda t: t.field_id.name in ("psa_problem_id", "task_id")
                )
            )


@tagged("post_install", "-at_install")
class TestPortalTour(PsaPortalCommon):
    def test_customer_sees_and_closes_only_own_tickets(self):
        self.start_tour(
            f"/my/tickets?psa_other={self.other_ticket.id}"
            f"&psa_stage={self.stage_cancelled.id}",
            "psa_portal_customer_tickets",
            login=self.laura.login,
        )
        self._unchanged(self.other_ticket, self.stage_ticket_progress)
        self.assertEqual(self.ticket.stage_id, self.stage_ticket_done)
        self.assertIn("Reinstalamos el controlador", self.ticket.psa_resolution)
