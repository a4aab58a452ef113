"""The policy registry: eight components that compose into scenarios (DESIGN 3)."""

from __future__ import annotations

from model.errors import UserError
from model.policies.base import Policy
from model.policies.chains import AcademyChains, TeachingSchoolHubs
from model.policies.economic import CpdBank, Federation, Incentives
from model.policies.middle_tier import LocalAuthority, SelfImproving, Superintendent

POLICIES: dict[str, type[Policy]] = {
    cls.name: cls for cls in (SelfImproving, LocalAuthority, Superintendent, AcademyChains,
                              TeachingSchoolHubs, CpdBank, Federation, Incentives)
}
POLICY_NAMES: tuple[str, ...] = tuple(POLICIES)


def parse_policies(value) -> list[str]:
    """Accept a list of names or a string "a+b"; validate every name. An empty list
    means no middle tier at all, i.e. ``self_improving``."""
    if isinstance(value, str):
        names = [v.strip() for v in value.split("+")]
    elif isinstance(value, (list, tuple)):
        names = [str(v).strip() for v in value] or ["self_improving"]
    else:
        raise UserError(f"policies must be a list of names or 'a+b'; got {value!r}")
    if not names or any(n not in POLICIES for n in names):
        bad = [n for n in names if n not in POLICIES] or ["(empty)"]
        raise UserError(f"unknown policy {bad[0]!r}; allowed: {', '.join(POLICIES)} "
                        f"(combine with '+')")
    if len(set(names)) != len(names):
        raise UserError(f"policy listed twice in {'+'.join(names)!r}")
    return names
