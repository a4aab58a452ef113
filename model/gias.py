"""Real regions: a `Region` read from the DfE register of schools ("Get Information about
Schools", GIAS), so any policy runs on a local authority's actual schools.

``load_gias(path, la=None, gor=None, attainment=None)`` reads the register's
all-establishments CSV as published (Windows-1252; UTF-8 is accepted too), by column
name, so column order and the ~130 columns it does not use do not matter.

Which establishments become schools (each row is counted under the first rule it fails):

1. ``closed``: status other than "Open" or "Open, but proposed to close" (closed, and
   "Proposed to open").
2. ``independent_or_other``: a type group other than "Local authority maintained
   schools", "Academies", "Free Schools" and "Special schools": independent schools,
   colleges, universities, other types, Welsh establishments, online providers.
3. ``special``: a special school (the "Special schools" group, or a type whose name
   contains "special", e.g. "Academy special converter").
4. ``alternative_provision``: pupil referral units and alternative-provision academies
   and free schools.
5. ``other_phase``: a phase other than primary or secondary (nursery, 16 plus, not
   applicable). "Middle deemed primary" counts as primary; "Middle deemed secondary" and
   "All-through" count as secondary (their size and staffing are a secondary's).
6. ``outside_filter``: not in the LAs (``la``: codes or names) or the Government Office
   region (``gor``) asked for.

The model has no special, alternative-provision or independent sector, so those are left
out rather than forced into a mainstream mould. What a school becomes:

- position: ``Easting``/``Northing`` (British National Grid, metres) in km;
- phase: as above; pupils: ``NumberOfPupils``; disadvantage: ``PercentageFSM`` / 100;
- rural: the ``UrbanRural (name)`` class contains "rural" (both the 2011 "(England/Wales)
  Rural village" and the 2021 "Smaller rural: ..." wordings);
- governance: maintained for the LA-maintained group (a foundation school's trust is not
  an academy trust); for academies and free schools, a trust academy when
  ``TrustSchoolFlag (name)`` says "multi-academy trust" (without that column: when its
  ``Trusts (code)`` is shared by two or more open state-funded establishments in the
  file), else a standalone academy. Trust codes become the region's trust index, LA
  codes its LA index (both in code order), GOR names its regions (in name order);
- an LA's centre is its schools' pupil-weighted mean position;
- known grade: ``OfstedRating (name)`` when the column is there (Outstanding, Good,
  Requires improvement; Inadequate, Serious Weaknesses and Special Measures are
  inadequate; blank and "Insufficient evidence" are unknown);
- known attainment (``attainment``: a KS2 school-level performance table keyed by
  ``URN``): ``PTRWM_EXP``, the share reaching the expected standard in reading, writing
  and maths ("65%" or "65"; suppression codes such as SUPP, NE, LOWCOV are unknown).

Missing values are imputed and counted: pupils (blank or 0) by the LA's median for the
phase, else the register's median for the phase; FSM by the LA's median, else the
register's; a position (blank, or 0,0) by the LA's median easting and northing, else the
register's; urban-rural by the LA's majority, else the register's. Medians are taken over
the file's open state-funded mainstream schools before the LA/GOR filter, so a school
gets the same value whichever filter selects it. Positions outside Great Britain
(easting 0-700,000 m, northing 0-1,300,000 m) are refused.

Schools are ordered by URN, so the result does not depend on row or column order, and
loads are cached per (file, size, modification time, filters) in-process: a batch parses
the file once per worker. The arrays of a loaded region are read-only (runs share it).
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from clustersim.model.errors import UserError
from clustersim.model.region_table import (
    FSM_MEAN,
    LA_MAINTAINED,
    PRIMARY,
    PUPILS_MEDIAN,
    SECONDARY,
    STANDALONE_ACADEMY,
    TRUST_ACADEMY,
    Region,
)
from clustersim.model.schema import Grade

if TYPE_CHECKING:
    from clustersim.model.param_values import Params

URN, LA_CODE, LA_NAME, NAME = "URN", "LA (code)", "LA (name)", "EstablishmentName"
STATUS, TYPE, GROUP = "EstablishmentStatus (name)", "TypeOfEstablishment (name)", \
    "EstablishmentTypeGroup (name)"
PHASE, PUPILS, FSM = "PhaseOfEducation (name)", "NumberOfPupils", "PercentageFSM"
URBAN_RURAL, EASTING, NORTHING = "UrbanRural (name)", "Easting", "Northing"
TRUST_CODE, TRUST_NAME, TRUST_FLAG = "Trusts (code)", "Trusts (name)", "TrustSchoolFlag (name)"
GOR, RATING = "GOR (name)", "OfstedRating (name)"
REQUIRED = (URN, LA_CODE, LA_NAME, NAME, STATUS, TYPE, GROUP, PHASE, PUPILS, FSM, URBAN_RURAL,
            EASTING, NORTHING, TRUST_CODE)
OPTIONAL = (TRUST_NAME, TRUST_FLAG, GOR, RATING)

OPEN = ("Open", "Open, but proposed to close")
MAINSTREAM_GROUPS = ("Local authority maintained schools", "Academies", "Free Schools")
SPECIAL_GROUP = "Special schools"
PHASES = {"Primary": PRIMARY, "Middle deemed primary": PRIMARY, "Secondary": SECONDARY,
          "Middle deemed secondary": SECONDARY, "All-through": SECONDARY,
          "All through": SECONDARY}
# the register's Ofsted ratings as the model's grade codes (model.schema.Grade)
GRADES = {"outstanding": Grade.OUTSTANDING, "good": Grade.GOOD,
          "requires improvement": Grade.RI, "inadequate": Grade.INADEQUATE,
          "serious weaknesses": Grade.INADEQUATE, "special measures": Grade.INADEQUATE}
EXCLUSIONS = ("closed", "independent_or_other", "special", "alternative_provision", "other_phase",
              "outside_filter")
IMPUTED = ("pupils", "fsm", "position", "urban_rural")
GB_EASTING, GB_NORTHING = (0, 700_000), (0, 1_300_000)  # British National Grid, metres
KS2_URN, KS2_RWM = "URN", "PTRWM_EXP"
CACHE_SIZE = 8


class RegionError(UserError):
    """Bad region input; ``key`` is the config key at fault (region, la, gor, attainment)."""

    def __init__(self, key: str, detail: str):
        super().__init__(f"{key}: {detail}")
        self.key, self.detail = key, detail


@dataclass(frozen=True)
class GiasReport:
    """What a load kept, left out and filled in (for the manifest and the console)."""

    source: str
    rows: int
    schools: int
    primary: int
    secondary: int
    las: tuple[str, ...]                     # "code name" of each LA, in the region's order
    gors: tuple[str, ...]
    trusts: int
    excluded: dict[str, int] = field(default_factory=dict)
    imputed: dict[str, int] = field(default_factory=dict)
    grades_known: int = 0
    attainment: str | None = None
    attainment_known: int = 0

    def line(self) -> str:
        """One line for the console."""
        filled = ", ".join(f"{k} {v}" for k, v in self.imputed.items() if v) or "none"
        left = sum(self.excluded.values())
        att = (f"; KS2 attainment for {self.attainment_known}" if self.attainment else "")
        las = f"{len(self.las)} LA" + "s" * (len(self.las) != 1)
        return (f"region {Path(self.source).name}: {self.schools} schools ({self.primary} "
                f"primary, {self.secondary} secondary) in {las}, "
                f"{self.trusts} trusts; {left} of {self.rows} rows left out; "
                f"imputed: {filled}; Ofsted grades for {self.grades_known}{att}")

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "rows": self.rows, "schools": self.schools,
                "primary": self.primary, "secondary": self.secondary, "las": list(self.las),
                "gors": list(self.gors), "trusts": self.trusts, "excluded": dict(self.excluded),
                "imputed": dict(self.imputed), "grades_known": self.grades_known,
                "attainment": self.attainment, "attainment_known": self.attainment_known}


@dataclass(frozen=True)
class Register:
    """Who a loaded region's schools are (for tables and maps) and how they were read."""

    urn: np.ndarray                  # int64 per school
    name: tuple[str, ...]            # per school
    la_code: tuple[str, ...]         # per LA index
    la_name: tuple[str, ...]
    region_name: tuple[str, ...]     # per region index (GOR names)
    trust_code: tuple[str, ...]      # per trust index
    trust_name: tuple[str, ...]
    report: GiasReport


