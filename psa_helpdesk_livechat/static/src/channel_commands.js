/** @odoo-module */
// Copyright 2026 psa_helpdesk authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";

registry.category("discuss.channel_commands").add("ticket", {
    help: _t("Open a support ticket from this conversation (/ticket title)"),
    methodName: "execute_command_ticket",
});
