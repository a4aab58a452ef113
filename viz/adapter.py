"""Scenarios and the pair of runs the page steps: a baseline and a policy on one seed.

A `Scenario` is one middle tier plus any add-ons (the split is declared by each policy's
``tier`` in `model.policies`), so two middle tiers or none cannot be expressed. A `Pair`
builds `model.ClusterModel` twice from the same parameters and seed, differing only in
the policies: the model's independent random streams give both runs the same region and
the same shocks, so every difference between them is the policy's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ROLES = ("baseline", "policy")


def tiers() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(middle tiers, add-ons), as `model.policies` declares them."""
    from clustersim.model.policies import ADD_ONS, MIDDLE_TIERS

    return MIDDLE_TIERS, ADD_ONS


@dataclass(frozen=True)
class Scenario:
    """One middle tier and a set of add-ons (in the model's declaration order)."""

    tier: str
    add_ons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        middle, extras = tiers()
        if self.tier not in middle:
            raise ValueError(f"middle tier {self.tier!r} is not one of {', '.join(middle)}")
        bad = [a for a in self.add_ons if a not in extras]
        if bad:
            raise ValueError(f"add-on {bad[0]!r} is not one of {', '.join(extras)}")
        ordered = tuple(a for a in extras if a in set(self.add_ons))
        object.__setattr__(self, "add_ons", ordered)

    @property
    def policies(self) -> list[str]:
        return [self.tier, *self.add_ons]

    @property
    def label(self) -> str:
        return "+".join(self.policies)

    def with_tier(self, tier: str) -> Scenario:
        return Scenario(tier, self.add_ons)

    def toggled(self, add_on: str, on: bool) -> Scenario:
        rest = [a for a in self.add_ons if a != add_on]
        return Scenario(self.tier, tuple([*rest, add_on] if on else rest))

    @classmethod
    def of(cls, policies: Iterable[str]) -> Scenario:
        """The scenario of a policy list (as `model.config.DEFAULTS` gives it)."""
        middle, _ = tiers()
        names = list(policies)
        chosen = [n for n in names if n in middle]
        if len(chosen) != 1:
            raise ValueError(f"{'+'.join(names) or '(none)'}: expected one middle tier of "
                             f"{', '.join(middle)}")
        return cls(chosen[0], tuple(n for n in names if n not in middle))


def default_scenarios() -> dict[str, Scenario]:
    """The model's default policies as the baseline; the next middle tier as the policy."""
    from clustersim.model.config import DEFAULTS

    middle, _ = tiers()
    baseline = Scenario.of(DEFAULTS["policies"])
    others = [t for t in middle if t != baseline.tier]
    return {"baseline": baseline, "policy": Scenario(others[0] if others else baseline.tier)}


def parse_seed(seed: Any) -> int:
    """The seed typed in the page, as a non-negative integer (ValueError otherwise)."""
    from clustersim.model.limits import SEEDS

    text = str(seed).strip()
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"seed: {text!r} is not a whole number; expected an integer in "
                         f"[{SEEDS[0]}, {SEEDS[1]}]") from None
    if not SEEDS[0] <= value <= SEEDS[1]:
        raise ValueError(f"seed: {value} is out of range; expected an integer in "
                         f"[{SEEDS[0]}, {SEEDS[1]}]")
    return value


class Pair:
    """A baseline and a policy run of the same region and seed, stepped together."""

    def __init__(self, common: Mapping[str, Any], scenarios: Mapping[str, Scenario], seed: int,
                 model_cls: type | None = None):
        if model_cls is None:
            from clustersim.model import ClusterModel as model_cls
        self.common = dict(common)
        self.scenarios = {role: scenarios[role] for role in ROLES}
        self.seed = int(seed)
        self.models = {role: model_cls(config={**self.common, "policies": s.policies},
                                       seed=self.seed)
                       for role, s in self.scenarios.items()}

    @property
    def term(self) -> int:
        return self.models["baseline"].term

    @property
    def n_terms(self) -> int:
        return self.models["baseline"].n_terms

    @property
    def running(self) -> bool:
        return all(m.running for m in self.models.values())

    def step(self) -> bool:
        """One term of both runs (nothing once the horizon is reached); True if stepped."""
        if not self.running:
            return False
        for m in self.models.values():
            m.step()
        return True

    def config(self, role: str) -> dict[str, Any]:
        return self.models[role].config
