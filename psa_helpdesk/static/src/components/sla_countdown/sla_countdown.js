/** @odoo-module **/
// Copyright 2026 psa_helpdesk authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
//
// Live countdown to an SLA deadline (psa_sla_deadline on tickets).
//
// It counts *wall-clock* time to the deadline, refreshed every second; the
// business time left (nights, weekends and holidays excluded) is the field
// psa_sla_remaining_hours shown next to it, computed by the server. The
// colour follows the SLA status field given in the options (default
// psa_sla_status): red when late or breached, orange at risk, else green.

import { Component, onMounted, onWillUnmount, useState } from "@odoo/owl";
import { formatDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

const { DateTime } = luxon;

/** "2d 03:04:05" style duration from a number of seconds (>= 0). */
export function formatCountdown(totalSeconds) {
    const seconds = Math.floor(totalSeconds);
    const days = Math.floor(seconds / 86400);
    const rest = seconds % 86400;
    const pad = (n) => String(n).padStart(2, "0");
    const clock = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
    return days ? `${days}d ${clock}` : clock;
}

export class SlaCountdownField extends Component {
    static template = "psa_helpdesk.SlaCountdownField";
    static props = {
        ...standardFieldProps,
        statusField: { type: String, optional: true },
    };
    static defaultProps = { statusField: "psa_sla_status" };

    setup() {
        this.state = useState({ now: DateTime.now() });
        onMounted(() => {
            this.interval = setInterval(() => {
                this.state.now = DateTime.now();
            }, 1000);
        });
        onWillUnmount(() => clearInterval(this.interval));
    }

    get deadline() {
        return this.props.record.data[this.props.name];
    }

    /** Seconds until the deadline; negative when it has passed. */
    get seconds() {
        return this.deadline ? this.deadline.diff(this.state.now, "seconds").seconds : null;
    }

    get late() {
        return this.seconds !== null && this.seconds < 0;
    }

    get text() {
        if (this.seconds === null) {
            return "";
        }
        const duration = formatCountdown(Math.abs(this.seconds));
        return this.late ? _t("late by %s", duration) : _t("%s left", duration);
    }

    get title() {
        return this.deadline
            ? _t("Deadline %s (wall-clock time; business hours left are shown beside)", formatDateTime(this.deadline))
            : "";
    }

    get colorClass() {
        const status = this.props.record.data[this.props.statusField];
        if (this.late || status === "breached") {
            return "text-bg-danger";
        }
        if (status === "at_risk") {
            return "text-bg-warning";
        }
        return "text-bg-success";
    }
}

export const slaCountdownField = {
    component: SlaCountdownField,
    displayName: _t("SLA countdown"),
    supportedTypes: ["datetime"],
    extractProps: ({ options }) => ({
        statusField: options.status_field,
    }),
};

registry.category("fields").add("psa_sla_countdown", slaCountdownField);
