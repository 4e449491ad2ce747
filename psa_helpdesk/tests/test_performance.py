# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What keeps the request path cheap: the calendar's working time and the
policies' terms cached across requests (and forgotten when they change), the
scheduled actions woken without reading them, and list, kanban and form
loads whose query count does not grow with the number of rows."""

import logging
import re
from collections import Counter
from datetime import datetime, timedelta
from unittest.mock import patch

import pytz
from freezegun import freeze_time
from lxml import etree
from psycopg2.pool import PoolError

from odoo.fields import Command, Field
from odoo.tests import new_test_user, tagged

from odoo.addons.base.models.res_users import Users as ResUsersBase

from ..models.res_users import field_access_sweep
from ..tools import cron as cron_tools
from ..tools.cron import trigger
from .common import PsaContractCommon, recorded_queries

_has_group_orig = ResUsersBase._has_group

UTC = pytz.utc


def aware(*args):
    return UTC.localize(datetime(*args))


class RollBack(Exception):
    """Raised in a block to roll its savepoint back."""


def _shape(query):
    """A query without its spacing: the same for any number of rows (the
    ids are parameters)."""
    return " ".join(query.split())[:400]


class QueryCounter:
    """Queries of a block, as a request would run it: cold ORM cache, and
    flushed at the end (what a commit runs). ``shapes`` counts them by verb
    and table; ``queries`` keeps the last block's whole queries."""

    def __init__(self, env):
        self.env = env
        self.queries = []

    def shapes(self, function, *args, **kwargs):
        self.env.flush_all()
        self.env.invalidate_all()
        with recorded_queries() as queries:
            function(*args, **kwargs)
            self.env.flush_all()
        self.queries = [" ".join(query.split()) for query in queries]
        return dict(Counter(_shape(query) for query in queries))

    def __call__(self, function, *args, **kwargs):
        return sum(self.shapes(function, *args, **kwargs).values())


@tagged("post_install", "-at_install")
class TestWorkSpansCache(PsaContractCommon):
    """``resource.calendar._psa_work_spans``: cached per calendar, cleared by
    any change of a calendar, an attendance or a public holiday."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start, cls.end = aware(2026, 3, 2), aware(2026, 3, 9)

    def setUp(self):
        super().setUp()
        self.env.registry.clear_cache()
        self.count = QueryCounter(self.env)

    def _hours(self, calendar=None):
        spans = (calendar or self.calendar)._psa_work_spans(self.start, self.end)
        return sum((end - start).total_seconds() for start, end in spans) / 3600

    def test_same_spans_as_the_calendar(self):
        """The cached spans are the calendar's (a window across two cache
        blocks included), clipped to the window."""
        for start, end in (
            (self.start, self.end),
            (aware(2026, 3, 2, 10, 30), aware(2026, 3, 3, 9)),
            (aware(2026, 1, 20), aware(2026, 5, 20)),
        ):
            self.assertEqual(
                self.calendar._psa_work_spans(start, end),
                self.calendar._psa_compute_work_spans(start, end),
            )
        self.assertEqual(self._hours(), 32.0)  # Mon-Fri 8h, Wed a holiday
        self.assertEqual(
            self.calendar._psa_work_spans(self.end, self.start),
            [],
            "an empty window has no working time",
        )

    def test_second_request_reads_nothing(self):
        self.count(self._hours)
        self.assertEqual(self.count(self._hours), 0)

    def test_public_holiday_of_any_company_clears_the_cache(self):
        self.count(self._hours)
        other = self.env["res.company"].create({"name": "Other company (test)"})
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday elsewhere",
                "company_id": other.id,
                "calendar_id": False,
                "date_from": "2026-03-05 00:00:00",
                "date_to": "2026-03-05 23:59:59",
            }
        )
        self.assertGreater(self.count(self._hours), 0, "computed again")

    def test_holiday_of_the_calendar_changes_the_spans(self):
        self.assertEqual(self._hours(), 32.0)
        leave = self.env["resource.calendar.leaves"].create(
            {
                "name": "Bridge day",
                "calendar_id": self.calendar.id,
                "date_from": "2026-03-06 00:00:00",
                "date_to": "2026-03-06 23:59:59",
            }
        )
        self.assertEqual(self._hours(), 24.0)
        leave.date_to = "2026-03-06 12:00:00"
        self.assertEqual(self._hours(), 28.0)
        leave.unlink()
        self.assertEqual(self._hours(), 32.0)

    def test_attendance_and_time_zone_change_the_spans(self):
        self.assertEqual(self._hours(), 32.0)
        monday_morning = self.calendar.attendance_ids.filtered(
            lambda a: a.dayofweek == "0" and a.hour_from == 8
        )
        monday_morning.hour_to = 10
        self.assertEqual(self._hours(), 30.0)
        first_span = self.calendar._psa_work_spans(self.start, self.end)[0]
        self.calendar.tz = "America/Argentina/Buenos_Aires"  # UTC-3
        self.assertEqual(
            self.calendar._psa_work_spans(self.start, self.end)[0][0],
            first_span[0] + (aware(2026, 1, 1, 3) - aware(2026, 1, 1)),
        )
        monday_morning.unlink()
        self.assertEqual(self._hours(), 28.0)

    def test_personal_leave_keeps_the_cache(self):
        """A person's leave is not in the SLA working time: creating it
        keeps the cached spans."""
        self.resource = self.env["resource.resource"].create(
            {"name": "Someone", "calendar_id": self.calendar.id}
        )
        self.count(self._hours)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Dentist",
                "calendar_id": self.calendar.id,
                "resource_id": self.resource.id,
                "date_from": "2026-03-05 08:00:00",
                "date_to": "2026-03-05 12:00:00",
            }
        )
        self.assertEqual(self.count(self._hours), 0)
        self.assertEqual(self._hours(), 32.0)


@tagged("post_install", "-at_install")
class TestPolicyTermsCache(PsaContractCommon):
    """``psa.sla.policy._psa_terms``: what the engine reads of a policy,
    cached, and cleared by any change of the policy or its targets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.target_ids = [
            Command.create(
                {
                    "priority": "3",
                    "response_hours": 4,
                    "resolution_hours": 16,
                    "update_hours": 8,
                }
            )
        ]

    def test_terms_follow_the_policy(self):
        terms = self.policy._psa_terms()
        self.assertEqual(
            dict(terms.targets["3"]),
            {"response": 4.0, "resolution": 16.0, "update": 8.0},
        )
        self.assertNotIn("1", terms.targets)
        self.policy.target_ids.response_hours = 2
        self.assertEqual(self.policy._psa_terms().targets["3"]["response"], 2.0)
        waiting = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        self.policy.pause_stage_ids = [Command.set(waiting.ids)]
        self.assertEqual(set(self.policy._psa_terms().pause_stage_ids), {waiting.id})
        # the customer validation stages pause every policy's clocks too
        self.assertEqual(
            self.policy._psa_pause_stages() - waiting,
            self.env["helpdesk.ticket.stage"].search(
                [("psa_customer_validation", "=", True)]
            ),
        )
        self.policy.warning_threshold_1 = 50
        self.assertEqual(self.policy._psa_terms().warning_threshold_1, 50.0)
        self.policy.target_ids.unlink()
        self.assertFalse(self.policy._psa_terms().targets)
        self.assertFalse(self.env["psa.sla.policy"]._psa_terms().targets)

    @freeze_time("2026-03-02 09:00:00")
    def test_new_clock_counts_the_new_target(self):
        """A target changed between two requests: the next ticket's clock
        counts the new one."""
        first = self._ticket(user=self.agent, installation_id=self.installation.id)
        self.assertEqual(
            first.psa_sla_ids.filtered(lambda c: c.metric == "response").target_hours,
            4.0,
        )
        self.policy.target_ids.response_hours = 1
        second = self._ticket(user=self.agent, installation_id=self.installation.id)
        self.assertEqual(
            second.psa_sla_ids.filtered(lambda c: c.metric == "response").target_hours,
            1.0,
        )


