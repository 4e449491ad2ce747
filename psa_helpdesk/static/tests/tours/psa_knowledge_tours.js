/** @odoo-module **/
/* Copyright 2026 psa_helpdesk authors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

const tours = registry.category("web_tour.tours");

/* An agent finds the article suggested on a ticket and applies it: the
 * solution goes to the customer and the ticket waits for their validation
 * (the customer's answer by email is in test_knowledge.py). */
tours.add("psa_agent_applies_article", {
    steps: () => [
        {
            content: "Open the Knowledge tab",
            trigger: ".o_notebook a[name=psa_knowledge]",
            run: "click",
        },
        {
            content: "The article about the ticket's module is suggested first",
            trigger:
                ".o_field_widget[name=psa_article_suggestion_ids] .o_data_row:first-child:contains(Boleta en blanco)",
        },
        {
            content: "Apply it",
            trigger:
                ".o_field_widget[name=psa_article_suggestion_ids] .o_data_row:first-child button[name=action_psa_apply_article]",
            run: "click",
        },
        {
            content: "The message to the customer holds the article",
            trigger: ".modal .o_field_widget[name=body]:contains(Restaurar plantilla)",
        },
        {
            content: "Send it and wait for the customer",
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            content: "The ticket waits for the customer's validation",
            trigger: "div[name=psa_validation_banner]:contains(Boleta en blanco)",
        },
    ],
});