_CACHE: dict[tuple, Region] = {}


def load_gias(path: str | os.PathLike, la: Any = None, gor: str | None = None,
              attainment: str | os.PathLike | None = None) -> Region:
    """A `Region` of the open state-funded primary and secondary schools in a GIAS file.

    Args:
        path: the register's all-establishments CSV (cp1252 or UTF-8).
        la: LA codes or names to keep (one or a list; names case-insensitive); None: all.
        gor: a Government Office region name to keep (case-insensitive); None: all.
        attainment: a KS2 school-level table with ``URN`` and ``PTRWM_EXP``; optional.

    Returns a cached, read-only `Region` whose ``register`` holds names, codes and the
    `GiasReport`. Raises `RegionError` (a `UserError`) naming the key and the value.
    """
    las = _la_list(la)
    gor = None if gor is None else str(gor).strip()
    key = (_stamp("region", path), las, gor and gor.lower(),
           None if attainment is None else _stamp("attainment", attainment))
    if key not in _CACHE:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        table = _parse(*key[0])
        known = None if attainment is None else _read_attainment(*key[3])
        _CACHE[key] = _build(table, las, gor, known, None if attainment is None
                             else str(attainment))
    return _CACHE[key]


def _stamp(key: str, path) -> tuple[str, int, int]:
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise RegionError(key, f"cannot read {path} ({exc.strerror})") from None
    if not p.is_file():
        raise RegionError(key, f"{path} is not a file")
    return str(p.resolve()), st.st_mtime_ns, st.st_size


