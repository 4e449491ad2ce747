# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Demo data helpers: only called by the demo files (``<function>`` tags of
``demo/helpdesk_ticket_demo.xml`` and ``demo/psa_users_demo.xml``), never
by the addon itself.

Demo tickets get a consistent past by living it: each is created on its day,
weeks ago, and its stage changes and answers happen at their own time, with
the clock of the ORM set to that time. The SLA engine, the history and the
chatter do the rest as they would have, so the creation date, the clocks,
the history and the reports agree."""

import contextlib
from datetime import datetime, time, timedelta
from unittest.mock import patch

import pytz

from odoo import api, fields, models

DEMO_TZ = "America/Argentina/Buenos_Aires"


class PsaDemoData(models.AbstractModel):
    _name = "psa.demo.data"
    _description = "PSA demo data helpers"

    @contextlib.contextmanager
    def _psa_at(self, when):
        """Run the ORM as if it were ``when`` (naive UTC datetime): the
        ``fields.Datetime.now()`` of every model and the cursor's time, which
        stamps ``create_date`` and ``write_date``. Everything is flushed
        before going back to the present."""
        cr = self.env.cr
        self.env.flush_all()
        saved = cr._now
        cr._now = when
        try:
            with patch.object(
                fields.Datetime, "now", staticmethod(lambda *args, **kwargs: when)
            ):
                yield
                self.env.flush_all()
        finally:
            cr._now = saved

    @api.model
    def _psa_story_start(self, now, days_ago, local_hour):
        """UTC time, ``days_ago`` working days before ``now`` (naive UTC), at
        ``local_hour`` (float hours, Buenos Aires time); weekends move back
        to the Friday before. Never later than an hour before ``now``."""
        tz = pytz.timezone(DEMO_TZ)
        day = pytz.utc.localize(now).astimezone(tz).date() - timedelta(days=days_ago)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        hours, minutes = int(local_hour), round((local_hour % 1) * 60)
        local = tz.localize(datetime.combine(day, time(hours, minutes)))
        start = local.astimezone(pytz.utc).replace(tzinfo=None)
        return min(start, now - timedelta(hours=1))

    @api.model
    def _play_ticket_stories(self, stories):
        """Create the demo tickets of ``stories`` in their past and play what
        happened to them, in the order it happened.

        ``stories``: list of dicts with ``xmlid`` (name in this module, given
        to the ticket), ``days_ago`` and ``at`` (when it was opened: days
        before today, local hour as a float) or ``hours_ago``, ``values`` (of the
        ticket's ``create``) and ``events``: ``(hours after the opening,
        kind, argument)`` with kind ``"stage"`` (a stage id), ``"reply"``
        (the assignee answers the customer), ``"customer"`` (the customer
        writes) or ``"assign"`` (a user id). Events later than now are
        skipped. After each moment the SLA status action runs as it would
        have, then, in the present, once more and the business hours of the
        history are counted.

        Stories whose ticket exists already (the module updated) are skipped:
        the past is played once. The story is played in Spanish (es_AR) when
        it is installed: what it stores as text (history labels, chatter) is
        what the desk reads."""
        demo = self
        if self.env["res.lang"].search_count([("code", "=", "es_AR")]):
            demo = self.with_context(lang="es_AR")
        demo._psa_play(stories)

    def _psa_play(self, stories):
        now = fields.Datetime.now()
        Ticket = self.env["helpdesk.ticket"]
        moments = []
        for order, story in enumerate(stories):
            if self.env.ref(f"psa_helpdesk.{story['xmlid']}", False):
                continue
            if "hours_ago" in story:
                start = now - timedelta(hours=story["hours_ago"])
            else:
                start = self._psa_story_start(now, story["days_ago"], story["at"])
            moments.append((start, order, 0, "create", story, None))
            for index, (hours, kind, *args) in enumerate(story.get("events", ())):
                when = start + timedelta(hours=hours)
                if when < now:
                    moments.append(
                        (when, order, index + 1, kind, story, args[0] if args else None)
                    )
        if not moments:
            return
        tickets = {}
        Clock = self.env["psa.ticket.sla"]
        for when, _order, _index, kind, story, arg in sorted(
            moments, key=lambda m: m[:3]
        ):
            with self._psa_at(when):
                if kind == "create":
                    ticket = Ticket.create(story["values"])
                    self.env["ir.model.data"]._update_xmlids(
                        [
                            {
                                "xml_id": f"psa_helpdesk.{story['xmlid']}",
                                "record": ticket,
                                "noupdate": True,
                            }
                        ]
                    )
                    tickets[story["xmlid"]] = ticket
                else:
                    self._psa_story_event(tickets[story["xmlid"]], kind, arg)
                Clock._cron_refresh_status()
        Clock._cron_refresh_status()
        self.env["psa.ticket.segment"]._cron_business_hours()

    def _psa_story_event(self, ticket, kind, arg):
        if kind == "stage":
            ticket.write({"stage_id": arg})
        elif kind == "assign":
            ticket.write({"user_id": arg})
        elif kind == "reply":
            user = ticket.user_id or self.env.ref("base.user_admin")
            ticket.with_user(user).message_post(
                body=arg or self.env._("We are reviewing it and will keep you posted."),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        elif kind == "customer":
            ticket.message_post(
                body=arg,
                author_id=ticket.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        else:
            raise ValueError(f"Unknown demo event {kind!r}")

    @api.model
    def _set_demo_users_lang(self, user_ids, lang="es_AR"):
        """The demo users speak ``lang`` when it is installed (``make run``
        loads es_AR; a test database has English only)."""
        if self.env["res.lang"].search_count([("code", "=", lang)]):
            self.env["res.users"].browse(user_ids).write({"lang": lang})