@tagged("post_install", "-at_install")
class TestCronTrigger(PsaContractCommon):
    """``tools.cron.trigger``: one trigger per transaction and time, without
    reading the scheduled action, whoever the user is."""

    XMLID = "psa_helpdesk.psa_ticket_segment_cron_business_hours"

    def _triggers(self):
        cron = self.env.ref(self.XMLID)
        return self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])

    def test_once_per_transaction(self):
        before = self._triggers()
        env = self.env(user=self.agent)
        self.assertTrue(trigger(env, self.XMLID))
        self.assertFalse(trigger(env, self.XMLID), "already woken now")
        later = datetime(2099, 1, 1, 10, 0)
        self.assertTrue(trigger(env, self.XMLID, later))
        self.assertFalse(trigger(env, self.XMLID, later))
        self.assertEqual(len(self._triggers() - before), 2)
        self.assertFalse(trigger(env, "psa_helpdesk.no_such_action"))

    def _new_transaction(self, commit):
        """End the "transaction": the trigger memory of this process learns
        what was committed (``commit``), or nothing (rolled back)."""
        cr = self.env.cr
        cr.flush()  # what a commit runs first (and a savepoint too)
        if commit:
            cr.postcommit.run()
        else:
            cr.postcommit.clear()

    def _forget_committed(self):
        """Start with an empty memory, on (for this test). The memory reads
        back the committed triggers on a cursor of its own: in test mode,
        a cursor on this test's transaction."""
        patcher = patch.object(cron_tools, "MEMORY_IN_TESTS", True)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.registry.enter_test_mode(self.env.cr)
        self.addCleanup(self.registry.leave_test_mode)
        self._clear_committed()

    def _clear_committed(self):
        for xmlid in (self.XMLID, self.REFRESH):
            cron_tools._COMMITTED.pop((self.env.cr.dbname, xmlid), None)

    REFRESH = "psa_helpdesk.psa_ticket_sla_cron_refresh"

    def test_committed_trigger_spares_new_ones(self):
        """A trigger this process committed, due later than the margin, wakes
        the action for the next requests: no row each; once it is (almost)
        due, the next request writes one again."""
        self._forget_committed()
        self.addCleanup(self._clear_committed)
        env = self.env(user=self.agent)
        delay = timedelta(minutes=1)
        with freeze_time("2026-03-02 09:00:00"):
            before = self._triggers()
            self.assertTrue(trigger(env, self.XMLID, delay=delay))
            self._new_transaction(commit=True)
            self.assertFalse(trigger(env, self.XMLID, delay=delay))
            self._new_transaction(commit=True)
        with freeze_time("2026-03-02 09:00:39"):
            self.assertFalse(trigger(env, self.XMLID, delay=delay))
        with freeze_time("2026-03-02 09:00:41"):
            # the committed one is due within the margin: this request may
            # commit after that run has read the segments
            self.assertTrue(trigger(env, self.XMLID, delay=delay))
        self.assertEqual(len(self._triggers() - before), 2)

    def test_rolled_back_trigger_spares_nothing(self):
        """A trigger written in a savepoint that is rolled back spares
        nothing: neither the memory of the transaction nor the database
        keeps it."""
        self._forget_committed()
        self.addCleanup(self._clear_committed)
        env = self.env(user=self.agent)
        delay = timedelta(minutes=1)
        before = self._triggers()
        with freeze_time("2026-03-02 09:00:00"):
            with self.assertRaises(RollBack), self.env.cr.savepoint():
                self.assertTrue(trigger(env, self.XMLID, delay=delay))
                self.assertFalse(trigger(env, self.XMLID, delay=delay))
                raise RollBack()
            self._new_transaction(commit=False)
            self.assertFalse(self._triggers() - before)
            self.assertTrue(trigger(env, self.XMLID, delay=delay))
        self.assertEqual(len(self._triggers() - before), 1)

    def test_savepoint_rolled_back_in_a_committed_transaction(self):
        """A trigger written in a savepoint rolled back, in a transaction
        that commits (an import's test run, a record a scheduled action
        skips), is not remembered: the next request writes its own, as the
        database has none. A trigger written before the savepoint is."""
        self._forget_committed()
        self.addCleanup(self._clear_committed)
        env = self.env(user=self.agent)
        before = self._triggers()
        with freeze_time("2026-03-02 09:00:00"):
            self.assertTrue(trigger(env, self.REFRESH, datetime(2026, 3, 2, 11, 0)))
            with self.assertRaises(RollBack), self.env.cr.savepoint(flush=False):
                self.assertTrue(trigger(env, self.REFRESH, datetime(2026, 3, 2, 10, 0)))
                self.assertTrue(trigger(env, self.XMLID, delay=timedelta(minutes=1)))
                raise RollBack()
            self._new_transaction(commit=True)
            self.assertEqual(
                cron_tools._committed(
                    self.env, self.REFRESH, datetime(2026, 3, 2, 9, 0)
                ),
                {datetime(2026, 3, 2, 11, 0)},
            )
            self.assertFalse(
                cron_tools._committed(self.env, self.XMLID, datetime(2026, 3, 2, 9, 0))
            )
            self.assertTrue(trigger(env, self.XMLID, delay=timedelta(minutes=1)))
            self.assertTrue(trigger(env, self.REFRESH, datetime(2026, 3, 2, 10, 0)))
        self.assertEqual(len(self._triggers() - before), 1)
        refresh = self.env.ref(self.REFRESH)
        self.assertEqual(
            sorted(
                self.env["ir.cron.trigger"]
                .search(
                    [
                        ("cron_id", "=", refresh.id),
                        ("call_at", ">=", "2026-03-02 00:00:00"),
                        ("call_at", "<", "2026-03-03 00:00:00"),
                    ]
                )
                .mapped("call_at")
            ),
            [datetime(2026, 3, 2, 10, 0), datetime(2026, 3, 2, 11, 0)],
        )

    def test_committed_triggers_read_back_once(self):
        """The triggers a transaction wrote are read back once after its
        commit, together, on another cursor than the committed one."""
        self._forget_committed()
        self.addCleanup(self._clear_committed)
        env = self.env(user=self.agent)
        with freeze_time("2026-03-02 09:00:00"):
            trigger(env, self.REFRESH, datetime(2026, 3, 2, 10, 0))
            trigger(env, self.XMLID, delay=timedelta(minutes=1))
            trigger(env, self.XMLID)  # due now: nothing to remember
            self.env.cr.flush()
            cursors = []
            new_cursor = type(self.registry).cursor

            def cursor(registry, *args, **kwargs):
                cursors.append(new_cursor(registry, *args, **kwargs))
                return cursors[-1]

            with (
                recorded_queries() as queries,
                patch.object(type(self.registry), "cursor", cursor),
            ):
                self.env.cr.postcommit.run()
        # on a cursor of its own: the committed one starts no transaction
        self.assertEqual(len(cursors), 1)
        self.assertIsNot(cursors[0], self.env.cr)
        self.assertEqual(
            [q for q in queries if "ir_cron_trigger" in q],
            [q for q in queries if "SELECT id FROM ir_cron_trigger" in q],
        )
        self.assertEqual(len([q for q in queries if "ir_cron_trigger" in q]), 1)
        self.assertTrue(
            cron_tools._committed(self.env, self.REFRESH, datetime(2026, 3, 2, 9, 0))
        )
        self.assertTrue(
            cron_tools._committed(self.env, self.XMLID, datetime(2026, 3, 2, 9, 0))
        )

    def test_read_back_failing_leaves_the_memory(self):
        """The connection pool is full after a commit: the triggers are not
        remembered (the next requests look them up in the database), with
        one line in the log, and the other postcommit work still runs."""
        self._forget_committed()
        self.addCleanup(self._clear_committed)
        env = self.env(user=self.agent)
        done = []
        with freeze_time("2026-03-02 09:00:00"):
            self.assertTrue(trigger(env, self.REFRESH, datetime(2026, 3, 2, 10, 0)))
            self.env.cr.postcommit.add(lambda: done.append(True))
            self.env.cr.flush()
            with (
                patch.object(
                    type(self.registry),
                    "cursor",
                    side_effect=PoolError("The Connection Pool Is Full"),
                ),
                # (a number: Odoo names another level "INFO")
                self.assertLogs(cron_tools.__name__, logging.INFO) as logs,
            ):
                self.env.cr.postcommit.run()
            self.assertFalse(
                cron_tools._committed(self.env, self.REFRESH, datetime(2026, 3, 2, 9))
            )
        self.assertEqual(done, [True])
        self.assertIn("not read back: The Connection Pool Is Full", logs.output[0])

    def test_pending_trigger_in_the_database(self):
        """A future trigger in the database (another process committed it)
        wakes the action in time for later requests: no new row, and no
        memory needed; not one due within the margin, nor one after the
        time asked, nor a trigger of another action."""
        refresh = self.env.ref(self.REFRESH)
        Trigger = self.env["ir.cron.trigger"].sudo()
        env = self.env(user=self.agent)
        with freeze_time("2026-03-02 09:00:00"):
            Trigger.search([("cron_id", "=", refresh.id)]).unlink()
            Trigger.create({"cron_id": refresh.id, "call_at": "2026-03-02 10:00:00"})
            Trigger.create(
                {
                    "cron_id": self.env.ref(self.XMLID).id,
                    "call_at": "2026-03-02 09:10:00",
                }
            )
            self.assertFalse(trigger(env, self.REFRESH, datetime(2026, 3, 2, 11, 0)))
            self.assertFalse(trigger(env, self.REFRESH, datetime(2026, 3, 2, 10, 0)))
            self.assertTrue(trigger(env, self.REFRESH, datetime(2026, 3, 2, 9, 30)))
        with freeze_time("2026-03-02 09:59:50"):
            # due within the margin: the run may read before this commit
            self.assertTrue(trigger(env, self.REFRESH, datetime(2026, 3, 2, 11, 30)))
        self.assertEqual(
            sorted(Trigger.search([("cron_id", "=", refresh.id)]).mapped("call_at")),
            [
                datetime(2026, 3, 2, 9, 30),
                datetime(2026, 3, 2, 10, 0),
                datetime(2026, 3, 2, 11, 30),
            ],
        )

    def test_committed_trigger_at_a_time(self):
        """A committed run at 10:00 covers a request for 11:00 (the action
        schedules its next run itself), never one for 09:30."""
        self._forget_committed()
        self.addCleanup(self._clear_committed)
        env = self.env(user=self.agent)
        with freeze_time("2026-03-02 09:00:00"):
            self.assertTrue(trigger(env, self.REFRESH, datetime(2026, 3, 2, 10, 0)))
            self._new_transaction(commit=True)
            self.assertFalse(trigger(env, self.REFRESH, datetime(2026, 3, 2, 11, 0)))
            self.assertTrue(trigger(env, self.REFRESH, datetime(2026, 3, 2, 9, 30)))
        with freeze_time("2026-03-02 10:00:01"):
            # that run is past: forgotten
            self.assertTrue(trigger(env, self.REFRESH, datetime(2026, 3, 2, 11, 0)))

    def test_no_read_of_the_action(self):
        self.env.ref(self.XMLID)  # the xmlid lookup is cached
        with recorded_queries() as queries:
            trigger(self.env(user=self.agent), self.XMLID)
            self.env.flush_all()
        self.assertTrue(any('INSERT INTO "ir_cron_trigger"' in q for q in queries))
        self.assertFalse(
            [q for q in queries if re.search(r'FROM\s+"?ir_cron"?\b', q)],
            "the scheduled action is not read",
        )