def _la_list(la: Any) -> tuple[str, ...]:
    """LA codes or names from one value, a list, or a string "a+b" (as policies are)."""
    if la is None:
        return ()
    items = la.split("+") if isinstance(la, str) else [la] if isinstance(la, int) else list(la)
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
            raise RegionError("la", f"{item!r} is not an LA code or name")
        out.append(str(item).strip())
    return tuple(out)


def _decode(raw: bytes, key: str, path: str) -> str:
    # latin-1 last: it decodes any byte, so a real extract holding one of the five bytes
    # cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) still loads
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise RegionError(key, f"{path} is not a text CSV file (neither cp1252 nor UTF-8)")


def _header(text: str, key: str, path: str) -> list[str]:
    try:
        first = text[:text.find("\n")] if "\n" in text[:1_000_000] else text[:1_000_000]
        return [c.strip() for c in next(csv.reader(io.StringIO(first)))]
    except (StopIteration, csv.Error):
        raise RegionError(key, f"{path} is empty or not a CSV file") from None


NUMERIC = (URN, PUPILS, FSM, EASTING, NORTHING)


@dataclass
class _Table:
    """A parsed file: its open state-funded mainstream rows in URN order, values filled
    in (file-wide medians), and the file-wide facts the filters and the report need."""

    source: str
    rows: int
    excluded: dict[str, int]
    has: frozenset[str]              # optional columns present
    all_las: dict[str, str]          # code -> name over every row
    all_gors: tuple[str, ...]
    text: dict[str, np.ndarray]      # kept rows: LA code, name, group, trust code/name, GOR
    urn: np.ndarray
    phase: np.ndarray
    pupils: np.ndarray
    fsm: np.ndarray                  # %
    east: np.ndarray                 # m
    north: np.ndarray
    rural: np.ndarray
    mat: np.ndarray                  # in a multi-academy trust (before the academy check)
    grade: np.ndarray | None
    missing: dict[str, np.ndarray]   # which kept rows had each field imputed


_PARSED: dict[tuple, _Table] = {}


