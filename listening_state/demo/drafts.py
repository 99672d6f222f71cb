"""Four demonstration consultations modelled on reforms in the OECD Public Governance Scan.

They are labelled as demonstration drafts in their titles and summaries; the texts live in one
module per language so that each stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass

from listening_state.demo import draft_texts_en as en
from listening_state.demo import draft_texts_kk as kk
from listening_state.demo import draft_texts_ru as ru


@dataclass(frozen=True)
class DemoDraft:
    """A draft the demo loader publishes, open for comments when it is loaded."""

    slug: str
    ministry_code: str
    language: str
    title: str
    summary: str
    markdown: str
    opened_days_ago: int
    closes_in_days: int

    @property
    def source_key(self) -> str:
        return f"demo:{self.slug}"


DEMO_DRAFTS: tuple[DemoDraft, ...] = (
    DemoDraft(
        slug="public-administration-concept-2030",
        ministry_code="MNE",
        language="ru",
        title=ru.PUBLIC_ADMINISTRATION_2030_TITLE,
        summary=ru.PUBLIC_ADMINISTRATION_2030_SUMMARY,
        markdown=ru.PUBLIC_ADMINISTRATION_2030_DRAFT,
        opened_days_ago=6,
        closes_in_days=38,
    ),
    DemoDraft(
        slug="civil-service-mobility",
        ministry_code="ACSA",
        language="en",
        title=en.MOBILITY_TITLE,
        summary=en.MOBILITY_SUMMARY,
        markdown=en.MOBILITY_DRAFT,
        opened_days_ago=3,
        closes_in_days=24,
    ),
    DemoDraft(
        slug="public-sector-innovation-strategy",
        ministry_code="MDDIAI",
        language="en",
        title=en.INNOVATION_TITLE,
        summary=en.INNOVATION_SUMMARY,
        markdown=en.INNOVATION_DRAFT,
        opened_days_ago=9,
        closes_in_days=45,
    ),
    DemoDraft(
        slug="e-qyzmet-rollout",
        ministry_code="ACSA",
        language="kk",
        title=kk.E_QYZMET_TITLE,
        summary=kk.E_QYZMET_SUMMARY,
        markdown=kk.E_QYZMET_DRAFT,
        opened_days_ago=2,
        closes_in_days=20,
    ),
)
