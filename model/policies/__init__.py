"""The policy registry: eight components that compose into scenarios (docs/ODD.md section 7.4)."""

from __future__ import annotations

from clustersim.model.errors import UserError
from clustersim.model.policies.base import Policy
from clustersim.model.policies.chains import AcademyChains, TeachingSchoolHubs
from clustersim.model.policies.economic import CpdBank, Federation, Incentives
from clustersim.model.policies.middle_tier import LocalAuthority, SelfImproving, Superintendent

POLICIES: dict[str, type[Policy]] = {
    cls.name: cls for cls in (SelfImproving, LocalAuthority, Superintendent, AcademyChains,
                              TeachingSchoolHubs, CpdBank, Federation, Incentives)
}
POLICY_NAMES: tuple[str, ...] = tuple(POLICIES)
# The middle tier is one choice per scenario; the other components are add-ons.
MIDDLE_TIERS: tuple[str, ...] = tuple(n for n, c in POLICIES.items() if c.tier == "middle_tier")
ADD_ONS: tuple[str, ...] = tuple(n for n, c in POLICIES.items() if c.tier == "add_on")


def parse_policies(value) -> list[str]:
    """Accept a list of names or a string "a+b"; validate every name.

    A scenario has at most one middle tier (`MIDDLE_TIERS`); add-ons alone run on no
    middle tier (``self_improving``'s world). Nothing is a silent default: an empty
    list is refused.
    """
    if isinstance(value, str):
        names = [v.strip() for v in value.split("+")]
    elif isinstance(value, (list, tuple)):
        names = [str(v).strip() for v in value]
    else:
        raise UserError(f"policies must be a list of names or 'a+b'; got {value!r}")
    if not names or names == [""]:
        raise UserError(f"policies: none given; choose a middle tier ({', '.join(MIDDLE_TIERS)}) "
                        f"and any add-ons ({', '.join(ADD_ONS)})")
    if any(n not in POLICIES for n in names):
        bad = [n for n in names if n not in POLICIES] or ["(empty)"]
        raise UserError(f"unknown policy {bad[0]!r}; allowed: {', '.join(POLICIES)} "
                        f"(combine with '+')")
    if len(set(names)) != len(names):
        raise UserError(f"policy listed twice in {'+'.join(names)!r}")
    tiers = [n for n in names if n in MIDDLE_TIERS]
    if len(tiers) > 1:
        raise UserError(f"policies {'+'.join(names)!r} name {len(tiers)} middle tiers; choose one "
                        f"of {', '.join(MIDDLE_TIERS)} and add any of {', '.join(ADD_ONS)}")
    return names
