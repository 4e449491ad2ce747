# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import AccessError


class PsaSystemFieldsMixin(models.AbstractModel):
    """Fields that only the application writes (``_psa_system_fields``):
    values derived from others (a stored compute: they follow their inputs,
    never a hand), and the traces of an action (who delivered an upgrade and
    when, which customers were told about a fix, whether a contract was
    confirmed).

    A field being ``readonly`` in the views does not stop a create or write
    over RPC, an import or a script; this does. Such a field is set by the
    action that owns it, which checks the user's right to do the action
    first and then writes it with ``sudo()``; a create or write outside
    superuser mode that carries one of these fields is refused, whatever
    the user's rights on the model."""

    _name = "psa.system.fields.mixin"
    _description = "PSA fields written by the application only"

    # names of the fields only the application writes
    _psa_system_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        self._psa_check_system_fields(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._psa_check_system_fields([vals])
        return super().write(vals)

    @api.model
    def _psa_check_system_fields(self, vals_list):
        if self.env.su:
            return
        names = {
            fname
            for vals in vals_list
            for fname in vals
            if fname in self._psa_system_fields
        }
        if names:
            raise AccessError(
                self.env._(
                    "%(fields)s of %(model)s are set by the application, not "
                    "by hand: use the action that changes them.",
                    fields=", ".join(
                        sorted(
                            self._fields[fname]._description_string(self.env)
                            for fname in names
                        )
                    ),
                    # sudo: the model's name, for the message only
                    model=self.env["ir.model"]._get(self._name).sudo().name,
                )
            )
