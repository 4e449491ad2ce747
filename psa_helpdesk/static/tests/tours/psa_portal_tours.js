/** @odoo-module **/
/* Copyright 2026 psa_helpdesk authors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

const tours = registry.category("web_tour.tours");

/* A portal customer sees only their tickets, cannot close another
 * customer's ticket even with a hand-made request (its id and a closing
 * stage come in the start URL: psa_other, psa_stage), and closes their own
 * incident saying what solved it. */
tours.add("psa_portal_customer_tickets", {
    steps: () => [
        {
            content: "The customer's own ticket is listed",
            trigger: "a:contains(Receipts print blank)",
        },
        {
            content: "The other customer's ticket is not",
            trigger: "a:contains(Receipts print blank)",
            run() {
                if (document.body.textContent.includes("confidential payroll")) {
                    throw new Error("Another customer's ticket is listed.");
                }
            },
        },
        {
            content: "Closing the other customer's ticket by hand is refused",
            trigger: "a:contains(Receipts print blank)",
            async run() {
                const params = new URL(window.location.href).searchParams;
                const body = new FormData();
                body.append("csrf_token", odoo.csrf_token);
                body.append("ticket_id", params.get("psa_other"));
                body.append("stage_id", params.get("psa_stage"));
                const response = await fetch("/ticket/close", {method: "POST", body});
                if (response.status !== 403) {
                    throw new Error(`Expected 403, got ${response.status}.`);
                }
            },
        },
        {
            content: "Open the own ticket",
            trigger: "a:contains(Receipts print blank)",
            run: "click",
        },
        {
            content: "The page says what the ticket is about",
            trigger: "div[name=psa_product]:contains(Municipal)",
        },
        {
            content: "Say what solved the problem",
            trigger: "form[action='/ticket/close'] textarea[name=resolution]",
            run: "edit Reinstalamos el controlador de la impresora",
        },
        {
            content: "Close the ticket",
            trigger: "form[action='/ticket/close']:has(textarea[name=resolution]) button",
            run: "click",
        },
        {
            content: "The resolution shows on the closed ticket",
            trigger: "div[name=psa_resolution]:contains(Reinstalamos el controlador)",
        },
        {
            content: "No close button any more",
            trigger: "#card_body",
            run() {
                if (document.querySelector("form[action='/ticket/close']")) {
                    throw new Error("The closed ticket still offers to close it.");
                }
            },
        },
    ],
});