def _per_value(values: np.ndarray, fn, dtype) -> np.ndarray:
    """``fn`` applied to each distinct value once (the register repeats a few hundred
    distinct category strings over tens of thousands of rows)."""
    import pandas as pd

    codes, uniques = pd.factorize(values)
    return np.array([fn(u) for u in uniques] + [fn("")], dtype)[codes]


def _number(values) -> np.ndarray:
    """Floats from a column (NaN where blank or not a number, e.g. "SUPP")."""
    import pandas as pd

    series = pd.Series(values)
    if series.dtype.kind in "if":
        return series.to_numpy(float, copy=True)
    text = series.astype(str).str.strip().str.rstrip("%")
    return pd.to_numeric(text, errors="coerce").to_numpy(float, copy=True)


def _parse(source: str, mtime: int, size: int) -> _Table:
    stamp = (source, mtime, size)
    if stamp in _PARSED:
        return _PARSED[stamp]
    import pandas as pd

    text = _decode(Path(source).read_bytes(), "region", source)
    header = _header(text, "region", source)
    missing = [c for c in REQUIRED if c not in header]
    if len(missing) > len(REQUIRED) // 2:
        raise RegionError("region", f"{source} is not a GIAS establishments extract: its header "
                          f"lacks {', '.join(missing[:4])} (expected the register's columns, "
                          f"e.g. {URN}, {LA_CODE}, {STATUS})")
    if missing:
        raise RegionError("region", f"{source} has no {missing[0]!r} column (required: "
                          f"{', '.join(REQUIRED)})")
    wanted = [c for c in (*REQUIRED, *OPTIONAL) if c in header]
    try:
        df = pd.read_csv(io.StringIO(text), usecols=wanted, keep_default_na=False,
                         dtype={c: str for c in wanted if c not in NUMERIC},
                         na_values={c: [""] for c in NUMERIC}, skipinitialspace=True)
    except (ValueError, pd.errors.ParserError) as exc:
        raise RegionError("region", f"{source} cannot be read as CSV "
                          f"({str(exc).splitlines()[0]})") from None
    col = {c: _per_value(df[c].to_numpy(object), str.strip, object)
           for c in wanted if c not in NUMERIC}
    lower = {c: _per_value(col[c], str.lower, object) for c in (TYPE, URBAN_RURAL)}
    tests = (_per_value(col[STATUS], lambda v: v not in OPEN, bool),
             _per_value(col[GROUP], lambda v: v not in (*MAINSTREAM_GROUPS, SPECIAL_GROUP), bool),
             (col[GROUP] == SPECIAL_GROUP) | _per_value(lower[TYPE], lambda v: "special" in v,
                                                        bool),
             _per_value(lower[TYPE], lambda v: "alternative provision" in v
                        or "pupil referral" in v, bool),
             _per_value(col[PHASE], lambda v: v not in PHASES, bool))
    reason = np.full(len(df), -1)
    for i, failed in enumerate(tests):
        reason[(reason < 0) & failed] = i
    excluded = {EXCLUSIONS[i]: int((reason == i).sum()) for i in range(len(tests))}
    urn = _number(df[URN])
    kept = np.flatnonzero(reason < 0)
    if np.isnan(urn[kept]).any():
        bad = df[URN].to_numpy(object)[kept][np.isnan(urn[kept])][0]
        raise RegionError("region", f"URN {bad!r} is not a number in {source}")
    order = kept[np.argsort(urn[kept], kind="stable")]
    la = pd.factorize(col[LA_CODE][order])[0]
    phase = _per_value(col[PHASE][order], lambda v: PHASES.get(v, PRIMARY), np.int8)

    pupils = _number(df[PUPILS])[order]
    pupils[pupils <= 0] = np.nan
    fsm = _number(df[FSM])[order]
    fsm[(fsm < 0) | (fsm > 100)] = np.nan
    east, north = _number(df[EASTING])[order], _number(df[NORTHING])[order]
    # the register writes 0 for an unknown coordinate; 0 is off the map either way
    no_place = np.isnan(east) | np.isnan(north) | (east == 0) | (north == 0)
    east[no_place], north[no_place] = np.nan, np.nan
    rural = _per_value(lower[URBAN_RURAL][order], lambda v: 1.0 if "rural" in v else
                       0.0 if "urban" in v else np.nan, float)
    gaps = {"pupils": np.isnan(pupils), "fsm": np.isnan(fsm), "position": no_place,
            "urban_rural": np.isnan(rural)}
    for ph in (PRIMARY, SECONDARY):
        m = phase == ph
        pupils[m] = _impute(pupils[m], la[m], PUPILS_MEDIAN[(ph, False)])

    if TRUST_FLAG in col:
        mat = _per_value(col[TRUST_FLAG][order], lambda v: "multi-academy" in v.lower(), bool)
    else:  # a trust code shared by 2+ open mainstream schools
        codes = col[TRUST_CODE]
        shared = pd.Series(codes[(~tests[0]) & np.isin(col[GROUP], MAINSTREAM_GROUPS)
                                 & (codes != "")]).value_counts()
        mat = pd.Series(codes[order]).map(shared).fillna(0).to_numpy() >= 2
    table = _Table(
        source=source, rows=len(df), excluded=excluded,
        has=frozenset(c for c in OPTIONAL if c in col),
        all_las=dict(zip(col[LA_CODE].tolist(), col[LA_NAME].tolist(), strict=True)),
        all_gors=tuple(sorted(set(col[GOR].tolist()) - {""})) if GOR in col else (),
        text={c: col[c][order] for c in (LA_CODE, NAME, GROUP, TRUST_CODE, TRUST_NAME, GOR)
              if c in col},
        urn=urn[order].astype(np.int64), phase=phase, pupils=pupils,
        fsm=_impute(fsm, la, 100 * FSM_MEAN), east=_impute(east, la, np.nan),
        north=_impute(north, la, np.nan), rural=_impute(rural, la, 0.0) >= 0.5, mat=mat,
        grade=(_per_value(col[RATING][order], lambda v: GRADES.get(v.lower(), -1), np.int8)
               if RATING in col else None),
        missing=gaps)
    _PARSED.clear()  # one parsed file at a time is enough (a national file is ~50 MB)
    _PARSED[stamp] = table
    return table


