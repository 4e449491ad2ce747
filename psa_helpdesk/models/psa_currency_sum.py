# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Amounts are summed per currency only (SPEC §7): the penalties of a USD
company and of a EUR company are two amounts, never one.

``read_group`` (every list group, pivot cell and total, graph bar, RPC)
returns no sum (``False``) for a monetary field over records of more than one
currency of that field: group by company or currency to read the sums."""

import re

from odoo import api, models

_AGGREGATE = re.compile(r"^(\w+)(?::\w+(?:\((\w+)\))?)?$")


class PsaCurrencySumMixin(models.AbstractModel):
    _name = "psa.currency.sum.mixin"
    _description = "Monetary sums per currency only"

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        """``read_group``, with the sum of a monetary field set to ``False``
        in each group whose records have more than one currency (its
        ``currency_field``), unless that currency is grouped by."""
        result = super().read_group(
            domain,
            fields,
            groupby,
            offset=offset,
            limit=limit,
            orderby=orderby,
            lazy=lazy,
        )
        groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
        if lazy:
            groupby = groupby[:1]
        grouped = {spec.split(":")[0] for spec in groupby}
        # {currency field: [result keys of its monetary sums]}
        sums = {}
        for spec in fields or []:
            match = _AGGREGATE.match(spec.replace(" ", ""))
            if not match:
                continue
            key, fname = match.group(1), match.group(2) or match.group(1)
            field = self._fields.get(fname)
            if not field or field.type != "monetary":
                continue
            currency = field.get_currency_field(self)
            if currency and currency not in grouped:
                sums.setdefault(currency, []).append(key)
        if not result or not sums:
            return result

        def group_key(row):
            return tuple(
                row[spec][0] if isinstance(row[spec], tuple) else row[spec]
                for spec in groupby
            )

        for currency, keys in sums.items():
            counts = {}
            for row in super().read_group(
                domain, ["__count"], groupby + [currency], lazy=False
            ):
                key = group_key(row)
                counts[key] = counts.get(key, 0) + 1
            for row in result:
                if counts.get(group_key(row), 0) > 1:
                    for key in keys:
                        row[key] = False
        return result


class PsaTicketSla(models.Model):
    _name = "psa.ticket.sla"
    _inherit = ["psa.ticket.sla", "psa.currency.sum.mixin"]
