"""Write a synthetic extract of the DfE register of schools (GIAS) in its published format.

    python scripts/make_gias_sample.py                      # examples/regions/gias_sample.csv
    python scripts/make_gias_sample.py --rows 25000 --out big.csv   # a national-sized file

The schools are invented: fictional local authorities (codes 961-963, which no real LA
uses) in two real Government Office regions, with positions on the British National
Grid, pupils, free-school-meal shares, trusts and Ofsted ratings drawn to look like
England's. The *format* is the real one: Windows-1252 (cp1252) encoding, the published
column names in the published order, the ~130 columns the loader ignores, blank cells,
and the establishments a region loader must leave out (closed, independent, special,
pupil referral units, nurseries, 16-plus, colleges).

Deterministic: the same arguments write the same bytes (one numpy Generator, fixed seed).
The composition of the small sample is fixed by construction (``SAMPLE_EXTRAS`` and the
per-LA counts), so examples/regions/README.md and the tests can state its counts.
"""

from __future__ import annotations

import argparse
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The published column names, in the published order (GIAS "all establishment data").
COLUMNS = (
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
    "TypeOfEstablishment (code)", "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (code)", "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)", "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)", "ReasonEstablishmentOpened (name)", "OpenDate",
    "ReasonEstablishmentClosed (code)", "ReasonEstablishmentClosed (name)", "CloseDate",
    "PhaseOfEducation (code)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge",
    "Boarders (code)", "Boarders (name)", "NurseryProvision (name)", "OfficialSixthForm (code)",
    "OfficialSixthForm (name)", "Gender (code)", "Gender (name)", "ReligiousCharacter (code)",
    "ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)", "Diocese (name)",
    "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity",
    "SpecialClasses (code)", "SpecialClasses (name)", "CensusDate", "NumberOfPupils",
    "NumberOfBoys", "NumberOfGirls", "PercentageFSM", "TrustSchoolFlag (code)",
    "TrustSchoolFlag (name)", "Trusts (code)", "Trusts (name)", "SchoolSponsorFlag (name)",
    "SchoolSponsors (name)", "FederationFlag (name)", "Federations (code)", "Federations (name)",
    "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)", "OfstedLastInsp",
    "OfstedSpecialMeasures (code)", "OfstedSpecialMeasures (name)", "LastChangedDate", "Street",
    "Locality", "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite", "TelephoneNum",
    "HeadTitle (name)", "HeadFirstName", "HeadLastName", "HeadPreferredJobTitle",
    "BSOInspectorateName (name)", "InspectorateReport", "DateOfLastInspectionVisit",
    "NextInspectionVisit", "TeenMoth (name)", "TeenMothPlaces", "CCF (name)", "SENPRU (name)",
    "EBD (name)", "PlacesPRU", "FTProv (name)", "EdByOther (name)", "Section41Approved (name)",
    "SEN1 (name)", "SEN2 (name)", "SEN3 (name)", "SEN4 (name)", "SEN5 (name)", "SEN6 (name)",
    "SEN7 (name)", "SEN8 (name)", "SEN9 (name)", "SEN10 (name)", "SEN11 (name)",
    "SEN12 (name)", "SEN13 (name)", "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll", "ResourcedProvisionCapacity", "SenUnitOnRoll",
    "SenUnitCapacity", "GOR (code)", "GOR (name)", "DistrictAdministrative (code)",
    "DistrictAdministrative (name)", "AdministrativeWard (code)", "AdministrativeWard (name)",
    "ParliamentaryConstituency (code)", "ParliamentaryConstituency (name)", "UrbanRural (code)",
    "UrbanRural (name)", "GSSLACode (name)", "Easting", "Northing", "MSOA (name)", "LSOA (name)",
    "InspectorateName (name)", "SENStat", "SENNoStat", "BoardingEstablishment (name)",
    "PropsName", "PreviousLA (code)", "PreviousLA (name)", "PreviousEstablishmentNumber",
    "OfstedRating (name)", "Country (name)", "UPRN", "SiteName", "QABName (code)",
    "QABName (name)", "EstablishmentAccredited (code)", "EstablishmentAccredited (name)",
    "QABReport", "CHNumber", "MSOA (code)", "LSOA (code)", "FSM", "AccreditationExpiryDate",
)