def _natural(code: str) -> tuple:
    """Codes in number order when they are numbers ("873" before "1000"), else by text."""
    return (0, int(code), "") if code.isdigit() else (1, 0, code)


def _impute(values: np.ndarray, groups: np.ndarray, fallback: float) -> np.ndarray:
    """Fill NaN with the median of the value's group (its LA, as integer labels), else
    of all values, else ``fallback``."""
    import pandas as pd

    out = values.copy()
    missing = np.isnan(out)
    if not missing.any():
        return out
    overall = float(np.median(out[~missing])) if (~missing).any() else fallback
    medians = pd.Series(out).groupby(groups).median()     # NaN for a group with none known
    fill = medians.reindex(groups[missing]).to_numpy(float)
    out[missing] = np.where(np.isnan(fill), overall, fill)
    return out


def _build(t: _Table, las: tuple[str, ...], gor: str | None, known_rwm: dict | None,
           attainment: str | None) -> Region:
    sel = _select(t, las, gor)                 # ascending: URN order
    code = t.text[LA_CODE][sel]
    _check_gb(t.source, t.urn[sel], t.east[sel], t.north[sel])
    la_codes = sorted(set(code.tolist()), key=_natural)
    la_index = {k: i for i, k in enumerate(la_codes)}
    la = _per_value(code, lambda v: la_index.get(v, -1), np.int64)
    x, y, w = t.east[sel] / 1000.0, t.north[sel] / 1000.0, t.pupils[sel]
    la_centre = np.column_stack([np.bincount(la, w * x) / np.bincount(la, w),
                                 np.bincount(la, w * y) / np.bincount(la, w)])
    gor_names, la_region = _regions(t, sel, la, len(la_codes))
    governance, trust, trust_codes, trust_names = _governance(t, sel)
    grade = None if t.grade is None else t.grade[sel]
    urns = t.urn[sel]
    rwm = None
    if known_rwm is not None:
        rwm = np.array([known_rwm.get(u, np.nan) for u in urns.tolist()], float)
    phase = t.phase[sel]
    report = GiasReport(
        source=t.source, rows=t.rows, schools=len(sel),
        primary=int((phase == PRIMARY).sum()), secondary=int((phase == SECONDARY).sum()),
        las=tuple(f"{k} {t.all_las[k]}" for k in la_codes), gors=gor_names,
        trusts=len(trust_codes),
        excluded={**t.excluded, "outside_filter": len(t.urn) - len(sel)},
        imputed={k: int(m[sel].sum()) for k, m in t.missing.items()},
        grades_known=0 if grade is None else int((grade >= 0).sum()),
        attainment=attainment,
        attainment_known=0 if rwm is None else int((~np.isnan(rwm)).sum()))
    region = Region(
        la=la, x=x, y=y, phase=phase, pupils=np.maximum(1, np.round(w)).astype(np.int64),
        rural=t.rural[sel], fsm=np.clip(t.fsm[sel] / 100.0, 0.0, 1.0), governance=governance,
        trust=trust, la_centre=la_centre, la_region=la_region, grade=grade, rwm=rwm,
        register=Register(urn=urns, name=tuple(t.text[NAME][sel].tolist()),
                          la_code=tuple(la_codes),
                          la_name=tuple(t.all_las[k] for k in la_codes),
                          region_name=gor_names, trust_code=trust_codes,
                          trust_name=trust_names, report=report))
    for name in ("la", "x", "y", "phase", "pupils", "rural", "fsm", "governance", "trust",
                 "la_centre", "la_region", "grade", "rwm"):
        if getattr(region, name) is not None:
            getattr(region, name).setflags(write=False)
    region.register.urn.setflags(write=False)
    return region


