"""Build psa_helpdesk/README.rst from the readme/ fragments (OCA layout).

The fragments are Markdown; the subset they use (paragraphs, bullet and
numbered lists, **bold**) reads the same in reStructuredText, except inline
code, which is turned into RST literals.
"""

import re
from pathlib import Path

ADDON = Path(__file__).resolve().parent.parent / "psa_helpdesk"
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


def main():
    title = "PSA Helpdesk"
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
        path = ADDON / "readme" / fragment
        if not path.exists():
            continue
        if heading:
            out += [heading, "=" * len(heading), ""]
        out.append(to_rst(path.read_text(encoding="utf-8")))
    (ADDON / "README.rst").write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
