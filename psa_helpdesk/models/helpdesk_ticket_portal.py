# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's side of the ticket (SPEC §7): what a customer may read of
it, and closing it from the portal.

What a customer may read is one list, ``CUSTOMER_FIELDS``: every other field
psa_helpdesk defines or extends on ``helpdesk.ticket`` carries ``groups=``
that portal and public users are not in, so that neither the portal pages
nor JSON-RPC (``read``, ``search_read``, ``web_read``, ``read_group``, a
search domain) nor the tracking shown or mailed to customers reveal it. A
test holds every field of the addon to that rule.

Closing from the portal is the controller ``/ticket/close``
(``controllers/main.py``); the rules it enforces live here."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import is_html_empty, plaintext2html

# The fields psa_helpdesk defines or extends on helpdesk.ticket that the
# customer of a ticket may read: what the portal page shows. Any other field
# of the addon needs groups= excluding portal and public users.
CUSTOMER_FIELDS = frozenset(
    {
        # helpdesk_mgmt's own fields, which psa_helpdesk only indexes,
        # tracks or computes
        "number",
        "partner_id",
        "commercial_partner_id",
        "team_id",
        "priority",
        # classification and priority
        "request_type",
        "severity",
        "psa_priority",
        # what the ticket is about: the customer's own installation
        "installation_id",
        "psa_product_id",
        "psa_version_id",
        "psa_environment",
        # the resolution summary, which the closing email sends them
        "psa_resolution",
        # whether the solution sent waits for their answer (portal buttons)
        "psa_validation_state",
    }
)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # helpdesk_mgmt's fields that are internal: the internal notes, and the
    # links whose names are other people's words (the development task and
    # project, named after the first customer's subject; the original of a
    # duplicate, which may be another customer's ticket).
    notes = fields.Html(groups="base.group_user")
    duplicate_id = fields.Many2one(groups="base.group_user")
    duplicate_ids = fields.One2many(groups="base.group_user")
    duplicate_count = fields.Integer(groups="base.group_user")
    project_id = fields.Many2one(groups="base.group_user")
    task_id = fields.Many2one(groups="base.group_user")
    milestone_id = fields.Many2one(groups="base.group_user")

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        self._psa_check_customer_access(self._psa_paths_fields(domain))
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        self._psa_check_customer_access(
            {spec.split(":")[0].split(".")[0] for spec in (*groupby, *aggregates)}
        )
        return super()._read_group(
            domain,
            groupby=groupby,
            aggregates=aggregates,
            having=having,
            offset=offset,
            limit=limit,
            order=order,
        )

    @api.model
    def _psa_check_customer_access(self, fnames):
        """Refuse a portal or public user the fields of psa_helpdesk among
        ``fnames`` they may not read. Odoo checks the groups of a field in a
        search or a grouping only when it is a column of the table: without
        this, a customer could still probe the internal one2many, many2many
        and related fields (e.g. which tickets have a problem or a task of a
        given name). Internal users skip the check."""
        # internal: the cached groups of the user, no read of the user
        if self.env.su or self.env.user.has_group("base.group_user"):
            return
        psa_fields = [
            fname
            for fname in fnames
            if fname in self._fields
            and "psa_helpdesk" in (self._fields[fname]._modules or ())
        ]
        if psa_fields:
            self.check_field_access_rights("read", psa_fields)

    @api.model
    def _psa_paths_fields(self, domain):
        """The ticket fields the paths of a search domain start with."""
        return {
            leaf[0].split(".", 1)[0]
            for leaf in domain or ()
            if isinstance(leaf, (list, tuple)) and leaf and isinstance(leaf[0], str)
        }

    # ------------------------------------------------------------------
    # Closing from the portal
    # ------------------------------------------------------------------

    def _psa_portal_check_customer(self):
        """Raise ``AccessError`` unless the current user may act on the ticket
        as its customer: they may read it under their own record rules, and
        they belong to the ticket's customer (a follower from another company
        reads the ticket, but it is not theirs to close)."""
        self.ensure_one()
        self.check_access("read")
        customer = self.commercial_partner_id
        if not customer or self.env.user.commercial_partner_id != customer:
            raise AccessError(self.env._("Only the customer of a ticket may close it."))

    def _psa_portal_can_close(self):
        """Whether the current user may close the ticket from the portal (see
        ``_psa_portal_check_customer``)."""
        try:
            self._psa_portal_check_customer()
        except AccessError:
            return False
        return True

    def _psa_portal_close_stages(self):
        """The stages the customer may close the ticket into from the portal:
        closing stages flagged "close from portal" that the ticket's team and
        company use; none once the ticket is closed."""
        self.ensure_one()
        Stage = self.env["helpdesk.ticket.stage"]
        if self.closed:
            return Stage
        # sudo: the stages of the ticket's team and company, whatever the
        # user's companies let them read; only the ids are kept.
        ticket = self.sudo().with_company(self.company_id)
        stages = ticket.team_id._get_applicable_stages().filtered(
            lambda s: s.closed and s.close_from_portal
        )
        return Stage.browse(stages.ids)

    def _psa_portal_needs_resolution(self, stage):
        """Whether closing the ticket into ``stage`` needs a resolution
        summary it does not have yet: the customer then writes what solved
        the problem (``_psa_requires_resolution`` decides, as for agents)."""
        self.ensure_one()
        # sudo: the request type and the duplicate link decide; the customer
        # may not read the link.
        ticket = self.sudo()
        return bool(
            ticket._psa_close_kind(stage) == "solved"
            and ticket._psa_requires_resolution()
            and is_html_empty(ticket.psa_resolution)
        )

    def _psa_portal_close(self, stage, resolution=None):
        """Close the ticket into ``stage`` as its customer, from the portal.

        ``resolution``: the customer's own words (plain text) on what solved
        the problem; required when the stage asks for a resolution summary
        the ticket does not have, and then its resolution summary. Raises
        ``AccessError`` for anyone but the customer, ``UserError`` for a
        stage the portal does not offer or a missing resolution."""
        self.ensure_one()
        self._psa_portal_check_customer()
        if stage not in self._psa_portal_close_stages():
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s cannot be closed from the portal into "
                    "stage %(stage)s.",
                    ticket=self.number,
                    stage=stage.display_name,
                )
            )
        vals = {"stage_id": stage.id}
        if self._psa_portal_needs_resolution(stage):
            if not (resolution or "").strip():
                raise UserError(
                    self.env._(
                        "Tell us in a few words what solved the problem before "
                        "closing ticket %(ticket)s.",
                        ticket=self.number,
                    )
                )
            vals["psa_resolution"] = plaintext2html(resolution.strip())
        # sudo: customers have no write access to tickets. The user was
        # checked to be the ticket's customer, the stage is one the portal
        # offers them, and only the stage and their own resolution text are
        # written, through the ticket pipeline (checks, clocks, history).
        self.sudo().write(vals)
        return True