@tagged("post_install", "-at_install")
class TestViewQueryCount(PsaContractCommon):
    """The list, kanban and form loads of an agent cost the same number of
    queries for 5 and for 50 rows: every field of the views is computed for
    the page at once, never per row."""

    # queries of a load of this data set (a tenth of the tickets P1, with
    # the alerts' activities, 7 queries of them): neither the
    # activities' access check nor the SLA time left reads the page's
    # tickets again (``company_id`` and ``psa_sla_cycle`` are in the views)
    LIST_QUERIES = 22
    KANBAN_QUERIES = 23

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.target_ids = [
            Command.create(
                {
                    "priority": p,
                    "response_hours": r,
                    "resolution_hours": s,
                    "update_hours": u,
                }
            )
            for p, r, s, u in (("1", 1, 8, 2), ("2", 4, 16, 8), ("3", 8, 40, 24))
        ]
        cls.team_l1.user_ids = [Command.link(cls.agent.id)]
        other_agent = new_test_user(
            cls.env, login="psa_agent_2", groups="psa_helpdesk.group_psa_agent"
        )
        with freeze_time("2026-03-02 09:00:00"):
            # severities and assignees vary, a tenth are P1 (with the
            # alert's activities), some moved on, some with a reply
            cls.tickets = (
                cls.env["helpdesk.ticket"]
                .with_user(cls.agent)
                .create(
                    [
                        {
                            "name": f"Ticket {i}",
                            "description": "<p>Details</p>",
                            "partner_id": cls.contact.id,
                            "installation_id": cls.installation.id,
                            "team_id": cls.team_l1.id,
                            "severity": "1" if i % 10 == 0 else str(2 + i % 2),
                            "user_id": (cls.agent, other_agent)[i % 2].id,
                        }
                        for i in range(50)
                    ]
                )
            )
        progress = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        with freeze_time("2026-03-02 10:00:00"):
            cls.tickets[1::3].with_user(cls.agent).write({"stage_id": progress.id})
            for ticket in cls.tickets[2::7].with_user(cls.agent):
                ticket.message_post(
                    body="We are on it",
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )

    def setUp(self):
        super().setUp()
        self.count = QueryCounter(self.env)
        self.Ticket = self.env["helpdesk.ticket"].with_user(self.agent)

    def _our_modules(self):
        """psa_helpdesk, the addons it depends on and our other addons: the
        fields they define are the cost measured here."""
        Module = self.env["ir.module.module"]
        psa = Module.search([("name", "=", "psa_helpdesk")])
        return set(psa.upstream_dependencies().mapped("name")) | set(
            Module.search([("name", "=like", "psa_helpdesk%")]).mapped("name")
        )

    def _spec(self, view_type, ours_only=False):
        """The specification the web client sends for the agent's default
        view of ``view_type`` (the fields of the view, the display name of
        relations but for hidden many2one fields). With ``ours_only``,
        without the fields of addons psa_helpdesk does not depend on (OCA
        siblings in ``make test-compat``, whose views add their own
        fields: their cost is theirs)."""
        arch = self.Ticket.get_views([(False, view_type)])["views"][view_type]["arch"]
        ours = self._our_modules() if ours_only else None
        spec = {}
        for node in etree.fromstring(arch).iter("field"):
            if any(parent.tag == "field" for parent in node.iterancestors()):
                continue
            field = self.Ticket._fields[node.get("name")]
            if ours is not None and field._module not in ours:
                continue
            hidden = "1" in (node.get("invisible"), node.get("column_invisible"))
            if field.type == "many2one" and hidden:
                spec[field.name] = {"fields": {}}  # no display name to show
            elif field.type in ("many2one", "one2many", "many2many"):
                spec[field.name] = {"fields": {"display_name": {}}}
            else:
                spec.setdefault(field.name, {})
        if "activity_ids" in spec or "activity_state" in spec:
            for fname in ("activity_state", "activity_exception_decoration"):
                spec.setdefault(fname, {})
        return spec

    def _assert_constant(self, load, small, large, maximum=None):
        """The same queries for ``small`` and ``large`` and, with
        ``maximum``, no more than that many (the cost measured on the
        request-path benchmark: bench/RESULTS.md)."""
        self.maxDiff = None
        load(small)  # caches of the registry (views, groups)
        shapes = self.count.shapes(load, large)
        self.assertEqual(
            self.count.shapes(load, small),
            shapes,
            "the same queries (verb and table) for a few and for many rows",
        )
        if maximum is not None:
            self.assertLessEqual(sum(shapes.values()), maximum, shapes)

    def _assert_page_load(self, view_type, maximum):
        """A page of the ``view_type`` view (one kanban column: a limit
        above the rows, no count query) costs the same queries for a few
        and for many rows, and no more than ``maximum`` for the fields of
        our addons and their dependencies (``_spec(ours_only=True)``)."""

        def loader(spec):
            def load(tickets):
                result = self.Ticket.web_search_read(
                    [("id", "in", tickets.ids)], spec, limit=80
                )
                self.assertEqual(len(result["records"]), len(tickets))

            return load

        for spec, most in (
            (self._spec(view_type), None),
            (self._spec(view_type, ours_only=True), maximum),
        ):
            self._assert_constant(loader(spec), self.tickets[:5], self.tickets, most)

    @freeze_time("2026-03-02 11:00:00")
    def test_list(self):
        self._assert_page_load("list", self.LIST_QUERIES)

    @freeze_time("2026-03-02 11:00:00")
    def test_kanban(self):
        self._assert_page_load("kanban", self.KANBAN_QUERIES)

    def _helpdesk_spec(self, view_type):
        """The specification of the agent's ``view_type`` view as the
        helpdesk defines it, without psa_helpdesk's additions (our inherited
        views switched off for the call)."""
        ours = (
            self.env["ir.ui.view"]
            .sudo()
            .search(
                [
                    ("model", "=", "helpdesk.ticket"),
                    ("type", "=", view_type),
                    ("inherit_id", "!=", False),
                ]
            )
            .filtered(lambda view: view.xml_id.startswith("psa_helpdesk"))
        )
        self.assertTrue(ours)
        ours.active = False
        try:
            return self._spec(view_type)
        finally:
            ours.active = True

    @freeze_time("2026-03-02 11:00:00")
    def test_own_fields_within_five_queries(self):
        """A list or kanban page costs at most 5 queries more than the same
        page of the helpdesk's own view (psa_helpdesk's columns, cards and
        the fields their decorations need): the request-path goal "bare +
        5". The activities the P1 alerts schedule (SPEC §3) are left out:
        Odoo's activity widgets read any activity a page has, whoever
        scheduled it (7 more queries, on the bare helpdesk as well once it
        has activities)."""
        self.env["mail.activity"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "in", self.tickets.ids)]
        ).unlink()
        Ticket = self.Ticket

        def queries(spec):
            def load(tickets):
                Ticket.web_search_read([("id", "in", tickets.ids)], spec, limit=80)

            load(self.tickets)  # caches of the registry (views, groups)
            return sum(self.count.shapes(load, self.tickets).values())

        for view_type in ("list", "kanban"):
            helpdesk = self._helpdesk_spec(view_type)
            spec = self._spec(view_type)
            self.assertGreater(len(spec), len(helpdesk) + 5)
            self.assertLessEqual(
                queries(spec) - queries(helpdesk),
                5,
                (view_type, sorted(set(spec) - set(helpdesk))),
            )

    @freeze_time("2026-03-02 11:00:00")
    def test_form(self):
        """A ticket's form costs the same with 2 or 12 history segments and
        SLA clocks (its one2many fields are read at once)."""
        spec = self._spec("form")
        # alike but for their history: same severity and assignee, both
        # moved once before
        few, many = self.tickets[4], self.tickets[22]
        stages = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", False)], limit=3
        )
        for i in range(10):
            with freeze_time(datetime(2026, 3, 2, 12, i)):
                many.with_user(self.agent).write({"stage_id": stages[i % 3].id})
        many.with_user(self.agent).message_post(
            body="Update", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertGreater(len(many.psa_segment_ids), len(few.psa_segment_ids) + 5)

        def load(ticket):
            self.Ticket.browse(ticket.id).web_read(spec)

        self._assert_constant(load, few, many)


@tagged("post_install", "-at_install")
class TestRequestQueries(PsaContractCommon):
    """What a stage change and a reply read on the request path: nothing
    but what their rules need (the request-path benchmark's figures,
    bench/RESULTS.md)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.progress = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        cls.policy.target_ids = [
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
        with freeze_time("2026-03-02 09:00:00"):
            cls.ticket = cls._ticket(
                user=cls.agent,
                installation_id=cls.installation.id,
                team_id=cls.team_l1.id,
                severity="3",
            )

    def setUp(self):
        super().setUp()
        self.count = QueryCounter(self.env)

    def _queries(self, shapes, text):
        return [shape for shape in shapes if text in shape]

    def _computed(self, model, function, *args, **kwargs):
        """The fields of ``model`` that ``function`` and the flush after it
        compute (their names)."""
        computed = set()
        compute_value = Field.compute_value

        def spy(field, records):
            if field.model_name == model:
                computed.add(field.name)
            return compute_value(field, records)

        self.env.flush_all()
        with patch.object(Field, "compute_value", spy):
            function(*args, **kwargs)
            self.env.flush_all()
        return computed

    @freeze_time("2026-03-02 10:00:00")
    def test_write_computes_no_development_field(self):
        """The development task's fields shown on the ticket are not tracked
        on it (the task's chatter logs their changes): a ticket write, which
        takes a snapshot of the tracked fields, computes none of them."""
        development = {
            "psa_task_name",
            "psa_task_stage_id",
            "psa_task_state",
            "psa_fix_version_id",
        }
        ticket = self.ticket.with_user(self.agent).with_context(tracking_disable=False)
        self.assertFalse(development & ticket._track_get_fields())
        computed = self._computed(
            "helpdesk.ticket", ticket.write, {"stage_id": self.progress.id}
        )
        self.assertEqual(ticket.stage_id, self.progress)
        self.assertFalse(development & computed, computed)

    @freeze_time("2026-03-02 10:00:00")
    def test_new_clock_computes_nothing_it_is_given(self):
        """The clock a reply starts gets the ticket's company, team,
        customer, product, contract and currency from the engine: nothing
        computes them again after the insert."""
        ticket = self.ticket.with_user(self.agent)
        given = {
            "company_id",
            "team_id",
            "partner_id",
            "product_id",
            "contract_id",
            "currency_id",
        }
        computed = self._computed(
            "psa.ticket.sla",
            ticket.message_post,
            body="We are on it",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.contact.ids,
        )
        update = self.ticket.psa_sla_ids.filtered(lambda c: c.metric == "update")
        self.assertEqual(len(update), 1, "the reply starts the update clock")
        self.assertFalse(given & computed, computed)
        # what was inserted is what Odoo would have computed
        update, source = update.sudo(), self.ticket.sudo()
        update.invalidate_recordset()
        self.assertEqual(update.company_id, source.company_id)
        self.assertEqual(update.team_id, self.team_l1)
        self.assertEqual(update.partner_id, source.commercial_partner_id)
        self.assertEqual(update.product_id, source.psa_product_id)
        self.assertTrue(update.contract_id)
        self.assertEqual(update.contract_id, source.contract_id)
        self.assertEqual(update.currency_id, source.contract_id.currency_id)

    @freeze_time("2026-03-02 10:00:00")
    def test_stage_change(self):
        """Moving a ticket to an open stage reads no user's companies (the
        assignee did not change) and no contract (no pause to decide)."""
        ticket = self.ticket.with_user(self.agent)
        self.assertTrue(ticket.psa_sla_ids, "entitled: clocks run")
        shapes = self.count.shapes(ticket.write, {"stage_id": self.progress.id})
        self.assertEqual(ticket.stage_id, self.progress)
        self.assertTrue(self._queries(shapes, 'INSERT INTO "psa_ticket_segment"'))
        for text in (
            'SELECT "res_company_users_rel"."user_id"',
            '"psa_contract"',
        ):
            self.assertFalse(self._queries(shapes, text), text)

    @freeze_time("2026-03-02 10:00:00")
    def test_tracking_describes_the_written_fields(self):
        """The tracking of a stage change describes the tracked fields
        written, not the thirty the ticket tracks; the chatter shows the
        change as before."""
        ticket = self.ticket.with_user(self.agent).with_context(tracking_disable=False)
        # tracking starts once the creation is committed
        self.env.flush_all()
        self.env.cr.precommit.run()
        Ticket = type(self.env["helpdesk.ticket"])
        fields_get = Ticket.fields_get
        described = []

        def spy(records, allfields=None, attributes=None):
            if attributes and "selection" in attributes:
                described.append(set(allfields or ()))
            return fields_get(records, allfields, attributes)

        with patch.object(Ticket, "fields_get", spy):
            ticket.write({"stage_id": self.progress.id})
            self.env.flush_all()
            self.env.cr.precommit.run()
        self.assertEqual(len(described), 1)
        self.assertIn("stage_id", described[0])
        self.assertLess(len(described[0]), len(ticket._track_get_fields()) / 3)
        tracked = self.ticket.sudo().message_ids[:1].tracking_value_ids
        self.assertEqual(tracked.field_id.name, "stage_id")
        self.assertEqual(tracked.new_value_char, self.progress.name)

    @freeze_time("2026-03-02 10:00:00")
    def test_reply(self):
        """An agent's reply checks no ticket's existence again before
        tagging the customer's email; it reads the ticket's clocks without
        joining the tickets to sort them."""
        ticket = self.ticket.with_user(self.agent)
        shapes = self.count.shapes(
            ticket.message_post,
            body="We are on it",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.contact.ids,
        )
        self.assertTrue(self._queries(shapes, 'INSERT INTO "mail_mail"'))
        self.assertFalse(
            self._queries(
                shapes, 'SELECT "helpdesk_ticket"."id" FROM "helpdesk_ticket" WHERE'
            )
        )
        # the refresh action is due by the response clock's first status
        # change (12:00), before the update clock's: not asked again
        self.assertFalse(self._queries(shapes, "ir_cron_trigger"))
        clock_reads = self._queries(self.count.queries, 'SELECT "psa_ticket_sla"."id"')
        self.assertEqual(len(clock_reads), 1, clock_reads)
        self.assertNotIn('"helpdesk_ticket"', clock_reads[0])
        clocks = self.ticket.psa_sla_ids
        self.assertTrue(clocks, "entitled: clocks run")
        self.assertEqual(
            clocks.filtered(lambda c: c.metric == "response").status,
            "met",
            [(c.metric, c.status, c.start_date) for c in clocks],
        )
        self.assertEqual(
            clocks.filtered(lambda c: c.metric == "update").status, "running"
        )

    @freeze_time("2026-03-02 10:00:00")
    def test_reply_wakes_the_refresh_for_an_earlier_update(self):
        """The refresh action is spared a trigger only when the next update
        clock changes status no earlier than the clocks the reply stops: an
        update interval (1 h) shorter than what is left of the first
        response (4 h) gets its trigger, at its first status change."""
        self.policy.target_ids.write({"update_hours": 1})
        cron = self.env.ref("psa_helpdesk.psa_ticket_sla_cron_refresh")
        Trigger = self.env["ir.cron.trigger"].sudo()
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        response = self.ticket.psa_sla_ids.filtered(lambda c: c.metric == "response")
        due = response._next_status_change()
        self.ticket.with_user(self.agent).message_post(
            body="We are on it",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        update = self.ticket.psa_sla_ids.filtered(lambda c: c.metric == "update")
        first = update._next_status_change()
        self.assertLess(first, due)
        self.assertEqual(
            Trigger.search([("cron_id", "=", cron.id)]).mapped("call_at"), [first]
        )


@tagged("post_install", "-at_install")
class TestHasGroupsFastPath(PsaContractCommon):
    """While the ORM checks many fields of a ticket at once, ``has_groups``
    answers each specification of the user once; outside those sweeps it is
    Odoo's, so it follows the user's groups at once."""

    def _odoo_answers(self):
        """Count the answers Odoo computes (its membership lookup)."""
        return patch.object(
            ResUsersBase, "_has_group", autospec=True, side_effect=_has_group_orig
        )

    def test_one_answer_per_sweep(self):
        user = new_test_user(self.env, login="psa_memo", groups="base.group_user")
        env = self.env(user=user)
        with self._odoo_answers() as answers:
            with field_access_sweep():
                for _i in range(3):
                    self.assertTrue(env.user.has_groups("base.group_user"))
                    self.assertFalse(env.user.has_groups("base.group_portal"))
            self.assertEqual(answers.call_count, 2)
            # after the sweep: Odoo answers each time
            for _i in range(2):
                self.assertTrue(env.user.has_groups("base.group_user"))
            self.assertEqual(answers.call_count, 4)

    def test_reading_a_ticket_asks_once_per_specification(self):
        """Fetching a ticket's row (about 70 internal-only fields) and
        checking the fields of a read ask Odoo once per specification, not
        once per field (it was 70 and more)."""
        ticket = self._ticket(user=self.agent).with_user(self.agent)
        ticket.invalidate_recordset()
        internal = [
            name
            for name, field in ticket._fields.items()
            if field.groups == "base.group_user"
        ]
        self.assertGreater(len(internal), 30)
        with self._odoo_answers() as answers:
            self.assertTrue(ticket.name)
            ticket.read(internal)
        # the others: the record rules' and computed fields' own questions
        self.assertLess(answers.call_count, 20)

    def test_cache_changes_cancelled_in_the_request(self):
        """A request that changed the user's groups, then cancelled its cache
        changes (``registry.reset_changes``, as an import with an error row
        does after rolling its own savepoint back), keeps the new groups: the
        answers remembered before the change are old, though no cache
        change is pending or signalled any more."""
        user = new_test_user(self.env, login="psa_reset", groups="base.group_user")
        env = self.env(user=user)
        self.env.registry.cache_invalidated.clear()
        field = env["helpdesk.ticket"]._fields["psa_sla_deadline"]
        self.assertTrue(field.is_accessible(env))
        user.groups_id = [Command.set([self.env.ref("base.group_portal").id])]
        self.env.flush_all()
        result = self.env["res.partner"].load(["name", "color"], [["X", "red"]])
        self.assertFalse(result["ids"], "the row in error is not imported")
        self.assertFalse(self.env.registry.cache_invalidated)
        self.assertFalse(env.user.has_groups("base.group_user"))
        self.assertFalse(field.is_accessible(env))
        self.assertTrue(env.user.has_groups("base.group_portal"))

    def test_other_user_and_debug_group(self):
        """Asking about another user, or about ``base.group_no_one`` (whose
        answer depends on the debug mode), is always Odoo's, in a sweep
        too."""
        env = self.env(user=self.agent)
        with self._odoo_answers() as answers, field_access_sweep():
            for _i in range(2):
                self.assertFalse(env.user.has_groups("base.group_no_one"))
            self.assertEqual(answers.call_count, 2)
            other = env["res.users"].browse(self.manager.id)
            for _i in range(2):
                self.assertTrue(other.has_groups("base.group_user"))
            # (and each time Odoo checks the agent may ask about another user)
            self.assertGreaterEqual(answers.call_count, 4)

    def test_follows_the_groups(self):
        user = new_test_user(self.env, login="psa_switch", groups="base.group_user")
        env = self.env(user=user)
        self.assertTrue(env.user.has_groups("base.group_user"))
        field = env["helpdesk.ticket"]._fields["psa_sla_deadline"]
        self.assertTrue(field.is_accessible(env))
        # the same person becomes a portal user: no internal field any more
        user.groups_id = [Command.set([self.env.ref("base.group_portal").id])]
        self.assertFalse(env.user.has_groups("base.group_user"))
        self.assertFalse(field.is_accessible(env))
        self.assertTrue(env.user.has_groups("base.group_portal"))
        # other specifications: Odoo's answer
        manager = "psa_helpdesk.group_psa_manager"
        agent_env = self.env(user=self.agent)
        self.assertFalse(agent_env.user.has_groups(manager))
        self.assertTrue(agent_env.user.has_groups(f"base.group_user,{manager}"))
        self.assertFalse(agent_env.user.has_groups(f"!base.group_user,{manager}"))

    def test_portal_user_reads_no_internal_field(self):
        portal = new_test_user(
            self.env, login="portal.cache", groups="base.group_portal"
        )
        env = self.env(user=portal)
        field = env["helpdesk.ticket"]._fields["psa_sla_deadline"]
        self.assertFalse(field.is_accessible(env))
        self.assertFalse(env.user.has_groups("base.group_user"))
        self.assertTrue(field.is_accessible(self.env(user=self.agent)))
