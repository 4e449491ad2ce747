# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Known solutions (SPEC §8, seed 04 §6, seed 01): the affected module,
article suggestions, applying an article, customer validation by email, by
portal and by timeout, workarounds and problems, solving without
documentation, access per role."""

from unittest.mock import patch

from freezegun import freeze_time
from markupsafe import Markup

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MailCase

from ..models.helpdesk_ticket_knowledge import validation_answer
from .common import PsaContractCommon, enable_mail_gateway, recorded_queries
from .common_development import PsaDevelopmentCommon


class KnowledgeCommon(PsaContractCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write(
            {
                "target_ids": [
                    Command.create(
                        {
                            "priority": p,
                            "response_hours": 4,
                            "resolution_hours": 16,
                            "update_hours": 8,
                        }
                    )
                    for p in ("1", "2", "3")
                ]
            }
        )
        cls.stage_progress = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_validation = cls.env.ref(
            "psa_helpdesk.helpdesk_ticket_stage_customer_validation"
        )
        cls.writer = new_test_user(
            cls.env, login="psa_doc_writer", groups="psa_helpdesk.group_psa_agent"
        )
        cls.team_l1.psa_documentation_user_id = cls.writer
        Page = cls.env["document.page"]
        cls.art_tax = Page.create(
            {
                "name": "Tax receipt prints blank",
                "psa_kind": "solution",
                "psa_product_id": cls.product.id,
                "psa_version_from_id": cls.v39.id,
                "psa_version_to_id": cls.v310.id,
                "psa_module_ids": [Command.set(cls.mod_tax.ids)],
                "psa_symptoms": "receipt blank page printing taxes",
                "psa_published": True,
                "content": "<p>Reinstall the receipt report template.</p>",
            }
        )
        cls.art_land = Page.create(
            {
                "name": "Land registry map does not load",
                "psa_kind": "solution",
                "psa_product_id": cls.product.id,
                "psa_module_ids": [Command.set(cls.mod_land.ids)],
                "psa_published": True,
                "content": "<p>Clear the map cache.</p>",
            }
        )
        cls.art_any = Page.create(
            {
                "name": "Receipt prints blank after an update",
                "psa_kind": "solution",
                "psa_product_id": cls.product.id,
                "content": "<p>Restart the print service.</p>",
            }
        )
        cls.art_new = Page.create(
            {
                "name": "Tax receipt prints blank in 4.0",
                "psa_kind": "workaround",
                "psa_product_id": cls.product.id,
                "psa_version_from_id": cls.v40.id,
                "psa_published": True,
                "content": "<p>Print to PDF until the fix.</p>",
            }
        )
        cls.art_other = Page.create(
            {
                "name": "Tax receipt prints blank",
                "psa_kind": "solution",
                "psa_product_id": cls.other_product.id,
                "psa_published": True,
                "content": "<p>Other product.</p>",
            }
        )
        cls.art_workaround = Page.create(
            {
                "name": "Tax receipt: print from the legacy screen",
                "psa_kind": "workaround",
                "psa_product_id": cls.product.id,
                "psa_module_ids": [Command.set(cls.mod_tax.ids)],
                "psa_symptoms": "receipt prints blank",
                "psa_published": True,
                "content": "<p>Use the legacy print screen.</p>",
            }
        )

    def _new(self, **vals):
        values = {
            "name": "Tax receipt prints blank",
            "team_id": self.team_l1.id,
            "installation_id": self.installation.id,
            "request_type": "incident",
            "stage_id": self.stage_progress.id,
        }
        values.update(vals)
        return self._ticket(user=self.agent, **values)

    def _apply(self, ticket, article, problem=None):
        wizard = (
            self.env["psa.apply.article.wizard"]
            .with_user(self.agent)
            .create(
                {
                    "ticket_id": ticket.id,
                    "article_id": article.id,
                    "problem_id": problem.id if problem else False,
                }
            )
        )
        wizard.action_apply()
        return wizard

    def _customer_reply(self, ticket, body):
        # as the mail gateway posts an email of the customer (HTML)
        ticket.sudo().message_post(
            body=Markup(body),
            author_id=self.contact.id,
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )

    def _resolution_clock(self, ticket):
        return (
            ticket.sudo()
            .psa_sla_ids.filtered(lambda c: c.metric == "resolution")
            .sorted("id")[-1:]
        )


@tagged("post_install", "-at_install")
class TestAffectedModule(KnowledgeCommon):
    def test_proposed_from_text(self):
        ticket = self._new(name="Taxes: the receipt prints blank")
        self.assertEqual(ticket.affected_module_id, self.mod_tax)
        ticket = self._new(
            name="Error", description="<p>En el módulo LND no carga el mapa</p>"
        )
        self.assertEqual(ticket.affected_module_id, self.mod_land)

    def test_not_proposed_when_ambiguous_or_absent(self):
        ticket = self._new(name="Taxes and Land registry both fail")
        self.assertFalse(ticket.affected_module_id)
        # Treasury (CSH) is a module of the product the installation lacks
        ticket = self._new(name="Treasury closes")
        self.assertFalse(ticket.affected_module_id)

    def test_one_of_the_installation_modules(self):
        ticket = self._new(name="It fails")
        ticket.with_user(self.agent).affected_module_id = self.mod_land
        for module in (self.mod_cash, self.other_module):
            with self.assertRaises(ValidationError):
                ticket.with_user(self.agent).affected_module_id = module
        self.assertEqual(ticket.affected_module_id, self.mod_land)
        with self.assertRaises(ValidationError):
            self._new(name="It fails", affected_module_id=self.mod_cash.id)

    def test_new_installation_clears_module(self):
        ticket = self._new(name="Taxes fail")
        other = self.env["psa.installation"].create(
            {
                "partner_id": self.customer.id,
                "product_id": self.product.id,
                "version_id": self.v40.id,
                "environment": "test",
                "module_ids": [Command.set(self.mod_cash.ids)],
            }
        )
        ticket.with_user(self.agent).installation_id = other
        self.assertFalse(ticket.affected_module_id)

    def test_group_by_affected_module(self):
        self._new(name="Taxes fail")
        self._new(name="Land registry fails")
        self._new(name="Taxes again")
        groups = dict(
            self.env["helpdesk.ticket"]._read_group(
                [("partner_id", "=", self.contact.id)],
                ["affected_module_id"],
                ["__count"],
            )
        )
        self.assertEqual(groups[self.mod_tax], 2)
        self.assertEqual(groups[self.mod_land], 1)
        found = self.env["helpdesk.ticket"].search(
            [("affected_module_id", "ilike", "Land")]
        )
        self.assertEqual(len(found), 1)


@tagged("post_install", "-at_install")
class TestArticleSuggestions(KnowledgeCommon):
    def test_ranking_and_filters(self):
        ticket = self._new(name="Tax receipt prints blank")
        self.assertEqual(ticket.affected_module_id, self.mod_tax)
        suggested = ticket.psa_article_suggestion_ids
        # the article of the affected module first; other modules, other
        # products and versions out of range never
        self.assertEqual(suggested[:1], self.art_tax)
        self.assertIn(self.art_any, suggested)
        self.assertIn(self.art_workaround, suggested)
        self.assertNotIn(self.art_land, suggested)
        self.assertNotIn(self.art_new, suggested)
        self.assertNotIn(self.art_other, suggested)

    def test_version_range(self):
        self.installation.version_id = self.v40
        ticket = self._new(name="Tax receipt prints blank")
        suggested = ticket.psa_article_suggestion_ids
        self.assertIn(self.art_new, suggested)
        self.assertNotIn(self.art_tax, suggested)
        self.installation.version_id = self.v310
        ticket = self._new(name="Tax receipt prints blank")
        self.assertIn(self.art_tax, ticket.psa_article_suggestion_ids)

    def test_usage_breaks_ties(self):
        twin = self.art_tax.copy()
        twin.write(
            {
                "name": self.art_tax.name,
                "psa_module_ids": [Command.set(self.mod_tax.ids)],
                "psa_symptoms": self.art_tax.psa_symptoms,
            }
        )
        done = self._new(name="Tax receipt prints blank")
        done.sudo().write(
            {
                "psa_article_id": twin.id,
                "psa_resolution": "<p>Done</p>",
                "stage_id": self.stage_done.id,
            }
        )
        self.assertEqual(twin.psa_solved_count, 1)
        ticket = self._new(name="Tax receipt prints blank")
        self.assertEqual(ticket.psa_article_suggestion_ids[:1], twin)

    def test_unrelated_subject_not_suggested(self):
        ticket = self._new(name="Zzz qqq")
        self.assertNotIn(self.art_any, ticket.psa_article_suggestion_ids)

    def test_article_checks(self):
        Page = self.env["document.page"]
        with self.assertRaises(ValidationError):
            Page.create({"name": "No product", "psa_kind": "solution"})
        with self.assertRaises(ValidationError):
            Page.create(
                {
                    "name": "Inverted",
                    "psa_kind": "solution",
                    "psa_product_id": self.product.id,
                    "psa_version_from_id": self.v40.id,
                    "psa_version_to_id": self.v39.id,
                }
            )
        with self.assertRaises(ValidationError):
            Page.create(
                {
                    "name": "Other product's module",
                    "psa_kind": "solution",
                    "psa_product_id": self.product.id,
                    "psa_module_ids": [Command.set(self.other_module.ids)],
                }
            )


@tagged("post_install", "-at_install")
class TestApplyArticle(KnowledgeCommon):
    def test_apply_sends_and_waits(self):
        ticket = self._new()
        clock = self._resolution_clock(ticket)
        self.assertTrue(clock)
        self.assertFalse(clock.paused_since)
        self._apply(ticket, self.art_tax)
        self.assertEqual(ticket.psa_article_id, self.art_tax)
        self.assertEqual(ticket.stage_id, self.stage_validation)
        self.assertEqual(ticket.psa_validation_state, "pending")
        self.assertTrue(ticket.psa_validation_deadline)
        self.assertIn("Reinstall", str(ticket.psa_resolution))
        # the resolution clock pauses while the customer validates
        self.assertTrue(self._resolution_clock(ticket).paused_since)
        message = ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("mail.mt_comment")
        )[:1]
        self.assertIn("Reinstall the receipt report", str(message.body))
        self.assertIn(self.contact, message.partner_ids)

    def test_apply_in_customer_language(self):
        self.env["res.lang"]._activate_lang("es_AR")
        self.contact.lang = "es_AR"
        ticket = self._new()
        wizard = self._apply(ticket, self.art_tax)
        self.assertIn("Reinstall", str(wizard.body))

    def test_internal_article_content_never_sent(self):
        self.art_any.psa_published = False
        ticket = self._new()
        wizard = (
            self.env["psa.apply.article.wizard"]
            .with_user(self.agent)
            .create({"ticket_id": ticket.id, "article_id": self.art_any.id})
        )
        self.assertNotIn("print service", str(wizard.body))

    def test_article_of_another_product_refused(self):
        ticket = self._new()
        with self.assertRaises(UserError):
            ticket.with_user(self.agent)._psa_apply_article(
                self.art_other, "<p>Try this</p>"
            )
        self.assertFalse(ticket.psa_article_id)
        self.assertEqual(ticket.stage_id, self.stage_progress)

    def test_workaround_needs_problem(self):
        ticket = self._new()
        with self.assertRaises(UserError):
            ticket.with_user(self.agent)._psa_apply_article(
                self.art_workaround, "<p>Use the legacy screen</p>"
            )
        self.assertEqual(ticket.stage_id, self.stage_progress)
        # the wizard creates the problem when none is given
        self._apply(ticket, self.art_workaround)
        problem = ticket.psa_problem_id
        self.assertTrue(problem.psa_is_problem)
        # with the incident's context
        self.assertEqual(problem.installation_id, ticket.installation_id)
        self.assertEqual(problem.affected_module_id, ticket.affected_module_id)
        self.assertEqual(problem.request_type, ticket.request_type)
        self.assertEqual(problem.user_id, self.agent)
        self.assertTrue(ticket.psa_fix_pending)
        self.assertEqual(ticket.psa_validation_state, "pending")
        # the problem's fix ends "permanent fix pending"
        problem.write(
            {"psa_resolution": "<p>Fixed in 3.10</p>", "stage_id": self.stage_done.id}
        )
        self.assertFalse(ticket.psa_fix_pending)

    def test_cancelled_problem_brings_no_fix(self):
        cancelled = self._l1_closing_stage("Cancelled problem", "not_solved")
        ticket = self._new()
        self._apply(ticket, self.art_workaround)
        ticket.psa_problem_id.sudo().stage_id = cancelled
        self.assertTrue(ticket.psa_fix_pending)
        # the stage closes as solved after all: the fix came
        cancelled.psa_close_kind = "solved"
        self.assertFalse(ticket.psa_fix_pending)
        self.assertEqual(
            ticket.search([("psa_fix_pending", "=", True), ("id", "=", ticket.id)]),
            ticket.browse(),
            "stored: the search agrees",
        )
        # and the problem reopened: pending again
        ticket.psa_problem_id.sudo().stage_id = self.stage_progress
        self.assertTrue(ticket.psa_fix_pending)

    def _l1_closing_stage(self, name, kind):
        """A closing stage of team L1 only, closing as ``kind``."""
        return self.env["helpdesk.ticket.stage"].create(
            {
                "name": name,
                "closed": True,
                "psa_close_kind": kind,
                "team_ids": [Command.set(self.team_l1.ids)],
            }
        )

    def _problem_solved_in_l1(self, **problem_vals):
        """``(incident, problem, stage)``: an incident solved with a
        workaround, whose problem (sudo) is solved in a closing stage of team
        L1 only, ``problem_vals`` written with it."""
        solved_l1 = self._l1_closing_stage("Solved in L1", "solved")
        ticket = self._new()
        self._apply(ticket, self.art_workaround)
        problem = ticket.psa_problem_id.sudo()
        problem.write(
            {
                "psa_resolution": "<p>Fixed</p>",
                "stage_id": solved_l1.id,
                **problem_vals,
            }
        )
        self.assertFalse(ticket.psa_fix_pending)
        return ticket, problem, solved_l1

    def _assert_pending_again(self, ticket, problem, solved_stage):
        """``problem`` left ``solved_stage`` (recomputed by its team):
        ``ticket``, its incident, is pending again, in the search too."""
        self.assertNotEqual(problem.stage_id, solved_stage, "recomputed by its team")
        self.assertTrue(ticket.psa_fix_pending)
        self.assertEqual(
            ticket.search([("psa_fix_pending", "=", True), ("id", "=", ticket.id)]),
            ticket,
            "stored: the search agrees",
        )

    def test_problem_moved_by_its_team_follows(self):
        """A problem whose stage helpdesk_mgmt recomputes (another team,
        which does not use its stage) brings its incidents back to pending;
        moving an incident or any other ticket reads no incidents."""
        ticket, problem, solved_l1 = self._problem_solved_in_l1()
        other = self._new()
        stage_new = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        self.env.flush_all()
        self.env.invalidate_all()  # a new request: the ticket read again
        with recorded_queries() as queries:
            other.with_user(self.agent).stage_id = stage_new
            self.env.flush_all()
        self.assertFalse(
            [q for q in queries if '"psa_problem_id" IN' in q],
            "a ticket that is no problem has no incidents to read",
        )
        problem.team_id = self.team_l2
        self._assert_pending_again(ticket, problem, solved_l1)

    def test_archived_incident_follows_its_problem(self):
        """An archived incident follows its problem like the others: solved
        while it was archived, it is no longer pending once unarchived."""
        ticket = self._new()
        self._apply(ticket, self.art_workaround)
        problem = ticket.psa_problem_id.sudo()
        ticket.sudo().active = False
        problem.write(
            {"psa_resolution": "<p>Fixed in 3.10</p>", "stage_id": self.stage_done.id}
        )
        ticket.sudo().active = True
        self.assertFalse(ticket.psa_fix_pending)
        self.assertFalse(
            ticket.search([("psa_fix_pending", "=", True), ("id", "=", ticket.id)]),
            "stored: the search agrees",
        )

    def test_deleted_problem_leaves_the_fix_pending(self):
        """A solved problem deleted: its incidents have a workaround and no
        problem any more, so their permanent fix is pending again, as
        computed."""
        ticket = self._new()
        self._apply(ticket, self.art_workaround)
        problem = ticket.psa_problem_id.sudo()
        problem.write(
            {"psa_resolution": "<p>Fixed in 3.10</p>", "stage_id": self.stage_done.id}
        )
        self.assertFalse(ticket.psa_fix_pending)
        problem.unlink()
        self.assertFalse(ticket.psa_problem_id)
        self.assertTrue(ticket.psa_fix_pending)
        self.assertEqual(
            ticket.search([("psa_fix_pending", "=", True), ("id", "=", ticket.id)]),
            ticket,
            "stored: the search agrees",
        )

    def test_problem_moved_by_its_new_assignee_follows(self):
        """A problem without team given an assignee gets the assignee's team
        (helpdesk_mgmt), and with it a stage of that team: its incidents
        follow, though the write named neither the team nor the stage."""
        ticket, problem, solved_l1 = self._problem_solved_in_l1(
            team_id=False, user_id=False
        )
        problem.user_id = self.analyst
        self.assertEqual(problem.team_id, self.team_l2)
        self._assert_pending_again(ticket, problem, solved_l1)

    def test_solving_workaround_without_problem_refused(self):
        ticket = self._new(psa_resolution="<p>Legacy screen</p>")
        ticket.sudo().psa_article_id = self.art_workaround
        with self.assertRaises(UserError):
            ticket.with_user(self.agent).stage_id = self.stage_done
        self.assertEqual(ticket.stage_id, self.stage_progress)

    def test_workaround_rule_on_values_after_write(self):
        ticket = self._new()
        self._apply(ticket, self.art_workaround)
        problem = ticket.psa_problem_id
        self.assertTrue(problem)
        agent_ticket = ticket.with_user(self.agent)
        # unlinking the problem while waiting: the acceptance could not solve
        with self.assertRaises(UserError):
            agent_ticket.write({"psa_problem_id": False})
        # unlinking and solving in one write
        with self.assertRaises(UserError):
            agent_ticket.write(
                {"psa_problem_id": False, "stage_id": self.stage_done.id}
            )
        self.assertEqual(ticket.psa_problem_id, problem)
        self.assertEqual(ticket.psa_validation_state, "pending")
        # solved with its problem; then unlinking it is refused too
        ticket.with_user(self.agent).stage_id = self.stage_done
        with self.assertRaises(UserError):
            agent_ticket.write({"psa_problem_id": False})
        self.assertEqual(ticket.psa_problem_id, problem)

    def test_closed_ticket_refused(self):
        ticket = self._new(psa_resolution="<p>Done</p>")
        ticket.with_user(self.agent).stage_id = self.stage_done
        with self.assertRaises(UserError):
            ticket.with_user(self.agent).action_psa_apply_article()
        with self.assertRaises(UserError):
            self._apply(ticket, self.art_tax)
        with self.assertRaises(UserError):
            self._apply(ticket, self.art_workaround)
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertFalse(ticket.psa_article_id)
        self.assertFalse(ticket.psa_problem_id)

    def test_validation_stage_only_by_applying(self):
        ticket = self._new()
        with self.assertRaises(UserError):
            ticket.with_user(self.agent).write({"stage_id": self.stage_validation.id})
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertFalse(self._resolution_clock(ticket).paused_since)
        with self.assertRaises(UserError):
            self._new(stage_id=self.stage_validation.id)
        # applying: in the stage, with a validation pending and a deadline
        self._apply(ticket, self.art_tax)
        self.assertEqual(ticket.stage_id, self.stage_validation)
        self.assertEqual(ticket.psa_validation_state, "pending")
        self.assertTrue(ticket.psa_validation_deadline)

    def test_restricted_user_cannot_apply(self):
        ticket = self._new()
        outsider = new_test_user(
            self.env, login="psa_outsider", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.env["psa.apply.article.wizard"].with_user(outsider).create(
                {"ticket_id": ticket.id, "article_id": self.art_tax.id}
            )
        with self.assertRaises(AccessError):
            ticket.with_user(outsider).write({"psa_article_id": self.art_tax.id})


@tagged("post_install", "-at_install")
class TestCustomerValidation(KnowledgeCommon):
    def test_answer_words(self):
        for text in ("Acepto", "Sí, funciona. Gracias", "OK", "Solved, thanks!"):
            self.assertEqual(validation_answer(text), "accept", text)
        for text in (
            "No funciona",
            "Rechazo",
            "It does not work",
            "no",
            "No, gracias",
            "Sigue igual",
            "Sí, pero no anda",
        ):
            self.assertEqual(validation_answer(text), "reject", text)
        for text in (
            # doubtful: a normal reply, for the agent
            "No problem, it works now",
            "Funciona, pero no del todo",
            "Ya no falla",
            "¿Dónde está el botón?",
            (
                "The receipt now prints but the totals are wrong in the last "
                "line of the report"
            ),
            "",
        ):
            self.assertIsNone(validation_answer(text), text)
        self.assertEqual(validation_answer("> quoted\nAccepted\n"), "accept")

    def test_doubtful_answers_are_normal_replies(self):
        # a question, a deferral, a qualified statement: for the agent
        for text in (
            "Ok, lo pruebo mañana y les aviso",
            "Ok, gracias. ¿Y cuándo llega la versión nueva?",
            "¿Funciona también para la versión 3.9?",
            "Funciona?",
            "Funciona en test, en producción falla",
            "funciona mal",
            "Solved? nope",
            "Funciona.\n\n¿Cuándo llega la 4.0?",
            # a reply that starts with "no" is not a rejection
            "No estoy en la oficina hasta el lunes.",
            "No puedo probarlo hasta mañana",
            "No me llegó ningún archivo adjunto",
        ):
            self.assertIsNone(validation_answer(text), text)

    def test_answer_after_greeting_and_past_tenses(self):
        for text in (
            "Hola,\n\nFunciona perfecto. Gracias",
            "Buenos días\nya funciona",
            "Funcionó!",
            "Perfecto, funcionó",
            "Anduvo, gracias",
            (
                "Acepto\n\nSaludos,\nJuan\n\nEl lun, 2 mar 2026, Soporte "
                "escribió:\n> ¿Funciona?"
            ),
        ):
            self.assertEqual(validation_answer(text), "accept", text)

    def test_accept_by_email(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        self._customer_reply(ticket, "<p>Acepto, gracias</p>")
        self.assertEqual(ticket.psa_validation_state, "accepted")
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertEqual(self._resolution_clock(ticket).status, "met")
        self.assertEqual(self.art_tax.psa_solved_count, 1)

    def test_reject_by_email(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        self._customer_reply(ticket, "<p>It does not work</p>")
        self.assertEqual(ticket.psa_validation_state, "rejected")
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertFalse(self._resolution_clock(ticket).paused_since)

    def test_normal_reply_is_a_reply(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        self._customer_reply(
            ticket, "<p>Which template do you mean, the one of 2024?</p>"
        )
        # a question: back to work, the validation ends there
        self.assertFalse(ticket.psa_validation_state)
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertFalse(ticket.closed)

    def test_agent_cannot_forge_validation(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        for fname, value in (
            ("psa_validation_state", "accepted"),
            ("psa_article_id", self.art_land.id),
        ):
            with self.assertRaises(AccessError):
                ticket.with_user(self.agent).write({fname: value})
        self.assertEqual(ticket.psa_validation_state, "pending")
        # an agent taking the ticket back ends the wait
        ticket.with_user(self.agent).stage_id = self.stage_progress
        self.assertFalse(ticket.psa_validation_state)

    def test_bulk_move_ends_the_validation_of_each(self):
        portal = new_test_user(
            self.env,
            login="psa_kn_bulk_portal",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        waiting, other = self._new(), self._new(name="Another request")
        self._apply(waiting, self.art_tax)
        (waiting | other).with_user(self.agent).write(
            {"stage_id": self.stage_progress.id}
        )
        self.assertEqual(waiting.stage_id, self.stage_progress)
        self.assertFalse(waiting.psa_validation_state)
        self.assertFalse(waiting.psa_validation_deadline)
        self.assertFalse(other.psa_validation_state)
        # nothing left to accept from the portal
        with self.assertRaises(UserError):
            waiting.with_user(portal)._psa_portal_validate("accept")
        self.assertEqual(waiting.stage_id, self.stage_progress)

    def test_agent_closing_while_waiting_is_recorded(self):
        self.stage_done.close_from_portal = True
        portal = new_test_user(
            self.env,
            login="psa_kn_close_portal",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        ticket = self._new()
        self.assertIn(
            self.stage_done, ticket.with_user(portal)._psa_portal_close_stages()
        )
        self._apply(ticket, self.art_tax)
        # waiting: the accept button is the portal's only way to close
        self.assertFalse(ticket.with_user(portal)._psa_portal_close_stages())
        with self.assertRaises(UserError):
            ticket.with_user(portal)._psa_portal_close(self.stage_done, "ok")
        ticket.with_user(self.agent).stage_id = self.stage_done
        self.assertEqual(ticket.psa_validation_state, "agent")
        self.assertTrue(ticket.psa_validation_date)
        self.assertFalse(ticket.psa_validation_deadline)

    def test_other_person_cannot_accept(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        ticket.sudo().message_post(
            body="<p>Accept</p>",
            author_id=self.other_contact.id,
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(ticket.psa_validation_state, "pending")
        self.assertEqual(ticket.stage_id, self.stage_validation)

    def test_portal_accept_reject(self):
        portal = new_test_user(
            self.env,
            login="psa_kn_portal",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        other = new_test_user(
            self.env,
            login="psa_kn_portal_other",
            groups="base.group_portal",
            partner_id=self.other_contact.id,
        )
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        with self.assertRaises(AccessError):
            ticket.with_user(other)._psa_portal_validate("accept")
        ticket.with_user(portal)._psa_portal_validate("reject")
        self.assertEqual(ticket.psa_validation_state, "rejected")
        with self.assertRaises(UserError):
            ticket.with_user(portal)._psa_portal_validate("accept")
        self._apply(ticket, self.art_tax)
        ticket.with_user(portal)._psa_portal_validate("accept")
        self.assertEqual(ticket.stage_id, self.stage_done)

    def test_timeout_in_business_days(self):
        self.team_l1.psa_validation_days = 3
        # Monday 2 March 2026, 10:00 UTC; Wednesday 4 is a holiday
        with freeze_time("2026-03-02 10:00:00"):
            ticket = self._new()
            self._apply(ticket, self.art_tax)
        # 3 business days: Tuesday 3, Thursday 5, Friday 6 (until 17:00)
        self.assertEqual(str(ticket.psa_validation_deadline), "2026-03-06 17:00:00")
        Ticket = self.env["helpdesk.ticket"]
        with freeze_time("2026-03-06 16:00:00"):
            Ticket._cron_psa_validation_timeout()
        self.assertEqual(ticket.psa_validation_state, "pending")
        with freeze_time("2026-03-09 08:00:00"):
            Ticket._cron_psa_validation_timeout()
        self.assertEqual(ticket.psa_validation_state, "reminded")
        self.assertEqual(ticket.stage_id, self.stage_validation)
        self.assertIn("Reminder", str(ticket.message_ids[:1].body))
        # Tuesday 10, Wednesday 11, Thursday 12
        self.assertEqual(str(ticket.psa_validation_deadline), "2026-03-12 17:00:00")
        with freeze_time("2026-03-13 08:00:00"):
            Ticket._cron_psa_validation_timeout()
        self.assertEqual(ticket.psa_validation_state, "timeout")
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertIn("did not answer", str(ticket.message_ids[:1].body))
        # the date of the solution, as the customer reads it (not raw UTC)
        self.assertNotIn("2026-03-02 10:00:00", str(ticket.message_ids[:1].body))
        self.assertGreater(ticket.psa_validation_hours, 24 * 10)


@tagged("post_install", "-at_install")
class TestKnowledgeDocumentation(KnowledgeCommon):
    def test_solved_without_documentation(self):
        ticket = self._new(name="Taxes: interest rounding")
        with self.assertRaises(UserError):
            ticket.with_user(self.agent).action_psa_solved_without_documentation()
        ticket.with_user(self.agent).psa_resolution = "<p>Set rounding to 0.01</p>"
        ticket.with_user(self.agent).action_psa_solved_without_documentation()
        self.assertTrue(ticket.psa_no_documentation)
        draft = self.env["document.page"].search(
            [("psa_symptoms", "=", "Taxes: interest rounding")]
        )
        self.assertEqual(len(draft), 1)
        self.assertFalse(draft.psa_published)
        self.assertIn("rounding to 0.01", draft.content)
        self.assertEqual(draft.psa_module_ids, self.mod_tax)
        activity = draft.activity_ids
        self.assertEqual(activity.user_id, self.writer)
        # a draft under review is no suggestion, until its to-do is done
        other = self._new(name="Taxes: interest rounding")
        self.assertNotIn(draft, other.psa_article_suggestion_ids)
        activity.action_feedback()
        other.invalidate_recordset(["psa_article_suggestion_ids"])
        self.assertIn(draft, other.psa_article_suggestion_ids)
        # once: no second draft nor to-do
        with self.assertRaises(UserError):
            ticket.with_user(self.agent).action_psa_solved_without_documentation()
        self.assertEqual(
            self.env["document.page"].search_count(
                [("psa_symptoms", "=", "Taxes: interest rounding")]
            ),
            1,
        )


@tagged("post_install", "-at_install")
class TestKnowledgeAccess(KnowledgeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(
            cls.env,
            login="psa_kn_reader",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )
        cls.art_internal = cls.env["document.page"].create(
            {
                "name": "Internal: database fix for blank receipts",
                "psa_kind": "solution",
                "psa_product_id": cls.product.id,
                "content": "<p>UPDATE ...</p>",
            }
        )

    def test_agent_writes_articles(self):
        page = (
            self.env["document.page"]
            .with_user(self.agent)
            .create(
                {
                    "name": "Agent's article",
                    "psa_kind": "solution",
                    "psa_product_id": self.product.id,
                    "content": "<p>Steps</p>",
                }
            )
        )
        page.with_user(self.agent).content = "<p>Better steps</p>"
        self.assertEqual(len(page.history_ids), 2)
        with self.assertRaises(AccessError):
            page.with_user(self.agent).unlink()

    def test_portal_reads_published_of_its_products(self):
        Page = self.env["document.page"].with_user(self.portal)
        visible = Page.search([])
        self.assertIn(self.art_tax, visible)
        self.assertNotIn(self.art_internal, visible)
        self.assertNotIn(self.art_any, visible)  # not published
        self.assertNotIn(self.art_other, visible)  # a product they do not run
        self.assertIn("Reinstall", self.art_tax.with_user(self.portal).content)
        with self.assertRaises(AccessError):
            self.art_internal.with_user(self.portal).read(["name"])
        with self.assertRaises(AccessError):
            self.art_tax.with_user(self.portal).write({"name": "Hacked"})
        with self.assertRaises(AccessError):
            Page.create({"name": "Mine", "psa_kind": "solution"})
        groups = Page.read_group([], ["psa_kind"], ["psa_kind"])
        self.assertEqual(sum(g["psa_kind_count"] for g in groups), len(visible))

    def test_portal_reads_no_internal_ticket_field(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        with self.assertRaises(AccessError):
            ticket.with_user(self.portal).read(["psa_article_id"])
        values = ticket.with_user(self.portal).read(["psa_validation_state"])
        self.assertEqual(values[0]["psa_validation_state"], "pending")


@tagged("post_install", "-at_install")
class TestKnowledgeDevelopment(PsaDevelopmentCommon):
    def test_escalated_task_takes_the_affected_module(self):
        ticket = self._ticket(name="Taxes: interest is wrong")
        self.assertEqual(ticket.affected_module_id, self.mod_tax)
        self._escalate(ticket, user=self.agent)
        self.assertEqual(ticket.task_id.psa_module_id, self.mod_tax)


@tagged("post_install", "-at_install")
class TestKnowledgeReports(KnowledgeCommon):
    def test_sla_report_per_affected_module(self):
        tax = self._new(name="Taxes fail")
        land = self._new(name="Land registry fails")
        tickets = tax | land
        self.assertEqual(tax.affected_module_id, self.mod_tax)
        self.assertEqual(land.affected_module_id, self.mod_land)
        domain = [("ticket_id", "in", tickets.ids)]
        for model, groupby in (
            ("psa.sla.report", "affected_module_id"),
            # the per-module report groups by the affected module too, not
            # by every module installed
            ("psa.sla.module.report", "module_id"),
        ):
            Report = self.env[model].with_user(self.analyst)
            groups = dict(Report._read_group(domain, [groupby], ["__count"]))
            # one row per clock: each clock counts once, in its ticket's module
            self.assertEqual(set(groups), {self.mod_tax, self.mod_land}, model)
            self.assertEqual(groups[self.mod_tax], len(tax.sudo().psa_sla_ids))
            self.assertEqual(groups[self.mod_land], len(land.sudo().psa_sla_ids))
            self.assertEqual(sum(groups.values()), Report.search_count(domain))

    def test_knowledge_figures(self):
        accepted = self._new()
        self._apply(accepted, self.art_tax)
        with freeze_time("2099-01-01 10:00:00"):
            self._customer_reply(accepted, "<p>OK</p>")
        waiting = self._new()
        self._apply(waiting, self.art_workaround)
        Ticket = self.env["helpdesk.ticket"].with_user(self.analyst)
        by_article = dict(
            Ticket._read_group(
                [
                    ("psa_article_id", "!=", False),
                    ("id", "in", (accepted | waiting).ids),
                ],
                ["psa_article_id"],
                ["__count"],
            )
        )
        self.assertEqual(by_article, {self.art_tax: 1, self.art_workaround: 1})
        self.assertEqual(Ticket.search([("psa_fix_pending", "=", True)]), waiting)
        self.assertGreater(accepted.psa_validation_hours, 0)


INBOUND_REPLY = """Return-Path: <{email_from}>
To: psa-support@support.example.com
From: {email_from}
Subject: Re: {subject}
Message-ID: <{msg_id}@customer.example>
Date: Mon, 02 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

