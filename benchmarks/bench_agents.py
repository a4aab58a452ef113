"""Per-agent Mesa against the array-backed design, on the same work.

Issue 2 asks the array-backed model to beat a per-agent pure-Mesa step at least 20x.
The comparison is only fair on the same work, so this script takes three of a term's
per-school updates from the model and runs them both ways on the same state and the
same random draws:

- M14 turnover: one-off gains fade (M10), trained staff leave (the anchor relaxes to the
  school's recruited base), expertise relaxes towards the anchor at its turnover rate,
  plus school-wide and domain shocks scaled by the school's size (in a term with no head
  changes);
- M1 engagement: falls with weakness, isolation and rurality;
- attainment: the probit of expertise, disadvantage and the cohort.

Per-agent: a Mesa ``School`` agent per school whose ``step`` does the arithmetic on its
own row (Python floats), run with ``model.agents.shuffle_do("step")``, the idiomatic
Mesa loop. Array-backed: the model's own functions (``learning.turnover``,
``needs.update_engagement``, ``attainment.update_attainment``), vectorised. The script
checks that both give the same numbers, then prints school-terms per second for each
and the ratio.

    python benchmarks/bench_agents.py [--presets large_county,england] [--terms 3]
"""

from __future__ import annotations

import argparse
import copy
import math
import time

import mesa
import numpy as np
from clustersim.model.mechanisms import attainment, learning, needs
from clustersim.model.model import ClusterModel
from clustersim.model.state import EFFECTIVENESS_WEIGHTS, SUBJECT_WEIGHTS


class PerAgentSchool(mesa.Agent):
    """One school updating its own state, one agent at a time."""

    def __init__(self, model, idx: int, src: ClusterModel):
        super().__init__(model)
        s, r = src.s, src.s.region
        self.idx = idx
        self.expertise = s.expertise[idx].tolist()
        self.anchor = s.anchor[idx].tolist()
        self.base = s.base[idx].tolist()
        self.staff = float(src.staff_turnover[idx])
        self.shock_sd = float(src.shock_sd[idx])
        self.oneoff = s.oneoff[idx].tolist()
        self.decay = float(src.decay[idx])
        self.rural, self.clustered = bool(r.rural[idx]), bool(s.cluster[idx] >= 0)
        self.fsm, self.cohort = float(r.fsm[idx]), float(s.cohort[idx])

    def step(self) -> None:
        m, p = self.model, self.model.p
        common, specific = m.common[self.idx], m.specific[self.idx]
        e, a, o, sd = self.expertise, self.anchor, self.oneoff, self.shock_sd
        for d in range(len(e)):  # M10 fade, M14 staff leaving, relaxation and shocks
            fade = o[d] * p.oneoff_decay
            e[d] -= fade
            o[d] -= fade
            a[d] += self.staff * (self.base[d] - a[d])
            e[d] += self.decay * (a[d] - e[d])
            o[d] *= 1.0 - self.decay
            e[d] += (float(specific[d]) * (learning.SHOCK_DOMAIN * sd)
                     + (learning.SHOCK_COMMON * sd) * float(common))
        eff = sum(w * x for w, x in zip(m.eff_weights, e, strict=True))  # M1 engagement
        below = max(0.0, (m.eff_mean0 - eff) / m.eff_sd0)
        eng = p.engagement_base * min(1.0, max(0.05, 1.0 - p.engagement_weakness_penalty * below))
        eng *= 1.0 if self.clustered else 1.0 - p.engagement_isolation_penalty
        self.engagement = eng * (1.0 - p.engagement_rural_penalty if self.rural else 1.0)
        self.attainment = [  # probit of expertise, disadvantage and the cohort
            100.0 * 0.5 * math.erfc(-(off + sum(w * x for w, x in zip(row, e, strict=True))
                                      - p.fsm_pupil_gap * (self.fsm - attainment.FSM_CENTRE)
                                      + self.cohort) / math.sqrt(2.0))
            for off, row in zip(m.offsets, m.weights, strict=True)]


class PerAgentModel(mesa.Model):
    def __init__(self, src: ClusterModel):
        super().__init__(rng=0)
        self.p = src.p
        self.eff_mean0, self.eff_sd0 = src.eff_mean0, src.eff_sd0
        self.eff_weights = EFFECTIVENESS_WEIGHTS.tolist()
        self.offsets = attainment.offsets(src.p).tolist()
        self.weights = SUBJECT_WEIGHTS.tolist()
        for i in range(src.s.n):
            PerAgentSchool(self, i, src)


def run(preset: str, terms: int) -> None:
    src = ClusterModel({"preset": preset, "policies": ["local_authority"], "years": 10}, 1)
    src.step()  # term 1: clusters formed, cohort drawn
    src.step()
    # the updates below run at this term: no new cohort (as in 2 of every 3 terms) and no
    # head changes (as in every term but the year's first)
    assert src.term % 3 == 2
    per_agent = PerAgentModel(src)
    t_vec = t_agents = 0.0
    for _ in range(terms):
        draws = copy.deepcopy(src.streams["turnover"])  # the draws turnover will make
        per_agent.common = draws.standard_normal(src.s.n, dtype=np.float32)
        per_agent.specific = draws.standard_normal(src.s.expertise.shape, dtype=np.float32)
        t = time.perf_counter()
        learning.turnover(src)
        needs.update_engagement(src)
        attainment.update_attainment(src)
        t_vec += time.perf_counter() - t
        t = time.perf_counter()
        per_agent.agents.shuffle_do("step")
        t_agents += time.perf_counter() - t
    agents = sorted(per_agent.agents, key=lambda a: a.idx)
    same = (np.allclose([a.expertise for a in agents], src.s.expertise, rtol=0, atol=1e-6)
            and np.allclose([a.engagement for a in agents], src.s.engagement, atol=1e-9)
            and np.allclose([a.attainment for a in agents], src.s.attainment, atol=1e-6))
    n = src.s.n * terms
    print(f"{preset:<14}{src.s.n:>8}{n / t_agents:>16,.0f}{n / t_vec:>16,.0f}"
          f"{t_agents / t_vec:>8.0f}x   {'yes' if same else 'NO'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", default="large_county,england")
    ap.add_argument("--terms", type=int, default=3)
    args = ap.parse_args()
    if args.terms < 1:
        ap.error("--terms must be at least 1")
    print(f"{'preset':<14}{'schools':>8}{'per-agent /s':>16}{'arrays /s':>16}"
          f"{'ratio':>9}   same numbers")
    for preset in args.presets.split(","):
        run(preset, args.terms)


if __name__ == "__main__":
    main()