def _select(t: _Table, las: tuple[str, ...], gor: str | None) -> np.ndarray:
    """Indices of the kept rows in the LAs and GOR asked for."""
    code = t.text[LA_CODE]
    mask = np.ones(len(code), bool)
    file = Path(t.source).name
    if las:
        by_code = {k.lower(): k for k in t.all_las}
        by_name = {v.lower(): k for k, v in t.all_las.items()}
        chosen = set()
        for item in las:
            hit = by_code.get(item.lower()) or by_name.get(item.lower())
            if hit is None:
                some = sorted(t.all_las, key=_natural)
                shown = ", ".join(f"{k} {t.all_las[k]}" for k in some[:5])
                raise RegionError("la", f"{item!r} is not an LA code or name in {file}; it has "
                                  f"{len(some)} LAs, e.g. {shown}")
            chosen.add(hit)
        mask &= _per_value(code, lambda v: v in chosen, bool)
    if gor:
        if GOR not in t.has:
            raise RegionError("gor", f"{file} has no {GOR!r} column to filter by")
        names = {g.lower(): g for g in t.all_gors}
        if gor.lower() not in names:
            raise RegionError("gor", f"{gor!r} is not a region in {file}; allowed: "
                              f"{', '.join(t.all_gors)}")
        mask &= t.text[GOR] == names[gor.lower()]
    sel = np.flatnonzero(mask)
    if not len(sel):
        key = "la" if las else "gor" if gor else "region"
        asked = (f" in {', '.join(las)}" if las else "") + (f" in {gor}" if gor else "")
        left = ", ".join(f"{k} {v}" for k, v in t.excluded.items() if v)
        raise RegionError(key, f"no open state-funded primary or secondary school{asked} in "
                          f"{file} (left out: {left or 'none'})")
    return sel


