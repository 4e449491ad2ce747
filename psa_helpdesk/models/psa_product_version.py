# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..const import VERSION_SUPPORT_STATES

# 3, 3.2, 3.2.1, 3.2.1.4, optionally followed by a pre-release or build
# suffix: 3.2.0-rc1, 4.0-beta.2
VERSION_RE = re.compile(r"^(\d+(?:\.\d+){0,3})(?:-([0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*))?$")
_PARTS = 4
_WIDTH = 6


def version_sort_key(name):
    """Return a string that sorts like the version ``name`` (3.10 after 3.9).

    Numeric parts are zero-padded; a version with a suffix (``3.2.0-rc1``)
    sorts before the same version without it, as pre-releases do.
    Returns ``False`` for a malformed name.
    """
    match = VERSION_RE.match((name or "").strip())
    if not match:
        return False
    numbers = [int(n) for n in match.group(1).split(".")]
    numbers += [0] * (_PARTS - len(numbers))
    key = ".".join(str(n).zfill(_WIDTH) for n in numbers)
    suffix = match.group(2)
    # '-' sorts before '~': pre-releases come before the release itself
    return f"{key}-{suffix.lower()}" if suffix else f"{key}~"


class PsaProductVersion(models.Model):
    """A released version of a product."""

    _name = "psa.product.version"
    _inherit = ["psa.system.fields.mixin"]
    _description = "Product version"
    _order = "product_id, version_key desc, id desc"
    _rec_names_search = ["name", "product_id.code", "product_id.name"]
    # derived from the name: the order of versions
    _psa_system_fields = ("version_key",)

    product_id = fields.Many2one(
        "psa.product", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(
        string="Version",
        required=True,
        help="Version number such as 3.2.1 (up to four numbers, optionally "
        "followed by a suffix such as -rc1).",
    )
    version_key = fields.Char(
        compute="_compute_version_key",
        store=True,
        index=True,
        help="Technical key that sorts versions as versions: 3.10 after 3.9.",
    )
    release_date = fields.Date()
    support_state = fields.Selection(
        VERSION_SUPPORT_STATES,
        default="supported",
        required=True,
        help="Supported: fully maintained. Deprecated: still supported, customers "
        "should plan an upgrade. End of life: no more fixes.",
    )
    notes = fields.Text(string="Release notes")
    company_id = fields.Many2one(related="product_id.company_id", store=True)
    active = fields.Boolean(default=True)
    installation_count = fields.Integer(compute="_compute_installation_count")

    _sql_constraints = [
        (
            "name_product_uniq",
            "unique(product_id, name)",
            "This version already exists for the product.",
        )
    ]

    @api.depends("name")
    def _compute_version_key(self):
        for version in self:
            version.version_key = version_sort_key(version.name)

    def _compute_installation_count(self):
        counts = dict(
            self.env["psa.installation"]._read_group(
                [("version_id", "in", self.ids)], ["version_id"], ["__count"]
            )
        )
        for version in self:
            version.installation_count = counts.get(version, 0)

    @api.depends("product_id.code")
    @api.depends_context("psa_version_short_name")
    def _compute_display_name(self):
        short = self.env.context.get("psa_version_short_name")
        for version in self:
            if short or not version.product_id:
                version.display_name = version.name
            else:
                version.display_name = f"{version.product_id.code} {version.name}"

    @api.constrains("name")
    def _check_name(self):
        for version in self:
            if not version_sort_key(version.name):
                raise ValidationError(
                    self.env._(
                        "“%(name)s” is not a valid version number. Use numbers "
                        "separated by dots, such as 3.2 or 3.2.1 (up to four "
                        "numbers), optionally followed by a suffix such as -rc1.",
                        name=version.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name"):
                vals["name"] = vals["name"].strip()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("name"):
            vals["name"] = vals["name"].strip()
        return super().write(vals)

    def _is_older_than(self, other):
        """True if this version is strictly older than ``other``."""
        self.ensure_one()
        other.ensure_one()
        return self.version_key < other.version_key
