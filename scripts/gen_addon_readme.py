"""Build an addon's README.rst from its readme/ fragments (OCA layout):
psa_helpdesk by default, or the addon folder named as first argument.

The fragments are Markdown; the subset they use (paragraphs, bullet and
numbered lists, **bold**) reads the same in reStructuredText, except inline
code, which is turned into RST literals.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("CONTRIBUTORS.md", "Contributors"),
]


def to_rst(text):
    text = re.sub(r"(?<!`)`([^`\n]+)`(?!`)", r"``\1``", text)
    lines = []
    for line in text.splitlines():
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            title = heading.group(2)
            lines += [title, "~" * len(title)]
        else:
            lines.append(line)
    return "\n".join(lines).strip() + "\n"


def main(addon="psa_helpdesk"):
    addon_dir = ROOT / addon
    manifest = ast.literal_eval((addon_dir / "__manifest__.py").read_text())
    title = manifest["name"]
    out = [
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        ".. |license| image:: https://img.shields.io/badge/licence-AGPL--3-blue.png",
        "   :alt: License: AGPL-3",
        "",
        "|license|",
        "",
    ]
    for fragment, heading in SECTIONS:
        path = addon_dir / "readme" / fragment
        if not path.exists():
            continue
        if heading:
            out += [heading, "=" * len(heading), ""]
        out.append(to_rst(path.read_text(encoding="utf-8")))
    (addon_dir / "README.rst").write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:2])