# (code, name, group code, group name) of the establishment types used here.
TYPES = {
    "community": ("01", "Community school", "4", "Local authority maintained schools"),
    "voluntary_aided": ("02", "Voluntary aided school", "4", "Local authority maintained schools"),
    "voluntary_controlled": ("03", "Voluntary controlled school", "4",
                             "Local authority maintained schools"),
    "foundation": ("05", "Foundation school", "4", "Local authority maintained schools"),
    "community_special": ("07", "Community special school", "5", "Special schools"),
    "independent_special": ("10", "Other independent special school", "3", "Independent schools"),
    "independent": ("11", "Other independent school", "3", "Independent schools"),
    "pru": ("14", "Pupil referral unit", "4", "Local authority maintained schools"),
    "nursery": ("15", "Local authority nursery school", "4", "Local authority maintained schools"),
    "further_education": ("18", "Further education", "1", "Colleges"),
    "sponsor_led": ("28", "Academy sponsor led", "10", "Academies"),
    "converter": ("34", "Academy converter", "10", "Academies"),
    "free_school": ("35", "Free schools", "11", "Free Schools"),
    "special_converter": ("36", "Academy special converter", "10", "Academies"),
    "free_16_19": ("47", "Free schools 16 to 19", "11", "Free Schools"),
    "ap_converter": ("44", "Academy alternative provision converter", "10", "Academies"),
}
PHASES = {"Not applicable": "0", "Nursery": "1", "Primary": "2", "Middle deemed primary": "3",
          "Secondary": "4", "Middle deemed secondary": "5", "16 plus": "6", "All-through": "7"}
AGES = {"Nursery": (2, 5), "Primary": (4, 11), "Middle deemed primary": (8, 12),
        "Secondary": (11, 18), "Middle deemed secondary": (9, 13), "16 plus": (16, 19),
        "All-through": (4, 18), "Not applicable": (5, 16)}
URBAN = (("A1", "(England/Wales) Urban major conurbation"),
         ("B1", "(England/Wales) Urban minor conurbation"),
         ("C1", "(England/Wales) Urban city and town"))
RURAL = (("D1", "(England/Wales) Rural town and fringe"),
         ("E1", "(England/Wales) Rural village"),
         ("F1", "(England/Wales) Rural hamlet and isolated dwellings"),
         ("E2", "(England/Wales) Rural village in a sparse setting"))
GORS = {"South West": "K", "South East": "J", "East Midlands": "E", "West Midlands": "F",
        "North West": "B", "North East": "A", "Yorkshire and The Humber": "D",
        "East of England": "G", "London": "H"}
RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate", "Serious Weaknesses",
           "Special Measures", "")
RATING_P = (0.16, 0.62, 0.12, 0.015, 0.01, 0.005, 0.07)
MAT, SAT = "Supported by a multi-academy trust", "Supported by a single-academy trust"
STATUS_OPEN = ("1", "Open")


@dataclass(frozen=True)
class LA:
    """A fictional local authority: where it is and how many mainstream schools it has."""

    code: str
    name: str
    gor: str
    centre: tuple[float, float]   # BNG metres
    radius: float                 # metres: rural schools spread over this disc
    towns: tuple[str, ...]
    n_primary: int
    n_secondary: int
    fsm: float                    # the LA's mean FSM share, %