def _check_gb(source: str, urn: np.ndarray, east: np.ndarray, north: np.ndarray) -> None:
    for column, v, (lo, hi) in ((EASTING, east, GB_EASTING), (NORTHING, north, GB_NORTHING)):
        if np.isnan(v).any():
            raise RegionError("region", f"no {column} in {Path(source).name} for URN "
                              f"{urn[np.isnan(v)][0]} nor any school in its LA or the file")
        bad = (v < lo) | (v > hi)
        if bad.any():
            i = np.flatnonzero(bad)[0]
            raise RegionError("region", f"{column} {v[i]:g} of URN {urn[i]} is outside Great "
                              f"Britain (British National Grid metres: easting "
                              f"{GB_EASTING[0]}-{GB_EASTING[1]}, northing "
                              f"{GB_NORTHING[0]}-{GB_NORTHING[1]})")


def _regions(t: _Table, order: np.ndarray, la: np.ndarray,
             n_las: int) -> tuple[tuple[str, ...], np.ndarray]:
    """Each LA's Government Office region (its schools' most common GOR), indexed by name."""
    if GOR not in t.has:
        return (), np.zeros(n_las, np.int64)
    gor = t.text[GOR][order]
    per_la = [Counter(gor[la == i].tolist()).most_common() for i in range(n_las)]
    chosen = [min(counts, key=lambda kv: (-kv[1], kv[0]))[0] for counts in per_la]
    names = tuple(sorted(set(chosen)))
    return names, np.array([names.index(g) for g in chosen], np.int64)


def _governance(t: _Table, order: np.ndarray):
    """Governance per school, trust index (-1 none) and the trusts' codes and names."""
    group, code = t.text[GROUP][order], t.text[TRUST_CODE][order]
    academy = group != "Local authority maintained schools"
    mat = t.mat[order] & academy & (code != "")
    governance = np.where(mat, TRUST_ACADEMY,
                          np.where(academy, STANDALONE_ACADEMY, LA_MAINTAINED)).astype(np.int8)
    codes = tuple(sorted(set(code[mat].tolist()), key=_natural))
    index = {k: i for i, k in enumerate(codes)}
    trust = np.where(mat, _per_value(code, lambda v: index.get(v, -1), np.int32), -1)
    trust = trust.astype(np.int32)
    names = dict(zip(code[mat].tolist(), (t.text[TRUST_NAME][order][mat] if TRUST_NAME in t.has
                                          else code[mat]).tolist(), strict=True))
    return governance, trust, codes, tuple(names[k] for k in codes)


_KS2: dict[tuple, dict[int, float]] = {}


def _read_attainment(source: str, mtime: int, size: int) -> dict[int, float]:
    """URN -> KS2 reading, writing and maths expected-standard share (%), where published."""
    stamp = (source, mtime, size)
    if stamp not in _KS2:
        import pandas as pd

        text = _decode(Path(source).read_bytes(), "attainment", source)
        header = _header(text, "attainment", source)
        for column in (KS2_URN, KS2_RWM):
            if column not in header:
                raise RegionError("attainment", f"{source} has no {column!r} column (expected a "
                                  f"KS2 school-level table: {KS2_URN} and {KS2_RWM}, the share "
                                  "at the expected standard in reading, writing and maths)")
        df = pd.read_csv(io.StringIO(text), dtype=str, usecols=[KS2_URN, KS2_RWM],
                         keep_default_na=False, na_filter=False)
        urn, value = _number(df[KS2_URN].str.strip()), _number(df[KS2_RWM].str.strip())
        ok = ~np.isnan(urn) & ~np.isnan(value)
        bad = ok & ((value < 0) | (value > 100))
        if bad.any():
            i = np.flatnonzero(bad)[0]
            raise RegionError("attainment", f"{KS2_RWM} {value[i]:g} of URN {urn[i]:.0f} is not "
                              "a percentage (0-100)")
        _KS2.clear()
        _KS2[stamp] = dict(zip(urn[ok].astype(np.int64).tolist(), value[ok].tolist(),
                               strict=True))
    return _KS2[stamp]


