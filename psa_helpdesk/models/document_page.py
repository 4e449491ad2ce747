# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Knowledge articles (SPEC §8, seed 04 §6) on OCA ``document_page``.

A page with a ``psa_kind`` is a support article: a *solution* (what solves
the incident) or a *workaround* (a containment until a permanent fix), for a
product, a range of its versions (both ends included, either end open) and
some of its modules (none: any module). The content and its revisions are
``document_page``'s own (``document.page.history``).

Published articles are read by the customers who run the product (portal
record rule in ``security/psa_helpdesk_rules.xml``); internal ones by the
support staff only. Tickets solved with an article link it
(``helpdesk.ticket.psa_article_id``); the suggestions on a ticket are
``helpdesk.ticket._psa_find_articles``."""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import ARTICLE_KINDS


class DocumentPage(models.Model):
    _inherit = "document.page"

    # The text of an article is its current revision. Customers read it
    # through this field only (computed as superuser): they have no access
    # to the revisions, which may hold the wording of an article from before
    # it was published (internal notes).
    content = fields.Html(compute_sudo=True)
    psa_kind = fields.Selection(
        ARTICLE_KINDS,
        string="Support article",
        index="btree_not_null",
        tracking=True,
        help="Solution: what solves the incident. Workaround: a containment "
        "until a permanent fix; a ticket solved with it needs a problem "
        "ticket. Empty: a page that is not a support article.",
    )
    psa_product_id = fields.Many2one(
        "psa.product", string="Product", index="btree_not_null", tracking=True
    )
    psa_version_from_id = fields.Many2one(
        "psa.product.version",
        string="From version",
        domain="[('product_id', '=', psa_product_id)]",
        help="Oldest version the article applies to (included). Empty: any "
        "older version.",
    )
    psa_version_to_id = fields.Many2one(
        "psa.product.version",
        string="To version",
        domain="[('product_id', '=', psa_product_id)]",
        help="Newest version the article applies to (included). Empty: up to "
        "the latest version.",
    )
    psa_module_ids = fields.Many2many(
        "psa.product.module",
        "document_page_psa_module_rel",
        "page_id",
        "module_id",
        string="Modules",
        domain="[('product_id', '=', psa_product_id)]",
        help="Modules the article is about. Empty: any module of the product.",
    )
    psa_symptoms = fields.Text(
        string="Symptoms",
        help="What customers say or see (error messages, keywords): the "
        "suggestions on a ticket compare its subject with the title and these.",
    )
    psa_published = fields.Boolean(
        string="Published to customers",
        tracking=True,
        help="Customers who run the product read it on the portal and receive "
        "it when it is applied to their ticket. Internal articles are read by "
        "the support staff only.",
    )
    psa_customer_ids = fields.Many2many(
        "res.partner",
        string="Customers running the product",
        compute="_compute_psa_customer_ids",
        search="_search_psa_customer_ids",
        groups="base.group_user",
        help="Customers with an installation of the article's product (the "
        "portal record rule reads it).",
    )
    psa_ticket_ids = fields.One2many(
        "helpdesk.ticket", "psa_article_id", string="Tickets", readonly=True
    )
    psa_solved_count = fields.Integer(
        string="Tickets solved",
        compute="_compute_psa_solved_count",
        help="Tickets closed as solved with this article.",
    )

    @api.constrains("psa_kind", "psa_product_id")
    def _check_psa_product(self):
        for page in self.filtered("psa_kind"):
            if not page.psa_product_id:
                raise ValidationError(
                    self.env._(
                        "Support article %(page)s needs its product.",
                        page=page.display_name,
                    )
                )

    @api.constrains(
        "psa_product_id", "psa_version_from_id", "psa_version_to_id", "psa_module_ids"
    )
    def _check_psa_versions_modules(self):
        for page in self:
            product = page.psa_product_id
            versions = page.psa_version_from_id | page.psa_version_to_id
            if any(v.product_id != product for v in versions) or any(
                m.product_id != product for m in page.psa_module_ids
            ):
                raise ValidationError(
                    self.env._(
                        "The versions and modules of article %(page)s must be "
                        "of its product %(product)s.",
                        page=page.display_name,
                        product=product.display_name or "-",
                    )
                )
            low, high = page.psa_version_from_id, page.psa_version_to_id
            if low and high and high._is_older_than(low):
                raise ValidationError(
                    self.env._(
                        "Article %(page)s: version %(to)s is older than %(from)s; "
                        "the range goes from the oldest to the newest version.",
                        page=page.display_name,
                        to=high.name,
                        **{"from": low.name},
                    )
                )

    def _compute_psa_customer_ids(self):
        groups = dict(
            self.env["psa.installation"]
            .sudo()
            ._read_group(
                [("product_id", "in", self.psa_product_id.ids)],
                ["product_id"],
                ["partner_id:array_agg"],
            )
        )
        for page in self:
            page.psa_customer_ids = groups.get(page.psa_product_id, [])

    @api.model
    def _search_psa_customer_ids(self, operator, value):
        """Articles of the products the customers ``value`` (ids) have an
        installation of; only ``=`` and ``in``."""
        if operator not in ("=", "in"):
            return NotImplemented
        ids = [value] if isinstance(value, int) else list(value or [])
        # sudo: which products the customer runs, whoever asks (portal rule)
        products = (
            self.env["psa.installation"]
            .sudo()
            .search([("partner_id", "in", ids)])
            .product_id
        )
        return [("psa_product_id", "in", products.ids)]

    def _compute_psa_solved_count(self):
        counts = dict(
            self.env["helpdesk.ticket"]
            .sudo()
            ._read_group(
                [
                    ("psa_article_id", "in", self.ids),
                    ("stage_id.closed", "=", True),
                    ("stage_id.psa_close_kind", "=", "solved"),
                ],
                ["psa_article_id"],
                ["__count"],
            )
        )
        for page in self:
            page.psa_solved_count = counts.get(page, 0)

    def _psa_applies_to(self, ticket):
        """Whether the article fits ``ticket`` (one record each): same
        product, the ticket's version in the range, the ticket's affected
        module among the article's modules (or no module on either side)."""
        self.ensure_one()
        if not self.psa_kind or self.psa_product_id != ticket.psa_product_id:
            return False
        version = ticket.psa_version_id
        low, high = self.psa_version_from_id, self.psa_version_to_id
        if version and (
            (low and version._is_older_than(low))
            or (high and high._is_older_than(version))
        ):
            return False
        module = ticket.affected_module_id
        return not (
            module and self.psa_module_ids and module not in self.psa_module_ids
        )

    def action_psa_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("psa_article_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_psa_apply_article(self):
        """Button of a suggested article (``self``) on the form of the ticket
        given in the context key ``psa_article_ticket_id``: open the apply
        wizard with this article."""
        self.ensure_one()
        ticket = (
            self.env["helpdesk.ticket"]
            .browse(self.env.context.get("psa_article_ticket_id"))
            .exists()
        )
        if not ticket:
            raise UserError(self.env._("Save the ticket first."))
        return ticket.with_context(psa_article_id=self.id).action_psa_apply_article()
