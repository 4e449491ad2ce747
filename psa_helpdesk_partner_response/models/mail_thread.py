# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""helpdesk_ticket_partner_response moves a ticket to its team's destination
stage when the customer writes (by email, before the email is posted; on
the portal, when the message is posted). psa_helpdesk's SLA engine sees that
move like any other stage change (SPEC §4): leaving a *waiting for customer*
stage resumes the clocks, entering one pauses them, closing stops them.

By email, two psa_helpdesk rules are added to the sibling's move:

- an automatic email (out-of-office, auto-reply, bounce, list mail:
  ``mail.thread._psa_mail_automation``) is never a customer's reply, so it
  moves nothing (the sibling's ``_skip_ticket_stage_update_from_autoreply``
  hook, meant for this);
- a move psa_helpdesk refuses (closing an incident without its resolution
  summary, entering a customer validation stage without an article...)
  leaves the ticket where it was with an internal note, and the email is
  posted: inbound mail never disappears (SPEC §7).
"""

import logging

from odoo import api, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _skip_ticket_stage_update_from_autoreply(self, message, message_dict, routes):
        """True for an email psa_helpdesk recognises as automatic."""
        if super()._skip_ticket_stage_update_from_autoreply(
            message, message_dict, routes
        ):
            return True
        if message is None:  # nothing to judge (the sibling's own tests)
            return False
        kind, _no_autoreply = self._psa_mail_automation(message, message_dict)
        return bool(kind)

    def change_ticket_status_via_mail(self, routes, message_dict):
        """The sibling's move, in a savepoint: when psa_helpdesk refuses it
        (``UserError``/``ValidationError`` of the ticket pipeline), it is
        undone, the ticket gets an internal note saying why, and the email
        goes on to be posted."""
        try:
            with self.env.cr.savepoint():
                return super().change_ticket_status_via_mail(routes, message_dict)
        except (UserError, ValidationError) as error:
            # the move was rolled back: what the cache holds of it too
            self.env.invalidate_all()
            ticket = (
                self.env["helpdesk.ticket"].sudo().browse(int(routes[0][1])).exists()
            )
            _logger.info(
                "Ticket %s stays in its stage on a customer's email: %s",
                ticket.display_name,
                error,
            )
            # sudo: the gateway's ticket, written by no one (an internal note)
            ticket.message_post(
                body=self.env._(
                    "The customer's email did not move the ticket to "
                    "%(stage)s: %(reason)s",
                    stage=ticket.team_id.autopupdate_dest_stage_id.display_name,
                    reason=error.args[0] if error.args else str(error),
                ),
                subtype_xmlid="mail.mt_note",
            )
            return None