def condition_on_known(mean: np.ndarray, sd: float | np.ndarray, region: Region, p: Params,
                       rng: np.random.Generator) -> np.ndarray:
    """Draw each school's effectiveness level (SD) from its prior N(mean, sd^2) given what
    the register knows about it, so a loaded region starts where its schools are.

    - KS2 attainment (``region.rwm``, %): under the attainment model (probit of level
      + offset - FSM gap, plus a cohort effect of SD cohort_noise / sqrt(cohort)), the
      observed share is a noisy reading of the level; a Gaussian update shrinks it toward
      the prior, more for small cohorts.
    - Ofsted grade (``region.grade``): the grade says the judged level (level + inspection
      noise) lies between two cut points; the judged level is drawn from its truncated
      normal and the level from its normal given that judgement (exact conditioning).

    Schools with nothing known get a plain draw from the prior; the stream's use does not
    depend on what is known (n normals, then n uniforms and n normals if grades exist).
    """
    from clustersim.model.mechanisms.attainment import COHORT_YEARS, FSM_CENTRE
    from scipy.special import ndtr, ndtri

    n = region.n
    m = np.broadcast_to(np.asarray(mean, float), (n,)).copy()
    v = np.broadcast_to(np.asarray(sd, float) ** 2, (n,)).copy()
    if region.rwm is not None:
        known = ~np.isnan(region.rwm)
        share = np.clip(np.nan_to_num(region.rwm, nan=50.0) / 100.0, 0.005, 0.995)
        observed = (ndtri(share) - p.attain_offset_rwm
                    + p.fsm_pupil_gap * (region.fsm - FSM_CENTRE))
        cohort = np.maximum(3.0, region.pupils / COHORT_YEARS[region.phase])
        noise = p.cohort_noise ** 2 / cohort
        gain = v / (v + noise)
        m = np.where(known, m + gain * (observed - m), m)
        v = np.where(known, v * (1.0 - gain), v)
    level = m + np.sqrt(v) * rng.normal(0.0, 1.0, n)
    if region.grade is not None:
        cuts = np.array([np.inf, p.grade_cut_outstanding, p.grade_cut_good, p.grade_cut_ri,
                         -np.inf])
        g = np.clip(region.grade, 0, 3)
        s = np.sqrt(v + p.inspection_noise_sd ** 2)
        lo, hi = ndtr((cuts[g + 1] - m) / s), ndtr((cuts[g] - m) / s)
        u = lo + (hi - lo) * rng.random(n)
        judged = m + s * ndtri(np.clip(u, 1e-12, 1 - 1e-12))
        k = v / s ** 2
        given = m + k * (judged - m) + np.sqrt(v * (1.0 - k)) * rng.normal(0.0, 1.0, n)
        level = np.where(region.grade >= 0, given, level)
    return level


def region_for(config: dict[str, Any]) -> Region | None:
    """The loaded region a resolved config names (``region`` key), or None for a preset."""
    if not config.get("region"):
        return None
    return load_gias(config["region"], la=config.get("la") or None, gor=config.get("gor"),
                     attainment=config.get("attainment"))


REGION_KEYS = ("region", "la", "gor", "attainment")


def resolve_region_keys(config: dict[str, Any]) -> dict[str, Any]:
    """Validate a config's region keys (popping them) and load the region once, so bad
    input fails before a run starts; returns the keys to keep in the resolved config
    (none when no region is given; ``la`` as one string "a+b")."""
    given = {k: config.pop(k) for k in REGION_KEYS if k in config}
    given = {k: v for k, v in given.items() if v not in (None, "", [], ())}
    if "region" not in given:
        if given:
            key = next(iter(given))
            raise RegionError(key, "needs region (a GIAS establishments CSV) to select from")
        return {}
    out: dict[str, Any] = {}
    for key in ("region", "gor", "attainment"):
        if key in given:
            if not isinstance(given[key], str | os.PathLike) or not str(given[key]).strip():
                raise RegionError(key, f"{given[key]!r} must be a non-empty string")
            out[key] = str(given[key]).strip()
    if "la" in given:  # one string "a+b", as policies are, so a runs.csv cell holds it
        out["la"] = "+".join(_la_list(given["la"]))
    region = load_gias(out["region"], out.get("la"), out.get("gor"), out.get("attainment"))
    out["region"] = region.register.report.source
    if "attainment" in out:
        out["attainment"] = str(Path(out["attainment"]).resolve())
    return out