SAMPLE_LAS = (
    LA("961", "Avonmere", "South West", (352_000, 141_000), 17_000,
       ("Kingsbury", "Wyle Cross"), 74, 10, 19.0),
    LA("962", "Sedgeford", "South West", (391_000, 163_000), 14_000,
       ("Sedgeford", "Brackham", "Pilton Down"), 58, 9, 26.0),
    LA("963", "Lowen Bay", "South East", (452_000, 128_000), 12_000,
       ("Lowen", "St Aldwyn"), 52, 8, 31.0),
)
# Establishments beyond each LA's open mainstream schools: (LA index, kind, phase, status,
# count). The loader keeps the middle and all-through schools and leaves out the rest.
SAMPLE_EXTRAS = (
    (0, "community", "Middle deemed primary", "Open", 2),
    (1, "converter", "Middle deemed secondary", "Open", 1),
    (2, "sponsor_led", "All-through", "Open", 1),
    (0, "free_school", "All-through", "Open, but proposed to close", 1),
    (0, "community", "Primary", "Closed", 5),
    (1, "converter", "Secondary", "Closed", 2),
    (2, "voluntary_aided", "Primary", "Closed", 3),
    (1, "free_school", "Primary", "Proposed to open", 1),
    (0, "independent", "All-through", "Open", 3),
    (1, "independent", "Secondary", "Open", 2),
    (2, "independent_special", "Not applicable", "Open", 2),
    (0, "community_special", "Not applicable", "Open", 2),
    (1, "special_converter", "Not applicable", "Open", 2),
    (2, "community_special", "Not applicable", "Open", 1),
    (0, "pru", "Not applicable", "Open", 1),
    (2, "ap_converter", "Not applicable", "Open", 1),
    (1, "nursery", "Nursery", "Open", 2),
    (2, "free_16_19", "16 plus", "Open", 1),
    (0, "further_education", "16 plus", "Open", 1),
)
# Cells left blank on purpose, by position among the open mainstream rows of the sample:
# (column, every k-th row, offset): 3 pupils, 3 FSM, 2 positions, 1 urban-rural.
SAMPLE_BLANKS = (("NumberOfPupils", 61, 7), ("PercentageFSM", 67, 11), ("Easting", 100, 40),
                 ("UrbanRural (name)", 200, 123))
NAMES = ("Oakfield", "Meadow View", "St Anne\u2019s Church of England", "Brontë", "Hillside",
         "Ashcombe", "Riverside", "Holy Trinity", "Westgate", "Larkrise", "Beech Grove",
         "Castle Mead", "Fairholme", "Orchard", "St Peter\u2019s Catholic", "Greenway",
         "Northbrook", "Sandford", "Willowbrook", "Kingsmead")
TRUST_SUFFIXES = ("Learning Trust", "Education Trust", "Schools Partnership \u2013 Vale",
                  "Academies Trust", "Learning Partnership", "Family of Schools",
                  "Collaborative Trust", "Multi-Academy Trust")


def sample_rows(seed: int = 20240901) -> list[dict[str, str]]:
    """The rows of examples/regions/gias_sample.csv."""
    rng = np.random.default_rng(seed)
    rows = _region_rows(SAMPLE_LAS, rng, first_urn=100_000)
    for la_i, kind, phase, status, count in SAMPLE_EXTRAS:
        for _ in range(count):
            rows.append(_row(SAMPLE_LAS[la_i], kind, phase, status, rng, len(rows) + 100_000))
    _blank(rows)
    _shuffle_like_register(rows, rng)
    return rows


def national_rows(n_rows: int, seed: int = 20240902) -> list[dict[str, str]]:
    """About ``n_rows`` rows over ~150 LAs in England's nine regions (the benchmark's file)."""
    rng = np.random.default_rng(seed)
    n_las = max(1, round(n_rows / 166))
    gors = list(GORS)
    las = []
    for i in range(n_las):
        centre = (150_000 + 500_000 * rng.random(), 50_000 + 600_000 * rng.random())
        n = max(4, int(rng.normal(n_rows / n_las * 0.8, 20)))
        las.append(LA(str(801 + i), f"Shire {i + 1}", gors[i % len(gors)], centre, 15_000,
                      (f"Town {i}a", f"Town {i}b"), int(n * 0.84), max(1, int(n * 0.16)),
                      float(rng.uniform(12, 35))))
    rows = _region_rows(tuple(las), rng, first_urn=100_000)
    kinds = [k for k in SAMPLE_EXTRAS if k[3] != "Open" or k[1] not in ("community", "converter")]
    while len(rows) < n_rows:
        la_i, kind, phase, status, _ = kinds[len(rows) % len(kinds)]
        rows.append(_row(las[len(rows) % n_las], kind, phase, status, rng, len(rows) + 100_000))
    _blank(rows)
    _shuffle_like_register(rows, rng)
    return rows


