/** @odoo-module **/
/* Copyright 2026 psa_helpdesk authors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

const tours = registry.category("web_tour.tours");

/* An L1 agent opens a ticket for a customer: the installation is offered,
 * the environment shows at the top of the form, and once saved the SLA clock
 * runs. */
tours.add("psa_agent_creates_ticket", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/new",
    steps: () => [
        {
            content: "Title",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Facturas rechazadas por el organismo",
        },
        {
            content: "Pick the customer's contact",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Laura Tour",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Laura Tour)",
            run: "click",
        },
        {
            content: "The only installation of the customer is preselected",
            trigger: ".o_field_widget[name=installation_id] input:value(Tour Town · TRP 2.1 · Production)",
        },
        {
            content: "The environment banner shows product, version and modules",
            trigger:
                "div[name=psa_environment_banner]:contains(Tour Product):contains(2.1):contains(Invoicing)",
        },
        {
            content: "Severity 1: operation stopped",
            trigger: ".o_field_widget[name=severity] select",
            run: "selectByLabel S1",
        },
        {
            content: "Describe the problem",
            trigger: ".o_field_widget[name=description] .odoo-editor-editable",
            run: "editor Las facturas electrónicas son rechazadas desde esta mañana.",
        },
        ...stepUtils.saveForm(),
        {
            content: "The SLA clock runs and counts down",
            trigger: ".o_field_widget[name=psa_sla_status]:contains(Running)",
        },
        {
            trigger: ".o_field_widget[name=psa_sla_deadline]",
        },
        {
            content: "Priority derived from severity and contract: P1",
            trigger: ".o_field_widget[name=psa_priority]:contains(P1)",
        },
    ],
});

/* While the caller is on the line, before saving: the contract covering
 * the customer and the priority P show as soon as customer and severity are
 * known; a customer no contract covers shows "Not covered" at once. */
tours.add("psa_agent_sees_coverage_before_saving", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/new",
    steps: () => [
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Consulta por facturas",
        },
        {
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Laura Tour",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Laura Tour)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=severity] select",
            run: "selectByLabel S1",
        },
        {
            content: "Covered: the contract shows, not saved yet",
            trigger: ".o_form_editable .o_field_widget[name=contract_id]:contains(Tour maintenance)",
        },
        {
            content: "Priority P1 (severity 1, premium tier), one priority only",
            trigger: ".o_field_widget[name=psa_priority]:contains(P1)",
        },
        {
            trigger: ".o_form_view:not(:has(.o_field_widget[name=priority]))",
        },
        {
            trigger: ".o_form_view:not(:has(.ribbon)):not(:has(div[name=psa_not_entitled_new]))",
        },
        {
            content: "Another caller, whose company has no contract",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Pedro Nocover",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Pedro Nocover)",
            run: "click",
        },
        {
            content: "Not covered, before saving: banner and ribbon (text not cut)",
            trigger: "div[name=psa_not_entitled_new]:contains(Once saved)",
        },
        {
            trigger: ".ribbon span:contains(Not covered)",
        },
        {
            content: "No contract",
            trigger: ".o_form_view:not(:has(.o_field_widget[name=contract_id]:contains(Tour)))",
        },
        {
            content: "The priority still shows",
            trigger: ".o_field_widget[name=psa_priority]:contains(P)",
        },
        {
            content: "Nothing saved: discard",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            trigger: ".o_list_view, .o_kanban_view, .o_form_view:not(.o_form_dirty)",
        },
    ],
});

/* The list and the kanban show the SLA time left in business time, and
 * nothing for a ticket without SLA (never a misleading 00:00). */
tours.add("psa_agent_sees_sla_time_left", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
    steps: () => [
        {
            content: "List: the ticket under SLA shows its time left",
            trigger:
                ".o_list_view .o_data_row:has(td:contains(Caída total)) td[name=psa_sla_time_left]:contains( h )",
        },
        {
            content: "List: the ticket without SLA shows nothing",
            trigger:
                ".o_list_view .o_data_row:has(td:contains(Sin contrato)) td[name=psa_sla_time_left]:not(:contains( h ))",
        },
        {
            content: "The SLA and stage columns are on screen",
            trigger: ".o_list_view th[data-name=psa_sla_status], .o_list_view th[data-name=stage_id]",
        },
        {
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "Kanban: time left on the card, not the deadline",
            trigger:
                ".o_kanban_record:contains(Caída total) .o_psa_sla_time_left:contains( h )",
        },
        {
            trigger: ".o_kanban_record:contains(Sin contrato):not(:has(.o_psa_sla_time_left))",
        },
    ],
});

