# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The guided new ticket of the portal (SPEC §3, §9, seed 05): the customer
picks one of *their* installations and its affected module, the request type
and the severity with their help texts, and sees whether their contract
covers the product (``/my/psa/coverage``, and on each installation of the
form).

The ticket is created by helpdesk_mgmt's ``/submitted/ticket`` through the
same pipeline as any channel (entitlement, priority, clocks: the create of
``helpdesk.ticket``); here only the values the form offered are kept: an
installation that is not the user's customer's, or a module not installed
on it, is refused (400) and no ticket is created."""

from werkzeug.exceptions import BadRequest, NotFound

from odoo import http
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController

from ..const import REQUEST_TYPES, SEVERITIES
from .main import _to_id
from .portal_installations import psa_portal_installations


def psa_portal_coverage(installation):
    """Whether an active contract of the installation's customer, in its
    company, covers its product today, and what the customer is told.

    :param installation: one ``psa.installation`` (superuser record of the
        user's customer)
    :return: dict ``covered`` (bool), ``message`` (str, user's language)"""
    key = (
        installation.partner_id.id,
        installation.product_id.id,
        installation.company_id.id,
    )
    covered = bool(request.env["psa.contract"]._find_covering([key]).get(key))
    _ = request.env._
    message = (
        _(
            "Your maintenance contract covers %(product)s.",
            product=installation.product_id.name,
        )
        if covered
        else _(
            "No active maintenance contract for %(product)s: your account "
            "manager will contact you.",
            product=installation.product_id.name,
        )
    )
    return {"covered": covered, "message": message}


class PsaHelpdeskNewTicketController(HelpdeskTicketController):
    def _get_create_new_ticket_values(self, **kw):
        values = super()._get_create_new_ticket_values(**kw)
        installations = psa_portal_installations()
        # the help texts of the request type and severity, in the user's
        # language (fields of the customer surface: CUSTOMER_FIELDS)
        Ticket = request.env["helpdesk.ticket"]
        values.update(
            psa_installations=installations,
            psa_coverage={inst.id: psa_portal_coverage(inst) for inst in installations},
            # the option labels in the user's language
            psa_request_types=Ticket._fields["request_type"]._description_selection(
                request.env
            ),
            psa_severities=Ticket._fields["severity"]._description_selection(
                request.env
            ),
            psa_request_type_help=Ticket._fields["request_type"]._description_help(
                request.env
            ),
            psa_severity_help=Ticket._fields["severity"]._description_help(request.env),
            psa_selected_installation=_to_id(kw.get("psa_installation")),
        )
        return values

    def _psa_submitted_installation_vals(self, **kw):
        """The installation, affected module, request type and severity
        posted by the guided form, checked against what it offered (the
        user's customer's installations, their installed modules, the
        selections). Raises ``BadRequest`` for anything else."""
        vals = {}
        installation_id = _to_id(kw.get("psa_installation"))
        if kw.get("psa_installation") and not installation_id:
            raise BadRequest()
        if installation_id:
            installation = psa_portal_installations(installation_id)
            if not installation:
                raise BadRequest()
            vals.update(
                installation_id=installation.id,
                company_id=installation.company_id.id,
            )
            module_id = _to_id(kw.get("psa_module"))
            if kw.get("psa_module"):
                if module_id not in installation.module_ids.ids:
                    raise BadRequest()
                vals["affected_module_id"] = module_id
        if kw.get("psa_request_type"):
            if kw["psa_request_type"] not in dict(REQUEST_TYPES):
                raise BadRequest()
            vals["request_type"] = kw["psa_request_type"]
        if kw.get("psa_severity"):
            if kw["psa_severity"] not in dict(SEVERITIES):
                raise BadRequest()
            vals["severity"] = kw["psa_severity"]
        return vals

    def _prepare_submit_ticket_vals(self, **kw):
        extra = self._psa_submitted_installation_vals(**kw)
        vals = super()._prepare_submit_ticket_vals(**kw)
        vals.update(extra)
        return vals

    @http.route("/my/psa/coverage", type="json", auth="user")
    def psa_portal_coverage(self, installation_id=None, **kw):
        """Live coverage for the guided form: ``installation_id`` one of the
        user's customer's installations. Returns ``covered``, ``message``
        and the installed ``modules`` (``[{"id", "name"}]``); raises
        NotFound for any other id."""
        installation = psa_portal_installations(_to_id(installation_id) or 0)
        if not installation:
            raise NotFound()
        return dict(
            psa_portal_coverage(installation),
            modules=[{"id": m.id, "name": m.name} for m in installation.module_ids],
        )

    @http.route("/my/psa/articles", type="json", auth="user")
    def psa_portal_articles(
        self, installation_id=None, module_id=None, subject=None, **kw
    ):
        """Published articles that may solve the request being written:
        same product as the installation (one of the user's customer's), its
        version in the article's range, the affected module (``module_id``,
        installed on it) and the ``subject`` text (see
        ``helpdesk.ticket._psa_find_articles``). Only articles the user may
        read (the portal rule: published, of their products).

        :return: ``[{"id", "name", "content"}]`` (content: HTML), best
            first; empty without an installation of theirs or a subject"""
        installation = psa_portal_installations(_to_id(installation_id) or 0)
        subject = (subject or "").strip()[:200]
        if not installation or not subject:
            return []
        module = installation.module_ids.filtered(lambda m: m.id == _to_id(module_id))
        # sudo: a draft ticket (never saved) with the installation's product,
        # version and module, to rank the articles; the result is filtered
        # below with the user's own rights.
        draft = (
            request.env["helpdesk.ticket"]
            .sudo()
            .new(
                {
                    "name": subject,
                    "psa_product_id": installation.product_id.id,
                    "psa_version_id": installation.version_id.id,
                    "affected_module_id": module.id,
                }
            )
        )
        found = draft._psa_find_articles().get(0)
        if not found:
            return []
        visible = request.env["document.page"].search(
            [("id", "in", found.ids), ("psa_published", "=", True)]
        )
        shown = [page for page in found if page in visible]
        # remembered in the session: only an article shown to this user can
        # be counted as having solved their request (psa_portal_article_solved)
        suggested = set(request.session.get("psa_suggested_articles") or [])
        request.session["psa_suggested_articles"] = sorted(
            suggested.union(page.id for page in shown)
        )[-100:]
        return [
            {"id": page.id, "name": page.name, "content": page.content or ""}
            for page in shown
        ]

    @http.route("/my/psa/article_solved", type="json", auth="user")
    def psa_portal_article_solved(self, article_id=None, **kw):
        """The customer says a suggested article solved their request: no
        ticket is opened, the article counts one deflection — once per
        article and session, and only for an article ``/my/psa/articles``
        suggested to this user in this session (``counted`` is False
        otherwise: the counter cannot be inflated by repeating the call).
        Raises NotFound for an article the user may not read (internal,
        unpublished, of another product)."""
        article = request.env["document.page"].search(
            [("id", "=", _to_id(article_id) or 0), ("psa_published", "=", True)]
        )
        if not article:
            raise NotFound()
        suggested = request.session.get("psa_suggested_articles") or []
        counted = request.session.get("psa_deflected_articles") or []
        if article.id not in suggested or article.id in counted:
            return {"counted": False}
        article._psa_count_deflection()
        request.session["psa_deflected_articles"] = counted + [article.id]
        return {"counted": True}
