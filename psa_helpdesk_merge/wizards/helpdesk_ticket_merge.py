# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""helpdesk_mgmt_merge's wizard with psa_helpdesk's SLA rules (SPEC §4, §7).

What the sibling does is unchanged: the kept ticket (an existing one, or a
new one) gets the tags, attachments, followers, messages and activities of
the others, which are archived. This addon adds:

- the tickets merged are of one company (SPEC §7) and one customer (their
  followers and messages go to the kept ticket: SPEC §7), into an open
  ticket (the customer's request keeps live clocks), checked before
  anything changes;
- helpdesk_mgmt_merge moves the merged tickets' messages to the kept ticket
  by writing their ``res_id``, which Odoo allows administrators only
  (``mail.message.write``): an agent could not merge. Workaround: the user's
  right to write every ticket concerned is checked, then the sibling's merge
  runs as superuser (``env.user`` stays the user: the notices are theirs);
- each merged ticket is marked a duplicate of the kept one
  (``duplicate_id``): psa_helpdesk closes it as *not solved*
  (``helpdesk.ticket._psa_close_kind``), so its live clocks are cancelled
  (out of the compliance figures, no penalty) unless they were already
  late, a breach that a merge does not undo; its clocks and history stay
  on it (archived, linked from the kept ticket's merge notice);
- the kept ticket keeps its clocks: the merge notices the sibling posts are
  neither a first response nor an update to the customer.
"""

from odoo import models
from odoo.exceptions import UserError

# Context key of the notices the merge posts (see helpdesk.ticket
# _psa_sla_message_kind in this addon).
MERGE_NOTICE = "psa_merge_notice"


class HelpdeskTicketMerge(models.TransientModel):
    _inherit = "helpdesk.ticket.merge"

    def merge_tickets(self):
        """Merge as helpdesk_mgmt_merge does, then close the merged tickets
        as duplicates of the kept one.

        :raise UserError: the tickets (or the new ticket's team) are of
            several companies or several customers, or the ticket kept is
            closed; nothing is changed
        :raise AccessError: the user may not write one of the tickets"""
        self.ensure_one()
        self._psa_check_merge_company()
        self._psa_check_merge_customer()
        self._psa_check_merge_destination()
        # read before the merge: archived, they leave the many2many
        tickets = self.ticket_ids
        (tickets | self.dst_ticket_id).check_access("write")
        # sudo: helpdesk_mgmt_merge moves messages by writing their res_id,
        # which mail.message refuses to anyone but administrators; the user
        # may write every ticket concerned (checked above), whose messages
        # they may read and post on. In the tickets' company: a new ticket
        # without team is created there, not in the user's current company.
        merger = self.sudo().with_company(tickets.company_id[:1] or self.env.company)
        action = super(HelpdeskTicketMerge, merger).merge_tickets()
        kept = self.dst_ticket_id
        merged = (tickets - kept).with_context(active_test=False)
        # As the user (their right to write them was checked): duplicates of
        # the kept ticket, through the ticket pipeline, which closes their
        # clocks.
        merged.filtered(lambda t: t.duplicate_id != kept).write(
            {"duplicate_id": kept.id}
        )
        return action

    def _psa_check_merge_company(self):
        """The tickets, the ticket kept and the new ticket's team are of one
        company.

        :raise UserError: naming the companies"""
        records = self.ticket_ids | self.dst_ticket_id
        if self.create_new_ticket:
            records = self.ticket_ids
            companies = records.company_id | self.dst_helpdesk_team_id.company_id
        else:
            companies = records.company_id
        if len(companies) > 1:
            raise UserError(
                self.env._(
                    "Tickets of different companies cannot be merged "
                    "(%(companies)s): their SLA clocks, penalties and "
                    "messages stay in their company.",
                    companies=", ".join(companies.mapped("name")),
                )
            )

    def _psa_check_merge_customer(self):
        """The tickets are of one customer (their commercial partner), or of
        none: the merge makes the merged tickets' followers follow the kept
        ticket and moves their messages there, so a customer would read
        another customer's ticket on the portal (SPEC §7: customers see
        their own tickets only).

        :raise UserError: naming the customers"""
        customers = (self.ticket_ids | self.dst_ticket_id).commercial_partner_id
        if len(customers) > 1:
            raise UserError(
                self.env._(
                    "Tickets of different customers cannot be merged "
                    "(%(customers)s): each customer would see the other's "
                    "ticket and messages.",
                    customers=", ".join(customers.mapped("display_name")),
                )
            )

    def _psa_check_merge_destination(self):
        """The ticket kept is open: merged into a closed ticket, the merged
        tickets' clocks would be cancelled with no live clock left for the
        customer's request (SPEC §4). Tickets whose SLA clocks run are not
        merged into a new ticket: its clocks would start afresh at the
        merge, a way around a deadline close at hand (SPEC §7); they are
        merged into one of them.

        :raise UserError: naming the ticket kept, or the tickets with clocks"""
        if self.create_new_ticket:
            # sudo: whether clocks run is the engine's bookkeeping
            running = self.ticket_ids.sudo().filtered(
                lambda t: t.psa_sla_ids.filtered(lambda c: not c.end_date)
            )
            if running:
                raise UserError(
                    self.env._(
                        "%(tickets)s have running SLA clocks: merge them into "
                        "one of them, not into a new ticket, whose clocks would "
                        "start again.",
                        tickets=", ".join(running.mapped("display_name")),
                    )
                )
            return
        kept = self.dst_ticket_id
        if not self.create_new_ticket and kept and kept.sudo()._psa_close_kind():
            raise UserError(
                self.env._(
                    "%(ticket)s is closed: reopen it, or merge into an open "
                    "ticket, so that the customer's request keeps its SLA "
                    "clocks.",
                    ticket=kept.display_name,
                )
            )

    def _add_message(self, way, ticket_numbers, ticket):
        # The notice of the merge is posted as a comment by the user who
        # merges: psa_helpdesk must not take it for a reply to the customer.
        return super()._add_message(
            way, ticket_numbers, ticket.with_context(**{MERGE_NOTICE: True})
        )
