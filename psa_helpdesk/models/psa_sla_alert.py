# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA alerts: who is told, and how, when an SLA clock gets close to its
deadline or breaches it.

The clock engine (``psa.ticket.sla``) keeps the dates (``warning_1_date``,
``warning_2_date``, ``deadline``) and the bookkeeping of the levels sent
(``*_alert_date``); this model finds the levels due, prepares the alerts
(recipients, texts) and delivers them: a to-do activity per person alerted,
who then follows the ticket, a chatter note per alert, and an email when the
policy says so. Its scheduled action is ``psa.ticket.sla._cron_refresh_status``.

``_recipients`` is the one answer to "whom to alert on these tickets" for
every alert of the addon (SLA levels, P1).
"""

import logging
from collections import defaultdict

import babel.dates
from markupsafe import escape

from odoo import api, fields, models
from odoo.fields import Command
from odoo.osv import expression
from odoo.tools import SQL, format_duration
from odoo.tools.misc import babel_locale_parse, get_lang

from ..const import AUTO_GENERATED, AUTO_SUBMITTED_CONTEXT
from ..tools.business_time import to_local
from ..tools.cron import DEFAULT_BATCH_SIZE, run_in_batches

_logger = logging.getLogger(__name__)

# The alert chain. A level is due when the clock's date has come while it
# runs; it goes once per clock (its bookkeeping date is set in the same
# savepoint as the alert is sent) to everyone named, each getting a to-do
# activity; the ticket gets one chatter note; an email goes when the policy
# says so. An unassigned ticket: the team leader stands in for the assignee.
#
#   level       due at (clock field)   bookkeeping            recipients
#   warning_1   warning_1_date (75 %)  warning_1_alert_date   assignee
#   warning_2   warning_2_date (90 %)  warning_2_alert_date   assignee, team leader
#   breach      deadline               breach_alert_date      assignee, team leader,
#                                                             support managers
ALERT_CHAIN = [
    ("warning_1", "warning_1_date", "warning_1_alert_date", ("assignee",)),
    (
        "warning_2",
        "warning_2_date",
        "warning_2_alert_date",
        ("assignee", "team_leader"),
    ),
    (
        "breach",
        "deadline",
        "breach_alert_date",
        ("assignee", "team_leader", "support_managers"),
    ),
]
# The roles ``_recipients`` knows, in the order their users are listed.
ALERT_ROLES = ("assignee", "team_leader", "support_managers")
ALERT_FAILED = (
    "SLA alert of clock %s (ticket %s) failed; skipped, the next run tries again"
)


class PsaSlaAlert(models.AbstractModel):
    _name = "psa.sla.alert"
    _description = "SLA alert delivery"

    # ------------------------------------------------------------------
    # Recipients
    # ------------------------------------------------------------------

    @api.model
    def _recipients(self, tickets, roles, managers_cache=None):
        """The users to alert on each of ``tickets`` for ``roles``, a tuple
        of ``ALERT_ROLES``: {ticket id: res.users}, every ticket id present
        (an empty recordset when nobody is to be alerted).

        - ``assignee``: the ticket's assignee; on an unassigned ticket, the
          leader of its team stands in;
        - ``team_leader``: the leader of the ticket's team;
        - ``support_managers``: the members of the support manager group.

        Only active internal users of the ticket's company who can read the
        ticket are alerted, each once, listed in the order of the roles.
        ``managers_cache``: a dict kept by the caller over several calls (a
        scheduled run) so the support managers of a company are listed once;
        reading rights are checked once per user for all ``tickets``.
        """
        unknown = set(roles) - set(ALERT_ROLES)
        if unknown:
            raise ValueError(f"Unknown alert roles: {sorted(unknown)}")
        managers_cache = {} if managers_cache is None else managers_cache
        Users = self.env["res.users"]
        candidates = {}
        for ticket in tickets:
            users = Users
            if "assignee" in roles:
                users |= ticket.user_id or ticket.team_id.user_id
            if "team_leader" in roles:
                users |= ticket.team_id.user_id
            if "support_managers" in roles:
                users |= self._support_managers(ticket.company_id, managers_cache)
            candidates[ticket.id] = users
        # Who may be alerted on which ticket: one reading check per user, on
        # all the tickets they are a candidate for.
        by_user = defaultdict(list)
        for ticket in tickets:
            for user in candidates[ticket.id]:
                by_user[user].append(ticket.id)
        allowed = set()
        for user, ticket_ids in by_user.items():
            # sudo: whether a user is internal and in which companies is
            # configuration, whoever asks (an agent raising a P1).
            profile = user.sudo()
            if not profile.active or profile.share:
                continue
            of_company = tickets.browse(ticket_ids).filtered(
                lambda t, companies=profile.company_ids: t.company_id in companies
            )
            # As that user, in all their companies (not the caller's).
            readable = (
                of_company.with_user(user)
                .with_context(allowed_company_ids=profile.company_ids.ids)
                ._filtered_access("read")
            )
            allowed.update((ticket_id, user.id) for ticket_id in readable.ids)
        return {
            ticket.id: candidates[ticket.id].filtered(
                lambda u, ticket=ticket: (ticket.id, u.id) in allowed
            )
            for ticket in tickets
        }

    @api.model
    def _support_managers(self, company, managers_cache):
        """The members of the support manager group whose companies include
        ``company``, listed once per company and ``managers_cache``."""
        if company.id not in managers_cache:
            group = self.env.ref("psa_helpdesk.group_psa_manager")
            # sudo: list group members and their companies, configuration
            # that the alerts read whoever triggers them.
            managers_cache[company.id] = group.sudo().users.filtered(
                lambda u: u.active and not u.share and company in u.company_ids
            )
        return managers_cache[company.id]

    # ------------------------------------------------------------------
    # Due levels
    # ------------------------------------------------------------------

    @api.model
    def _due_domain(self, now):
        """Clocks (``psa.ticket.sla``) running with an alert level whose time
        has come and that was not sent yet. Paused and finished clocks never
        alert."""
        return expression.AND(
            [
                [("end_date", "=", False), ("paused_since", "=", False)],
                expression.OR(
                    [
                        [(date_field, "<=", now), (alert_field, "=", False)]
                        for _level, date_field, alert_field, _who in ALERT_CHAIN
                    ]
                ),
            ]
        )

    @api.model
    def _due_levels(self, clock, now):
        """Levels of ALERT_CHAIN due on ``clock`` and not sent, in order."""
        clock.ensure_one()
        if clock.end_date or clock.paused_since:
            return []
        return [
            level
            for level in ALERT_CHAIN
            if clock[level[1]] and clock[level[1]] <= now and not clock[level[2]]
        ]

    # ------------------------------------------------------------------
    # Run: prepare, then deliver, per batch
    # ------------------------------------------------------------------

    @api.model
    def _send_due_alerts(self, batch_size=DEFAULT_BATCH_SIZE, managers_cache=None):
        """Send every due alert, in batches; one clock failing is logged and
        skipped, the others are alerted. Returns the clocks that were due.

        Exactly once: a level is marked sent in the same transaction as its
        activities, note and (queued) email, and the scheduled action commits
        per batch; an interrupted run loses its current batch whole (marks
        and alerts), which the next run sends. Two runs never overlap:
        ``ir.cron`` locks the job, for manual runs too."""
        now = fields.Datetime.now()
        clocks = self.env["psa.ticket.sla"].search(
            self._due_domain(now), order="deadline, id"
        )
        managers_cache = {} if managers_cache is None else managers_cache
        run_in_batches(
            clocks,
            lambda batch: self._send_alerts(batch, now, managers_cache),
            batch_size=batch_size,
            what="SLA alerts",
        )
        return clocks

    @api.model
    def _send_alerts(self, clocks, now, managers_cache):
        """Send the due alerts of this batch of ``clocks``.

        1. Prepare, clock by clock, what each alert says and to whom (pure
           computation on data read for the whole batch up front). A clock
           that fails here is logged and skipped.
        2. Deliver them all in one savepoint: mark the levels sent, create
           the activities, log the notes, queue the emails. Marks and alerts
           are in the same transaction, so they are undone together; the
           scheduled action commits them together, per batch.
        3. Should delivery fail, it is redone alert by alert, each in its
           own savepoint: the bad one is logged and skipped (unmarked, so
           tried again next run), the others go.
        """
        levels = {clock.id: self._due_levels(clock, now) for clock in clocks}
        clocks = clocks.filtered(lambda c: levels[c.id])
        if not clocks:
            return
        # Prefetch in batch what the alerts read: tickets, their assignees,
        # teams and leaders, policies, the remaining business time.
        tickets = clocks.ticket_id
        tickets.mapped("user_id.partner_id.email")
        tickets.team_id.mapped("user_id.partner_id.email")
        clocks.policy_id.mapped("alert_by_email")
        # Not stored and time-dependent: computed now, for the whole batch.
        clocks.invalidate_recordset(["remaining_hours"])
        remaining = {clock.id: clock.remaining_hours for clock in clocks}
        # The highest level due goes (see _prepare_alert): its recipients,
        # for all the clocks of the batch at once.
        recipients = {
            roles: self._recipients(group.ticket_id, roles, managers_cache)
            for roles, group in clocks.grouped(lambda c: levels[c.id][-1][3]).items()
        }
        texts = self._alert_texts()
        alerts = []
        for clock in clocks:
            try:
                roles = levels[clock.id][-1][3]
                alerts.append(
                    self._prepare_alert(
                        clock,
                        levels[clock.id],
                        remaining[clock.id],
                        recipients[roles][clock.ticket_id.id],
                        texts,
                    )
                )
            except Exception:
                _logger.exception(ALERT_FAILED, clock.id, clock.ticket_id.id)
        try:
            with self.env.cr.savepoint():
                self._deliver_alerts(alerts, now)
        except Exception:  # noqa: BLE001 - redone alert by alert, logged
            for alert in alerts:
                try:
                    with self.env.cr.savepoint():
                        self._deliver_alerts([alert], now)
                except Exception:
                    clock = alert["clock"]
                    _logger.exception(ALERT_FAILED, clock.id, clock.ticket_id.id)

    # ------------------------------------------------------------------
    # Preparation: texts
    # ------------------------------------------------------------------

    @api.model
    def _alert_level_labels(self):
        return {
            "warning_1": self.env._("first warning"),
            "warning_2": self.env._("second warning"),
            "breach": self.env._("breached"),
        }

    @api.model
    def _alert_texts(self):
        """What the alerts of a batch have in common: the labels of the levels
        and metrics, and ``format_deadline(value, tz)``, which formats as
        ``format_datetime(env, value, tz, "short")`` with the language's
        locale looked up once (rather than for each alert)."""
        locale = babel_locale_parse(get_lang(self.env).code)

        def format_deadline(value, tz):
            return babel.dates.format_datetime(
                to_local(value, tz), "short", locale=locale
            )

        Clock = self.env["psa.ticket.sla"]
        return {
            "labels": self._alert_level_labels(),
            "metrics": dict(Clock._fields["metric"]._description_selection(self.env)),
            "format_deadline": format_deadline,
        }

    @api.model
    def _prepare_alert(self, clock, levels, remaining, users, texts):
        """The alert of ``clock`` for its due ``levels``, to ``users``, as a
        dict (nothing written). The highest level goes: when a clock starts
        (or is retargeted) past several levels, one alert goes, to the widest
        chain, and the lower levels count as sent. ``texts``: see
        ``_alert_texts``."""
        clock.ensure_one()
        level = levels[-1][0]
        ticket = clock.ticket_id
        tz = clock.calendar_id.tz or ticket.company_id.resource_calendar_id.tz or "UTC"
        label = texts["labels"][level]
        metric = texts["metrics"][clock.metric]
        if remaining >= 0:
            left = self.env._(
                "%(hours)s business hours left", hours=format_duration(remaining)
            )
        else:
            left = self.env._(
                "late by %(hours)s business hours", hours=format_duration(-remaining)
            )
        note = self.env._(
            "SLA %(level)s: %(metric)s due %(deadline)s (%(tz)s), %(left)s. "
            "Alerted: %(users)s.",
            level=label,
            metric=metric,
            deadline=texts["format_deadline"](clock.deadline, tz),
            tz=tz,
            left=left,
            users=", ".join(users.mapped("name")) or self.env._("nobody"),
        )
        return {
            "clock": clock,
            "ticket": ticket,
            "marks": [alert_field for _l, _d, alert_field, _w in levels],
            "users": users,
            "summary": self.env._(
                "SLA %(level)s: %(metric)s", level=label, metric=metric
            ),
            # text, escaped: the same HTML in the activities and the chatter
            "note": escape(note),
            # the deadline's day where each person is
            "deadlines": {
                user.id: to_local(clock.deadline, user.tz or tz).date()
                for user in users
            },
            "email": bool(clock.policy_id.alert_by_email),
            "email_context": {"psa_alert_level": label, "psa_alert_left": left},
        }

    # ------------------------------------------------------------------
    # Delivery
    # ------------------------------------------------------------------

    @api.model
    def _deliver_alerts(self, alerts, now):
        """Mark and send prepared ``alerts`` (see ``_prepare_alert``), in
        bulk: one write per set of levels, the activities, followers and
        notes of the whole batch created together (``_create_alert_records``),
        emails queued."""
        if not alerts:
            return
        by_marks = defaultdict(lambda: self.env["psa.ticket.sla"])
        for alert in alerts:
            by_marks[tuple(alert["marks"])] |= alert["clock"]
        for marks, clocks in by_marks.items():
            clocks.write(dict.fromkeys(marks, now))
        self._create_alert_records(alerts)
        template = self.env.ref(
            "psa_helpdesk.psa_ticket_sla_mail_template_alert", raise_if_not_found=False
        )
        if template:
            # an automatic email (Auto-Submitted)
            template = template.with_context(**{AUTO_SUBMITTED_CONTEXT: AUTO_GENERATED})
        for alert in alerts:
            if not (template and alert["email"]):
                continue
            partners = alert["users"].partner_id.filtered("email")
            if partners:
                template.with_context(**alert["email_context"]).send_mail(
                    alert["clock"].id,
                    email_values={"recipient_ids": [Command.set(partners.ids)]},
                )

    @api.model
    def _create_alert_records(self, alerts):
        """What an alert leaves on its ticket: a to-do activity for each
        person alerted (who then follows the ticket) and a chatter note.

        The first activity and the first note of the batch are made by the
        ORM (``mail.activity.create``, ``_message_log_batch``), so defaults,
        computed fields and the hooks of every installed module apply to
        them; the others are copies of these two (``_copy_alert_records``).
        """
        # One to-do per person. No assignment notification: whether the alert
        # is also emailed is the policy's choice (alert_by_email).
        todos = [(alert, user) for alert in alerts for user in alert["users"]]
        activity = self.env["mail.activity"]
        if todos:
            alert, user = todos[0]
            activity = activity.with_context(mail_activity_quick_update=True).create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("helpdesk.ticket"),
                    "res_id": alert["ticket"].id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "automated": True,
                    "summary": alert["summary"],
                    "note": alert["note"],
                    "user_id": user.id,
                    "date_deadline": alert["deadlines"][user.id],
                }
            )
        # One note (mail.mt_note) per alert, logged without notifying
        # followers: the people concerned got their activity (and email).
        ticket = alerts[0]["ticket"]
        note = ticket._message_log_batch({ticket.id: alerts[0]["note"]})
        if len(todos) > 1 or len(alerts) > 1:
            self._copy_alert_records(activity, todos[1:], note, alerts[1:])

    @api.model
    def _copy_alert_records(self, activity, todos, note, alerts):
        """Copies of the ``activity`` for the ``todos`` (alert, user), of the
        ``note`` for the ``alerts``, made by SQL; the users alerted follow
        the tickets.

        Why SQL: a run over a backlog alerts as many tickets at once as are
        late: 50,000 tickets make some 117,000 activities, as many followers
        and 50,000 notes. The ORM spends about 0.3 ms on each such record
        (defaults, caches, inverse fields, recomputing res_name and user_tz,
        a row at a time), which alone takes the run past a minute
        (``bench/sla_bench.py``); a copied row costs a few microseconds.

        What the ORM would have done is kept (``test_alert_copies_equal_orm``
        compares them): every column is the original's (those of other
        modules too, with the value the ORM gave the original), except those
        that differ per alert: ticket, person, summary, note (sanitised as
        the ORM does) and deadline, and the stored fields computed from them
        (``res_name``, ``user_tz``). The people alerted follow the ticket as
        ``message_subscribe`` makes them follow it; their activity counter is
        told on the bus. Nothing stored depends on activities, notes or
        followers (the ticket's activity fields are computed when read), so
        invalidating the cache of these models is enough.
        """
        self.env.flush_all()  # the originals' rows, complete
        # The note of each alert as the ORM stores it, sanitised once for the
        # chatter and the activities: the same text given to the same kind of
        # field (fields.Html(sanitize_style=True), mail.message.body and
        # mail.activity.note).
        Activity = self.env["mail.activity"]
        html = {}
        for alert in [*alerts, *(alert for alert, _user in todos)]:
            if id(alert) not in html:
                html[id(alert)] = Activity._fields["note"].convert_to_column_insert(
                    alert["note"], Activity
                )
        if alerts:
            # Message-Id and reply-to are the original's, as
            # _message_log_batch gives all the notes of a batch the same ones
            self._insert_copies(
                note,
                {
                    "res_id": [alert["ticket"].id for alert in alerts],
                    "body": [html[id(alert)] for alert in alerts],
                },
                converted={"body"},
            )
        if todos:
            tickets = self.env["helpdesk.ticket"].browse(
                alert["ticket"].id for alert, _user in todos
            )
            users = self.env["res.users"].browse(user.id for _alert, user in todos)
            self._insert_copies(
                activity,
                {
                    "res_id": tickets.ids,
                    "res_name": [ticket.display_name for ticket in tickets],
                    "user_id": users.ids,
                    "user_tz": [user.tz for user in users],
                    "summary": [alert["summary"] for alert, _user in todos],
                    "note": [html[id(alert)] for alert, _user in todos],
                    "date_deadline": [
                        alert["deadlines"][user.id] for alert, user in todos
                    ],
                },
                converted={"note"},
            )
            self._subscribe_alerted(tickets, users)
            # As mail.activity.create: the to-do counters of the users.
            today = fields.Date.today()
            todo_counts = defaultdict(int)
            for alert, user in todos:
                if alert["deadlines"][user.id] <= today:
                    todo_counts[user] += 1
            for user, count in todo_counts.items():
                user._bus_send(
                    "mail.activity/updated",
                    {"activity_created": True, "count_diff": count},
                )
        # Rows inserted behind the ORM's back: forget what it read of them and
        # of the tickets (activities, messages, followers, and what is
        # computed from them).
        for model in (
            "helpdesk.ticket",
            "mail.activity",
            "mail.message",
            "mail.followers",
        ):
            self.env[model].invalidate_model()

    @api.model
    def _insert_copies(self, original, columns, converted=()):
        """Insert copies of the record ``original`` by SQL: ``columns`` maps
        field names to the list of their values in the copies, one per copy,
        converted to the column as the ORM does (except the fields named in
        ``converted``, given as converted); the other columns take the
        original's values."""
        model = original.browse()
        arrays = []
        for name, values in columns.items():
            field = model._fields[name]
            if name not in converted:
                values = [field.convert_to_column_insert(v, model) for v in values]
            arrays.append(SQL("%s::%s[]", values, SQL(field.column_type[1])))
        kept = [
            name
            for name, field in model._fields.items()
            if field.store
            and field.column_type
            and name != "id"
            and name not in columns
        ]
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO %(table)s (%(kept)s, %(names)s)
                SELECT %(original_kept)s, %(copied_names)s
                  FROM %(table)s AS original,
                       unnest(%(arrays)s) AS copied(%(names)s)
                 WHERE original.id = %(original_id)s
                """,
                table=SQL.identifier(model._table),
                kept=SQL(", ").join(map(SQL.identifier, kept)),
                names=SQL(", ").join(map(SQL.identifier, columns)),
                original_kept=SQL(", ").join(
                    SQL.identifier("original", name) for name in kept
                ),
                copied_names=SQL(", ").join(
                    SQL.identifier("copied", name) for name in columns
                ),
                arrays=SQL(", ").join(arrays),
                original_id=original.id,
            )
        )

    @api.model
    def _subscribe_alerted(self, tickets, users):
        """Make each of ``users`` follow the ticket at the same place in
        ``tickets``, as ``mail.activity.create`` does by ``message_subscribe``:
        active partners only, with the default subtypes of a ticket follower;
        existing followers are left as they are. The rows are inserted by
        SQL (see ``_copy_alert_records``)."""
        Followers = self.env["mail.followers"]
        active = set(
            self.env["res.partner"]
            .search([("id", "in", users.partner_id.ids), ("active", "=", True)])
            .ids
        )
        by_partner = defaultdict(set)
        for ticket, user in zip(tickets, users, strict=True):
            if user.partner_id.id in active:
                by_partner[user.partner_id.id].add(ticket.id)
        rows = []
        subtypes = {}
        for partner_id, ticket_ids in by_partner.items():
            new, _existing = Followers._add_default_followers(
                tickets._name, sorted(ticket_ids), [partner_id]
            )
            for ticket_id, vals_list in new.items():
                for vals in vals_list:
                    rows.append((ticket_id, partner_id))
                    subtypes[partner_id] = vals["subtype_ids"][0][2]  # Command.set
        if not rows:
            return
        relation = Followers._fields["subtype_ids"]
        self.env.cr.execute(
            SQL(
                """
                WITH follower AS (
                    INSERT INTO %(followers)s (res_model, res_id, partner_id)
                    SELECT %(res_model)s, res_id, partner_id
                      FROM unnest(%(res_ids)s::int[], %(partner_ids)s::int[])
                           AS pair(res_id, partner_id)
                    ON CONFLICT DO NOTHING
                    RETURNING id, partner_id
                )
                INSERT INTO %(relation)s (%(follower_col)s, %(subtype_col)s)
                SELECT follower.id, subtype.id
                  FROM follower
                  JOIN unnest(%(sub_partners)s::int[], %(sub_ids)s::int[])
                       AS subtype(partner_id, id)
                    ON subtype.partner_id = follower.partner_id
                """,
                followers=SQL.identifier(Followers._table),
                res_model=tickets._name,
                res_ids=[row[0] for row in rows],
                partner_ids=[row[1] for row in rows],
                relation=SQL.identifier(relation.relation),
                follower_col=SQL.identifier(relation.column1),
                subtype_col=SQL.identifier(relation.column2),
                sub_partners=[p for p, ids in subtypes.items() for _id in ids],
                sub_ids=[i for ids in subtypes.values() for i in ids],
            )
        )
