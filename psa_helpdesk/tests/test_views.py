# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import collections
import csv
import os

from lxml import etree

from odoo.modules.module import get_manifest, get_module_path
from odoo.tests import Form, TransactionCase, new_test_user

MODULE = "psa_helpdesk"
# Top-level elements of a data file that create or update a record by XML id
RECORD_TAGS = {"record", "template", "menuitem", "report", "act_window", "asset"}


def _file_records(path):
    """(XML id, tag, model) of each record a data file of the addon defines."""
    if path.endswith(".csv"):
        model = os.path.splitext(os.path.basename(path))[0]
        with open(path, newline="", encoding="utf-8") as csv_file:
            return [(row["id"], "csv", model) for row in csv.DictReader(csv_file)]
    if not path.endswith(".xml"):
        return []
    root = etree.parse(path).getroot()
    containers = [root, *root.findall("data")]
    return [
        (node.get("id"), node.tag, node.get("model"))
        for container in containers
        for node in container
        if node.tag in RECORD_TAGS and node.get("id")
    ]


class TestViews(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="psa_view_manager", groups="psa_helpdesk.group_psa_manager"
        )
        cls.agent = new_test_user(
            cls.env, login="psa_view_agent", groups="psa_helpdesk.group_psa_agent"
        )

    def test_team_form_support_level(self):
        """A support manager sets a team's support level and default SLA policy
        on the team form (CONFIGURE.md sends them there)."""
        with Form(self.env["helpdesk.ticket.team"].with_user(self.manager)) as form:
            self.assertIn("support_level", form._view["fields"])
            self.assertIn("psa_sla_policy_id", form._view["fields"])
            form.name = "L2 (view test)"
            form.support_level = "2"
        team = form.save()
        self.assertEqual(team.support_level, "2")

    def test_ticket_form_every_concern(self):
        """The ticket form shows what each concern of the addon adds to it:
        entitlement and environment, priority, SLA, development, resolution
        and history."""
        fields = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .get_views([(False, "form")])["models"]["helpdesk.ticket"]["fields"]
        )
        for name in (
            "psa_entitled",
            "installation_id",
            "psa_priority",
            "support_level",
            "psa_sla_status",
            "psa_sla_ids",
            "psa_problem_id",
            "psa_task_name",
            "psa_resolution",
            "psa_duplicate_candidate_ids",
            "psa_history_current",
        ):
            self.assertIn(name, fields)

    def test_one_extension_per_base_view(self):
        """The addon extends each view of another module at most once."""
        view_data = self.env["ir.model.data"].search(
            [("module", "=", MODULE), ("model", "=", "ir.ui.view")]
        )
        views = self.env["ir.ui.view"].browse(view_data.mapped("res_id"))
        per_base = collections.Counter(
            view.inherit_id.xml_id
            for view in views
            if view.mode == "extension"
            and view.inherit_id
            and not view.inherit_id.xml_id.startswith(f"{MODULE}.")
        )
        self.assertTrue(per_base)
        self.assertEqual([base for base, count in per_base.items() if count > 1], [])

    def test_demo_records_log_no_creation(self):
        """Demo records of the addon's models with a chatter are created
        without the "<model> created" note (``mail_create_nolog``): written
        while the demo loads, it would stay in English in a Spanish
        database."""
        manifest = get_manifest(MODULE)
        module_path = get_module_path(MODULE)
        noisy = []
        for rel_path in manifest["demo"]:
            tree = etree.parse(os.path.join(module_path, rel_path))
            for record in tree.iter("record"):
                model = self.env.get(record.get("model"))
                if (
                    model is not None
                    and model._original_module == MODULE
                    and "message_ids" in model._fields
                    and "mail_create_nolog" not in (record.get("context") or "")
                    and not record.get("id", "").count(".")
                ):
                    noisy.append(f"{rel_path}: {record.get('id')}")
        self.assertEqual(noisy, [])

    def test_xml_ids_unique(self):
        """No two records of the addon's data files share an XML id: a second
        record with the same id silently replaces the first (the team form
        once lost its support level that way). Demo files may only add
        fields to a demo record created earlier (e.g. link a ticket to a task
        created after it), never redefine a data record or a view."""
        manifest = get_manifest(MODULE)
        module_path = get_module_path(MODULE)
        seen = collections.defaultdict(list)
        for kind in ("data", "demo"):
            for rel_path in manifest[kind]:
                path = os.path.join(module_path, rel_path)
                for xml_id, tag, model in _file_records(path):
                    module, _dot, name = xml_id.rpartition(".")
                    if module in ("", MODULE):
                        seen[name].append((kind, rel_path, tag, model))
        self.assertGreater(len(seen), 100)
        data_duplicates = {
            name: [rel_path for _kind, rel_path, _tag, _model in records]
            for name, records in seen.items()
            if len(records) > 1 and any(rec[0] == "data" for rec in records)
        }
        self.assertEqual(data_duplicates, {})
        for name, records in seen.items():
            if len(records) > 1:
                self.assertEqual(
                    {(tag, model) for _kind, _path, tag, model in records},
                    {("record", records[0][3])},
                    f"demo record {name} redefined with another model or tag",
                )
                self.assertNotIn(records[0][3], ("ir.ui.view", "ir.ui.menu"))