{body}

> We believe this solves your request.
"""


@tagged("post_install", "-at_install")
class TestValidationByEmail(KnowledgeCommon, MailCase):
    """The customer's answer arrives through the mail gateway, as a reply
    tagged with the ticket's number."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        enable_mail_gateway(cls, "support.example.com")
        cls.env["mail.alias"].create(
            {
                "alias_name": "psa-support",
                "alias_model_id": cls.env["ir.model"]._get_id("helpdesk.ticket"),
                "alias_domain_id": cls.alias_domain.id,
                "alias_contact": "everyone",
            }
        )

    def _email(self, ticket, body, msg_id, email_from="l@t.example"):
        email = INBOUND_REPLY.format(
            email_from=email_from,
            subject=f"[#{ticket.number}] {ticket.name}",
            msg_id=msg_id,
            body=body,
        )
        return self.env["mail.thread"].sudo().message_process(None, email)

    def test_accept_by_email_reply(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        self.assertEqual(self._email(ticket, "Acepto, ya funciona.", "a1"), ticket.id)
        self.assertEqual(ticket.psa_validation_state, "accepted")
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertEqual(self._resolution_clock(ticket).status, "met")

    def test_reject_by_email_reply(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        self._email(ticket, "No funciona, sigue saliendo en blanco.", "r1")
        self.assertEqual(ticket.psa_validation_state, "rejected")
        self.assertEqual(ticket.stage_id, self.stage_progress)

    def test_question_by_email_does_not_close(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        self._email(ticket, "¿Funciona también para la versión 3.9?", "q1")
        self.assertNotEqual(ticket.psa_validation_state, "accepted")
        self.assertFalse(ticket.stage_id.closed)

    def test_accept_after_greeting_by_email(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        self._email(ticket, "Hola,\n\nFunciona perfecto. Gracias", "g1")
        self.assertEqual(ticket.psa_validation_state, "accepted")
        self.assertEqual(ticket.stage_id, self.stage_done)

    def test_out_of_office_changes_nothing(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        email = (
            INBOUND_REPLY.format(
                email_from="l@t.example",
                subject=f"[#{ticket.number}] {ticket.name}",
                msg_id="ooo1",
                body="No estoy en la oficina hasta el lunes.",
            )
            .replace(
                # as Exchange sends it: "Respuesta automática: Re: ...", RFC 2047
                "Subject: Re: ",
                "Subject: =?utf-8?q?Respuesta_autom=C3=A1tica=3A?= Re: ",
            )
            .replace("MIME-Version", "X-Auto-Response-Suppress: All\nMIME-Version")
        )
        self.env["mail.thread"].sudo().message_process(None, email)
        self.assertEqual(ticket.psa_validation_state, "pending")
        self.assertEqual(ticket.stage_id, self.stage_validation)

    def test_answer_that_cannot_apply_keeps_the_email(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        Ticket = type(self.env["helpdesk.ticket"])
        with (
            patch.object(
                Ticket, "_psa_solved_stage", side_effect=UserError("no stage")
            ),
            mute_logger("odoo.addons.psa_helpdesk.models.helpdesk_ticket_knowledge"),
        ):
            self.assertEqual(self._email(ticket, "Acepto", "x1"), ticket.id)
        self.assertIn("Acepto", str(ticket.message_ids[:1].body))
        self.assertNotEqual(ticket.psa_validation_state, "accepted")
        self.assertFalse(ticket.stage_id.closed)

    def test_stranger_email_changes_nothing(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        self._email(ticket, "Accept", "s1", email_from="mallory@evil.example")
        self.assertEqual(ticket.psa_validation_state, "pending")
        self.assertEqual(ticket.stage_id, self.stage_validation)


@tagged("post_install", "-at_install")
class TestKnowledgeTour(HttpCase):
    """An agent finds the article on a ticket and applies it (tour
    ``psa_agent_applies_article``), the customer accepts by email, the ticket
    is solved."""

    def test_tour_apply_then_accept(self):
        env = self.env
        env.company.psa_commercial_team_id = False
        new_test_user(
            env,
            login="tour_kn_agent",
            password="tour_kn_agent_pw",
            groups="psa_helpdesk.group_psa_agent",
        )
        product = env["psa.product"].create({"name": "Tour Municipal", "code": "TMU"})
        version = env["psa.product.version"].create(
            {"product_id": product.id, "name": "3.9"}
        )
        module = env["psa.product.module"].create(
            {"product_id": product.id, "name": "Rentas", "code": "REN"}
        )
        customer = env["res.partner"].create({"name": "Villa Tour", "is_company": True})
        contact = env["res.partner"].create(
            {"name": "Ana Tour", "parent_id": customer.id, "email": "ana@tour.example"}
        )
        installation = env["psa.installation"].create(
            {
                "partner_id": customer.id,
                "product_id": product.id,
                "version_id": version.id,
                "module_ids": [Command.set(module.ids)],
            }
        )
        env["document.page"].create(
            {
                "name": "Boleta en blanco",
                "psa_kind": "solution",
                "psa_product_id": product.id,
                "psa_module_ids": [Command.set(module.ids)],
                "psa_symptoms": "la boleta de rentas sale en blanco",
                "psa_published": True,
                "content": "<p>Restaurar plantilla estándar.</p>",
            }
        )
        ticket = env["helpdesk.ticket"].create(
            {
                "name": "Rentas: la boleta sale en blanco",
                "description": "<p>Desde la actualización.</p>",
                "partner_id": contact.id,
                "installation_id": installation.id,
                "request_type": "incident",
            }
        )
        self.assertEqual(ticket.affected_module_id, module)
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "psa_agent_applies_article",
            login="tour_kn_agent",
        )
        self.assertEqual(ticket.psa_validation_state, "pending")
        ticket.message_post(
            body=Markup("<p>Acepto, gracias</p>"),
            author_id=contact.id,
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(ticket.psa_validation_state, "accepted")
        self.assertTrue(ticket.stage_id.closed)


@tagged("post_install", "-at_install")
class TestValidationPortalRoute(KnowledgeCommon, HttpCase):
    """The portal buttons: POST with the CSRF token, the customer's own
    ticket only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.laura = new_test_user(
            cls.env,
            login="psa_kn_laura",
            password="psa_kn_laura",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )
        cls.otto = new_test_user(
            cls.env,
            login="psa_kn_otto",
            password="psa_kn_otto",
            groups="base.group_portal",
            partner_id=cls.other_contact.id,
        )

    def _post(self, ticket, answer, csrf=True):
        data = {"ticket_id": ticket.id, "answer": answer}
        if csrf:
            data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open("/ticket/psa_validation", data=data, allow_redirects=False)

    def test_portal_buttons(self):
        ticket = self._new()
        self._apply(ticket, self.art_tax)
        self.authenticate("psa_kn_laura", "psa_kn_laura")
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertIn('name="psa_validation_accept"', page.text)
        self.assertNotIn("psa_article_id", page.text)
        with mute_logger("odoo.http"):
            self.assertEqual(self._post(ticket, "accept", csrf=False).status_code, 400)
            self.assertEqual(self._post(ticket, "maybe").status_code, 400)
        self.assertEqual(ticket.psa_validation_state, "pending")
        self.authenticate("psa_kn_otto", "psa_kn_otto")
        with mute_logger("odoo.http"):
            self.assertEqual(self._post(ticket, "accept").status_code, 403)
        self.assertEqual(ticket.psa_validation_state, "pending")
        self.authenticate("psa_kn_laura", "psa_kn_laura")
        response = self._post(ticket, "accept")
        self.assertEqual(response.status_code, 302)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.psa_validation_state, "accepted")
        self.assertEqual(ticket.stage_id, self.stage_done)