def _region_rows(las: tuple[LA, ...], rng: np.random.Generator, first_urn: int) -> list[dict]:
    """The open mainstream schools of each LA, with trusts formed among its academies."""
    rows: list[dict[str, str]] = []
    for la in las:
        la_rows = []
        for phase, count in (("Primary", la.n_primary), ("Secondary", la.n_secondary)):
            academy_p = 0.45 if phase == "Primary" else 0.8
            for _ in range(count):
                academy = rng.random() < academy_p
                kind = (rng.choice(["converter", "converter", "sponsor_led"]) if academy
                        else rng.choice(["community", "community", "voluntary_aided",
                                         "voluntary_controlled", "foundation"]))
                la_rows.append(_row(la, str(kind), phase, "Open", rng,
                                    first_urn + len(rows) + len(la_rows)))
        _form_trusts(la, la_rows, rng)
        rows += la_rows
    return rows


def _row(la: LA, kind: str, phase: str, status: str, rng: np.random.Generator,
         urn: int) -> dict[str, str]:
    t_code, t_name, g_code, g_name = TYPES[kind]
    rural = rng.random() < (0.3 if phase in ("Primary", "Middle deemed primary") else 0.1)
    if rural:  # anywhere in the LA
        r, a = la.radius * np.sqrt(rng.random()), rng.uniform(0, 2 * np.pi)
        e, n = la.centre[0] + r * np.cos(a), la.centre[1] + r * np.sin(a)
        ur = RURAL[rng.integers(len(RURAL))]
        town = la.towns[rng.integers(len(la.towns))]
    else:  # around one of its towns
        k = int(rng.integers(len(la.towns)))
        angle = 2 * np.pi * k / len(la.towns) + 0.7
        tx = la.centre[0] + 0.45 * la.radius * np.cos(angle)
        ty = la.centre[1] + 0.45 * la.radius * np.sin(angle)
        e, n = tx + rng.normal(0, 2_500), ty + rng.normal(0, 2_500)
        ur = URBAN[rng.integers(len(URBAN))]
        town = la.towns[k]
    secondary = phase in ("Secondary", "Middle deemed secondary", "All-through", "16 plus")
    median = (750 if rural else 1050) if secondary else (100 if rural else 330)
    pupils = max(12, round(median * np.exp(rng.normal(0, 0.3 if secondary else 0.4))))
    fsm = float(np.clip(la.fsm + (-8 if rural else 3) + rng.normal(0, 7), 4.0, 52.0))
    name = f"{NAMES[rng.integers(len(NAMES))]} {_label(kind, phase)}"
    lo, hi = AGES[phase]
    closed = status == "Closed"
    independent = g_name == "Independent schools"
    row = dict.fromkeys(COLUMNS, "")
    row.update({
        "URN": str(urn), "LA (code)": la.code, "LA (name)": la.name,
        "EstablishmentNumber": str(2000 + urn % 7000), "EstablishmentName": f"{town} {name}",
        "TypeOfEstablishment (code)": t_code, "TypeOfEstablishment (name)": t_name,
        "EstablishmentTypeGroup (code)": g_code, "EstablishmentTypeGroup (name)": g_name,
        "EstablishmentStatus (code)": {"Open": "1", "Closed": "2",
                                       "Open, but proposed to close": "3",
                                       "Proposed to open": "4"}[status],
        "EstablishmentStatus (name)": status,
        "ReasonEstablishmentOpened (code)": "00",
        "ReasonEstablishmentOpened (name)": "Not applicable",
        "OpenDate": "01-09-2012" if kind in ("converter", "sponsor_led") else "",
        "ReasonEstablishmentClosed (code)": "01" if closed else "00",
        "ReasonEstablishmentClosed (name)": ("Result of Amalgamation/Merger" if closed
                                             else "Not applicable"),
        "CloseDate": "31-08-2019" if closed else "",
        "PhaseOfEducation (code)": PHASES[phase], "PhaseOfEducation (name)": phase,
        "StatutoryLowAge": str(lo), "StatutoryHighAge": str(hi),
        "Boarders (code)": "1", "Boarders (name)": "No boarders",
        "NurseryProvision (name)": "No Nursery Classes",
        "OfficialSixthForm (code)": "1" if hi > 16 else "2",
        "OfficialSixthForm (name)": "Has a sixth form" if hi > 16 else "Does not have a sixth form",
        "Gender (code)": "3", "Gender (name)": "Mixed",
        "ReligiousCharacter (code)": "00", "ReligiousCharacter (name)": "Does not apply",
        "ReligiousEthos (name)": "Does not apply", "Diocese (code)": "0000",
        "Diocese (name)": "Not applicable", "AdmissionsPolicy (code)": "0",
        "AdmissionsPolicy (name)": "Not applicable",
        "SchoolCapacity": str(int(pupils * 1.1)), "SpecialClasses (code)": "2",
        "SpecialClasses (name)": "No Special Classes", "CensusDate": "16-01-2025",
        "NumberOfPupils": "" if closed else str(pupils),
        "NumberOfBoys": "" if closed else str(pupils // 2),
        "NumberOfGirls": "" if closed else str(pupils - pupils // 2),
        "PercentageFSM": "" if closed or independent else f"{fsm:.1f}",
        "TrustSchoolFlag (code)": "0", "TrustSchoolFlag (name)": "Not applicable",
        "SchoolSponsorFlag (name)": "Not applicable", "FederationFlag (name)": "Not applicable",
        "UKPRN": str(10_000_000 + urn), "OfstedSpecialMeasures (code)": "0",
        "OfstedSpecialMeasures (name)": "Not applicable", "LastChangedDate": "03-02-2025",
        "Street": f"{rng.integers(1, 120)} School Lane", "Town": town,
        "County (name)": "Not applicable",
        "Postcode": f"ZZ{rng.integers(1, 99)} {rng.integers(1, 9)}AA",
        "TelephoneNum": f"01{rng.integers(100, 999)}{rng.integers(100000, 999999)}",
        "HeadTitle (name)": "Mrs" if rng.random() < 0.6 else "Mr", "HeadFirstName": "Alex",
        "HeadLastName": "Example", "HeadPreferredJobTitle": "Headteacher",
        "BSOInspectorateName (name)": "Not applicable",
        "Section41Approved (name)": "Not applicable",
        "GOR (code)": GORS[la.gor], "GOR (name)": la.gor,
        "DistrictAdministrative (code)": f"E0700{la.code}",
        "DistrictAdministrative (name)": la.name,
        "AdministrativeWard (code)": f"E05{urn:06d}", "AdministrativeWard (name)": f"{town} Ward",
        "ParliamentaryConstituency (code)": f"E14{la.code}01",
        "ParliamentaryConstituency (name)": f"{la.name} and {town}",
        "UrbanRural (code)": ur[0], "UrbanRural (name)": ur[1], "GSSLACode (name)": f"E06{la.code}",
        "Easting": str(int(round(e))), "Northing": str(int(round(n))),
        "MSOA (name)": f"{la.name} 00{urn % 9}", "LSOA (name)": f"{la.name} 00{urn % 9}A",
        "PreviousLA (code)": "999", "PreviousLA (name)": "Not applicable",
        "OfstedRating (name)": "" if closed else str(rng.choice(RATINGS, p=RATING_P)),
        "OfstedLastInsp": "" if closed else f"{rng.integers(1, 28):02d}-0{rng.integers(1, 9)}-20"
                                            f"{rng.integers(15, 24)}",
        "Country (name)": "", "UPRN": str(100_000_000 + urn),
        "MSOA (code)": f"E02{urn:06d}", "LSOA (code)": f"E01{urn:06d}",
        "FSM": "" if closed or independent else str(round(pupils * fsm / 100)),
    })
    return row


def _label(kind: str, phase: str) -> str:
    if kind in ("converter", "sponsor_led", "special_converter", "ap_converter"):
        return "Academy"
    if kind.endswith("special"):
        return "Special School"
    return {"Primary": "Primary School", "Middle deemed primary": "Middle School",
            "Middle deemed secondary": "Middle School", "Nursery": "Nursery School",
            "16 plus": "Sixth Form College", "Not applicable": "Centre"}.get(phase, "School")


def _form_trusts(la: LA, rows: list[dict], rng: np.random.Generator) -> None:
    """The LA's academies, neighbours (by town) together, join multi-academy trusts of
    2-12 schools; about one in eight stands alone (a single-academy trust)."""
    academies = sorted((r for r in rows if r["EstablishmentTypeGroup (name)"] == "Academies"),
                       key=lambda r: r["Town"])
    start, made = 0, 0
    while start < len(academies):
        size = int(min(len(academies) - start, rng.integers(2, 13)))
        code = f"{int(la.code) * 40 + made:05d}"
        made += 1
        if size == 1 or rng.random() < 0.12:
            size = 1
            _join(academies[start], code, f"{academies[start]['EstablishmentName']} Trust", SAT)
        else:
            name = f"{academies[start]['Town']} {TRUST_SUFFIXES[made % len(TRUST_SUFFIXES)]}"
            for r in academies[start:start + size]:
                _join(r, code, name, MAT)
        start += size
    for r in rows:  # a foundation school with a foundation trust (not an academy trust)
        if r["TypeOfEstablishment (name)"] == "Foundation school":
            _join(r, f"{la.code}9", f"{la.name} Foundation Trust", "Supported by a trust")
            break


def _join(row: dict, code: str, name: str, flag: str) -> None:
    row.update({"Trusts (code)": code, "Trusts (name)": name, "TrustSchoolFlag (name)": flag,
                "TrustSchoolFlag (code)": {MAT: "5", SAT: "6"}.get(flag, "1")})


def _blank(rows: list[dict]) -> None:
    """Leave cells blank as the register does (missing census or location data)."""
    open_mainstream = [r for r in rows if r["EstablishmentStatus (name)"] == "Open"
                       and r["PhaseOfEducation (name)"] in ("Primary", "Secondary")]
    for column, every, offset in SAMPLE_BLANKS:
        for r in open_mainstream[offset::every]:
            r[column] = ""
            if column == "Easting":
                r["Northing"] = ""
            if column == "UrbanRural (name)":
                r["UrbanRural (code)"] = ""


def _shuffle_like_register(rows: list[dict], rng: np.random.Generator) -> None:
    """The register lists establishments by URN; renumber after a shuffle so the order
    mixes LAs and kinds as a real extract does."""
    order = rng.permutation(len(rows))
    shuffled = [rows[i] for i in order]
    for i, r in enumerate(shuffled):
        r["URN"] = str(100_000 + 137 * i + int(rng.integers(0, 100)))
    rows[:] = shuffled


def to_bytes(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> bytes:
    """The file's bytes: cp1252, CRLF line ends, quotes only where a cell needs them."""
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore",
                            lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("cp1252")


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(root / "examples" / "regions" / "gias_sample.csv"))
    p.add_argument("--rows", type=int, default=0,
                   help="write a national-sized file of about this many rows instead")
    args = p.parse_args(argv)
    rows = national_rows(args.rows) if args.rows > 0 else sample_rows()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(to_bytes(rows))
    print(f"wrote {out}: {len(rows)} establishments, {len(COLUMNS)} columns (cp1252)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
