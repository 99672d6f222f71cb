"""Cold-start training data for the router: real UK petitions, relabelled to Kazakh ministries.

UK Parliament e-petitions (../shared/data/uk-petitions) carry the official subject tag of a
UK government department (`primary_department`). Each department is mapped below to the
Kazakh ministry or agency with the same remit, so that the demo router starts from real
citizens' text with real institutional labels. The mapping was reviewed against the
petitions themselves (2020-22, collected through environment-related search words, so
environmental topics dominate): where a department's remit spans several Kazakh bodies, it
goes to the body that answers most of the department's petitions in this data.

Department (petitions in the data) -> Kazakh body: why.

- DEFRA (339) -> MENR: environment, plastics, pesticides, wildlife, trees, waste; farming (MA)
  is a minority
- BEIS (234) -> ME: energy bills, generation, nuclear, heating; climate targets (MENR) and
  employment law (MLSPP) are minorities
- DfT (158) -> MT: roads, rail, aviation, vehicles
- HMT (101) -> MF: taxes, VAT, duties and public spending
- DfE (80) -> MEDU: schools, curricula, teachers, children; universities (MSHE) are a minority
- DHSC (75) -> MH: health services, medicines, public health
- DLUHC (68) -> MIC: planning, building standards and housing; local-government matters (MNE)
  are a minority
- CO (39) -> ASPR: centre of government: cross-government reforms, constitutional and
  electoral questions
- FCDO (33) -> MFA: foreign policy, sanctions, aid, citizens abroad
- DCMS (32) -> MCI: culture, media, advertising and online content; sport (MTS) and
  broadband (MDDIAI) are minorities
- HO (32) -> MIA: police, crime, immigration and borders
- MoJ (22) -> MJ: courts, criminal law, legal rights
- DWP (20) -> MLSPP: benefits, pensions, employment support
- DfIT (17) -> MTI: trade deals, import rules and tariffs
- MoD (9) -> MD: armed forces and defence
- AGO (1) -> MJ: legal advice and prosecutions: Justice represents the state in law
- WO (1) -> MNE: devolution to a region: regional development and local self-government
- LHOC (3) -> none: Parliament's own business: Parliament's in Kazakhstan, not a ministry's

Each ministry's mandate paragraph is added as one more example of that ministry, which gives
the bodies that no UK department maps to (MA, MDDIAI, MES, MSHE, MTS, MWRI, ACSA) at least one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

PETITIONS_FILE = Path("uk-petitions") / "petitions.csv"
_TEXT_COLUMNS = ("action", "background", "additional_details")


@dataclass(frozen=True)
class DepartmentMapping:
    department: str  # the acronym in `primary_department`
    ministry: str | None  # a GovernmentBody code, or None: not routed to any ministry
    reason: str


DEPARTMENT_MAPPINGS: tuple[DepartmentMapping, ...] = (
    DepartmentMapping(
        "DEFRA",
        "MENR",
        "environment, plastics, pesticides, wildlife, trees, waste; farming (MA) is a minority",
    ),
    DepartmentMapping(
        "BEIS",
        "ME",
        "energy bills, generation, nuclear, heating; climate targets (MENR) and employment "
        "law (MLSPP) are minorities",
    ),
    DepartmentMapping("DfT", "MT", "roads, rail, aviation, vehicles"),
    DepartmentMapping("HMT", "MF", "taxes, VAT, duties and public spending"),
    DepartmentMapping(
        "DfE", "MEDU", "schools, curricula, teachers, children; universities (MSHE) are a minority"
    ),
    DepartmentMapping("DHSC", "MH", "health services, medicines, public health"),
    DepartmentMapping(
        "DLUHC",
        "MIC",
        "planning, building standards and housing; local-government matters (MNE) are a minority",
    ),
    DepartmentMapping(
        "CO",
        "ASPR",
        "centre of government: cross-government reforms, constitutional and electoral questions",
    ),
    DepartmentMapping("FCDO", "MFA", "foreign policy, sanctions, aid, citizens abroad"),
    DepartmentMapping(
        "DCMS",
        "MCI",
        "culture, media, advertising and online content; sport (MTS) and broadband (MDDIAI) "
        "are minorities",
    ),
    DepartmentMapping("HO", "MIA", "police, crime, immigration and borders"),
    DepartmentMapping("MoJ", "MJ", "courts, criminal law, legal rights"),
    DepartmentMapping("DWP", "MLSPP", "benefits, pensions, employment support"),
    DepartmentMapping("DfIT", "MTI", "trade deals, import rules and tariffs"),
    DepartmentMapping("MoD", "MD", "armed forces and defence"),
    DepartmentMapping(
        "AGO", "MJ", "legal advice and prosecutions: Justice represents the state in law"
    ),
    DepartmentMapping(
        "WO", "MNE", "devolution to a region: regional development and local self-government"
    ),
    DepartmentMapping(
        "LHOC", None, "Parliament's own business: Parliament's in Kazakhstan, not a ministry's"
    ),
)

MINISTRY_FOR_DEPARTMENT: dict[str, str] = {
    mapping.department: mapping.ministry
    for mapping in DEPARTMENT_MAPPINGS
    if mapping.ministry is not None
}


def petition_text(row: dict[str, str]) -> str:
    """What the citizen wrote: the petition's action, background and additional details."""
    return "\n\n".join(row[column].strip() for column in _TEXT_COLUMNS if row.get(column))


def load_seed_examples(
    shared_data_dir: Path, mandates: dict[str, str]
) -> tuple[list[str], list[str]]:
    """(texts, ministry codes): mapped petitions, then one mandate paragraph per ministry.

    `mandates` maps ministry codes to mandate paragraphs (the caller's ministries, e.g. from
    the database). Petitions of departments mapped to a code not in `mandates` are left out,
    so the labels are always ministries the caller knows.
    """
    texts: list[str] = []
    labels: list[str] = []
    with (shared_data_dir / PETITIONS_FILE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            ministry = MINISTRY_FOR_DEPARTMENT.get(row.get("primary_department") or "")
            text = petition_text(row)
            if ministry is not None and ministry in mandates and text:
                texts.append(text)
                labels.append(ministry)
    for code, mandate in sorted(mandates.items()):
        if mandate.strip():
            texts.append(mandate)
            labels.append(code)
    return texts, labels