/* An administrator gives a user the Developer role in the normal user
 * form: no developer mode, a selection under the PSA Helpdesk heading. */
tours.add("psa_manager_gives_developer_role", {
    steps: () => [
        {
            trigger: ".o_notebook a[name=access_rights]",
            run: "click",
        },
        {
            content: "The roles are under their own heading",
            trigger: ".o_inner_group:contains(PSA Helpdesk)",
        },
        {
            content: "Development: Developer",
            trigger:
                ".o_inner_group:contains(PSA Helpdesk) .o_wrap_field:has(.o_form_label:contains(Development)) select",
            run: "selectByLabel Developer",
        },
        ...stepUtils.saveForm(),
    ],
});

/* The agent escalates a ticket to development from its form. */
tours.add("psa_agent_escalates_ticket", {
    steps: () => [
        {
            trigger: "button[name=action_psa_escalate_to_development]",
            run: "click",
        },
        {
            content: "The wizard proposes the product's development project",
            trigger: ".modal .o_field_widget[name=project_id] input:value(Tour development)",
        },
        {
            trigger: ".modal button[name=action_escalate]",
            run: "click",
        },
        {
            content: "The ticket shows its development task",
            trigger: "div[name=psa_development_banner]:contains(Facturas rechazadas)",
        },
        {
            trigger: "div[name=psa_development_banner]:contains(Backlog)",
        },
    ],
});

/* A developer not assigned to the task moves it from its form (the form
 * reads its tickets after the stage change) and opens its ticket, which shows
 * the new stage. */
tours.add("psa_developer_moves_task", {
    steps: () => [
        {
            content: "Move the task to In progress",
            trigger: ".o_statusbar_status button:contains(In progress)",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(In progress)",
        },
        {
            content: "The Support tab lists the tickets of the task",
            trigger: ".o_notebook a[name=psa_support]",
            run: "click",
        },
        {
            content: "Open the linked ticket",
            trigger: ".o_field_widget[name=ticket_ids] .o_data_row td:contains(Facturas rechazadas)",
            run: "click",
        },
        {
            content: "The ticket shows the task's new stage",
            trigger: ".modal div[name=psa_development_banner]:contains(In progress)",
        },
        {
            trigger: ".modal .modal-header .btn-close",
            run: "click",
        },
        {
            content: "Release the task (a folded stage: in the statusbar's menu)",
            trigger: "body:not(:has(.modal)) .o_statusbar_status .dropdown-toggle",
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains(Released)",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Released)",
        },
        {
            content: "Still the task's tickets, after the second move",
            trigger: ".o_field_widget[name=ticket_ids] .o_data_row td:contains(Facturas rechazadas)",
        },
        {
            content: "Save what the stage change left unsaved, if anything",
            trigger: ".o_form_view",
            run() {
                document.querySelector(".o_form_button_save:enabled")?.click();
            },
        },
        {
            trigger: "body:not(:has(.o_form_dirty))",
        },
    ],
});

/* A support manager opens the SLA compliance analysis, then the penalties. */
tours.add("psa_manager_opens_sla_report", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='helpdesk_mgmt.helpdesk_ticket_main_menu']",
            run: "click",
        },
        {
            trigger: ".o_main_navbar button:contains(Reporting)",
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains(SLA compliance)",
            run: "click",
        },
        {
            content: "Compliance by month, as a graph",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        {
            content: "Switch to the pivot view",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            trigger: ".o_pivot table th:contains(Tour Town), .o_pivot table .o_pivot_header_cell_closed",
        },
        {
            trigger: ".o_main_navbar button:contains(Reporting)",
            run: "click",
        },
        {
            content: "Penalties are for managers",
            trigger: ".dropdown-item:contains(SLA penalties)",
            run: "click",
        },
        {
            trigger: ".o_action_manager .o_view_controller",
        },
    ],
});
