"""A draft document written in Markdown, split into sections at its `## ` headings."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from listening_state.sanitize import clean_line
from listening_state.services.errors import ValidationFailed

SECTION_MARKER = "## "
MAX_HEADING = 300


@dataclass(frozen=True)
class DraftSection:
    heading: str
    body: str


def split_draft(markdown: str) -> list[DraftSection]:
    """Sections in order; each starts with a line `## Heading`."""
    sections: list[DraftSection] = []
    heading: str | None = None
    body: list[str] = []
    preamble: list[str] = []
    for line in markdown.replace("\r\n", "\n").split("\n"):
        if line.startswith(SECTION_MARKER) and line[len(SECTION_MARKER) :].strip():
            if heading is not None:
                sections.append(DraftSection(heading, "\n".join(body).strip()))
            heading, body = clean_line(line[len(SECTION_MARKER) :])[:MAX_HEADING], []
        elif heading is None:
            preamble.append(line)
        else:
            body.append(line)
    if heading is not None:
        sections.append(DraftSection(heading, "\n".join(body).strip()))
    if "".join(preamble).strip() or not sections:
        raise ValidationFailed(
            {
                "draft": [
                    str(
                        _l(
                            "Start the draft, and each of its sections, with a line "
                            "beginning with '## ' followed by the section heading."
                        )
                    )
                ]
            }
        )
    return sections


def join_draft(sections: list[DraftSection]) -> str:
    """The Markdown a ministry edits, rebuilt from stored sections."""
    return "\n\n".join(f"{SECTION_MARKER}{s.heading}\n\n{s.body}".rstrip() for s in sections) + "\n"
