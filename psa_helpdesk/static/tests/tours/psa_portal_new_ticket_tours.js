/** @odoo-module **/
/* Copyright 2026 psa_helpdesk authors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

const tours = registry.category("web_tour.tours");

/* The guided new ticket: the customer picks one of their installations and
 * sees live whether their contract covers it, picks the module, gets a
 * published article suggested from the subject, and opens the ticket (S1 on
 * a covered product: P1). */
tours.add("psa_portal_guided_new_ticket", {
    url: "/new/ticket",
    steps: () => [
        {
            content: "Pick the Payroll installation: not covered",
            trigger: "select[name=psa_installation]",
            run: "selectByLabel TSU",
        },
        {
            content: "The form says so at once",
            trigger: "#psa_coverage:contains(No active maintenance contract for Payroll)",
        },
        {
            content: "Pick the Municipal installation: covered",
            trigger: "select[name=psa_installation]",
            run: "selectByLabel TGM",
        },
        {
            content: "The form says the contract covers it",
            trigger: "#psa_coverage:contains(Your maintenance contract covers Municipal)",
        },
        {
            content: "The affected module",
            trigger: "select[name=psa_module]",
            run: "selectByLabel Taxes",
        },
        {
            content: "Request type",
            trigger: "select[name=psa_request_type]",
            run: "select incident",
        },
        {
            content: "Severity S1",
            trigger: "select[name=psa_severity]",
            run: "select 1",
        },
        {
            content: "Subject",
            trigger: "input[name=subject]",
            run: "edit Tax receipts print blank",
        },
        {
            content: "A published article is suggested",
            trigger: "#psa_articles .psa_article summary:contains(Tax receipts print blank)",
        },
        {
            content: "Description",
            trigger: "textarea[name=description]",
            run: "edit Since this morning nobody can print receipts",
        },
        {
            content: "Submit",
            trigger: "form[action='/submitted/ticket'] button[type=submit]",
            run: "click",
        },
        {
            content: "The ticket page shows P1",
            trigger: "div[name=psa_priority]:contains(P1)",
        },
    ],
});
