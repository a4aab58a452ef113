"""The Mesa model of a region's schools, clusters and brokers under a set of policies."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np
import pandas as pd
from clustersim.model.clusters import ClusterService
from clustersim.model.config import resolve_config
from clustersim.model.ledger import Ledger
from clustersim.model.limits import TERMS_PER_YEAR
from clustersim.model.market import SERVICE_KINDS, candidate_index, default_market, nearest_of_kind
from clustersim.model.mechanisms import (
    attainment,
    cohesion,
    commissioning,
    cpd,
    inspection,
    learning,
    needs,
    partnering,
)
from clustersim.model.mechanisms.attainment import below_floor
from clustersim.model.metrics import EXTRA_SUMMARY, METRIC_NAMES, METRICS, grouped_summary
from clustersim.model.param_values import Params
from clustersim.model.params import PARAMS
from clustersim.model.policies import POLICIES, Policy
from clustersim.model.policies.chains import TrustNetwork
from clustersim.model.region import build_region, get_preset, nearest, spatial_order
from clustersim.model.state import (
    CPD_DOMAINS,
    FOUNDED,
    GRADES,
    ClusterState,
    PolicyEffects,
    initial_state,
    shock_sd,
)
from clustersim.model.threads import one_blas_thread
from mesa.agentset import AgentSet

# Independent random streams, one per process of the model: a policy that draws
# more numbers in one stream never shifts another. Order is fixed: append, never reorder.
STREAMS = ("region", "needs", "partnering", "turnover", "attainment", "inspection",
           "cohesion", "policy", "mesa", "commissioning", "leadership")
MECHANISM_SWITCH = re.compile(r"m\d+_")  # m1_hard_to_reach ... m15_shared_data
NEIGHBOURS = 16  # precomputed nearest neighbours per school (upper bound of search_neighbours)
DRAW_CACHE_BYTES = 64 * 2**20  # the draws a built world keeps for its scenarios (fixed_draws)

# the school-state arrays this module owns (model.state; tests/test_state_owners.py)
STATE = (
    "terms_clustered", "terms_below_floor", "floor_spell", "floor_spells",
    "longest_floor_spell",
)


def run_seed(seed: int | np.random.Generator | None) -> int:
    """A run's seed: an integer as given; drawn from a generator; fresh entropy if None."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % 2**63)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if isinstance(seed, bool) or int(seed) != seed or int(seed) < 0:
        from clustersim.model.errors import UserError

        raise UserError(f"seed: {seed!r} is not allowed; expected a whole number >= 0")
    return int(seed)


def _history_reporter(k: int):
    """Mesa DataCollector model reporter: this term's value of the k-th declared metric."""
    return lambda m: float(m.history[m.term, k])


@dataclass(frozen=True)
class Phase:
    """One phase of a term: ``ClusterModel.phase_<name>`` runs it. The sequence below is
    the only statement of the tick order: ``step`` runs it, the class docstring and the
    ODD protocol are written from it, and a test ties them together."""

    name: str
    does: str
    mechanisms: tuple[str, ...] = ()


PHASES: tuple[Phase, ...] = (
    Phase("needs", "engagement (M1) and need identification (M2, M15)", ("M1", "M2", "M15")),
    Phase("policy", "trusts' central services; brokers and policies act (cluster schools, "
          "place the isolated, fund support, takeovers and conversions, grants and "
          "penalties)"),
    Phase("partnering", "unclustered schools seek partners (M3)", ("M3",)),
    Phase("cpd", "peer CPD in clusters (M5), through the CPD bank (M6), suspicion of lead "
          "schools (M11)", ("M5", "M6", "M11")),
    Phase("commissioning", "joint commissioning (M7), shared business managers (M8) and "
          "specialists (M9), federations (M12), market CPD from providers (M1 take-up, "
          "M10, M11), funded support; the term's gains",
          ("M7", "M8", "M9", "M12", "M1", "M10", "M11")),
    Phase("learning", "gains land (M10); staff and head turnover, skill fade (M14)",
          ("M10", "M14")),
    Phase("attainment", "results per subject; a results drop reveals needs (M2)", ("M2",)),
    Phase("inspection", "grades (M13); policies respond to poor grades", ("M13",)),
    Phase("cohesion", "cohesion moves, clusters dissolve (M4)", ("M4",)),
    Phase("collect", "per-term outcomes"),
)


class ClusterModel(ClusterService, mesa.Model):
    """A region of schools under a set of middle-tier policies, one step per school term.

    Tick order (each term; ``step`` runs ``PHASES`` in this order):

{tick_order}
    """

    PHASES = tuple(phase.name for phase in PHASES)

    def __init__(self, config: dict[str, Any] | None = None, seed: int | None = None, *,
                 rng: int | np.random.Generator | None = None, world: World | None = None,
                 keep_world: bool = False, **params: Any):
        """A run: ``ClusterModel({"preset": "county"}, 7)`` or, by Mesa's conventions,
        ``ClusterModel(preset="county", policies=["superintendent"], years=10,
        seek_rate=0.2, rng=7)`` (what ``mesa.batch_run`` calls). With no seed and
        ``rng=None`` a seed is drawn from fresh entropy and kept in ``self.seed``, so
        the run can be repeated exactly.

        ``keep_world=True`` keeps a copy of the built world (region, initial state,
        burn-in) in ``self.world``; given as ``world=`` to a model of the same seed and
        the same configuration but for its policies and years, it is restored instead of
        built again, random streams included: the same run, bit for bit (a batch runs
        the scenarios of a replicate this way). A ``world`` that does not match is
        ignored (the world is built)."""
        one_blas_thread()
        self.config = resolve_config({**(config or {}), **params})
        seed = run_seed(seed if seed is not None else rng)
        children = np.random.SeedSequence(seed).spawn(len(STREAMS))
        self.streams = {n: np.random.default_rng(c) for n, c in zip(STREAMS, children,
                                                                          strict=True)}
        super().__init__(rng=self.streams["mesa"])
        self.seed = seed
        # every declared per-term outcome, and the seed (batch_run with rng=None draws
        # one per run: the recorded seed repeats the run exactly)
        self.datacollector = mesa.DataCollector(model_reporters={
            **{name: _history_reporter(k) for k, name in enumerate(METRIC_NAMES)},
            "seed": lambda m: m.seed})
        self.p = Params.of(self.config)  # typed and frozen (model/param_values.py)
        self.preset = get_preset(self.config["preset"])
        self.term = 0
        self.n_terms = TERMS_PER_YEAR * self.config["years"]
        self.dissolved_this_term = 0
        self.world = self.common_draws = None
        if world is not None and world.matches(self):
            self._restore_world(world)
        else:
            made_before = set(vars(self))
            self._build_world()
            if keep_world:
                world = self.world = World(self, made_before)
            else:
                world = None
        self.common_draws = world  # the world whose scenarios share draws (`fixed_draws`)
        self._start()

    def fixed_draws(self, rng: np.random.Generator,
                    draw: Callable[[np.random.Generator], tuple]) -> tuple:
        """``draw(rng)``: this term's draws of one of ``self.streams`` that draws the same
        amount each term whatever the policies (staff turnover, self-evaluation). The
        scenarios restoring one built world draw the same numbers term by term, so the
        first to draw them keeps them in the world (read-only, up to `DRAW_CACHE_BYTES`)
        and the others take them when the stream is in the same state, setting it to its
        state after the draws: the same numbers and stream, without drawing them (~1.5 ms
        a term on England). The arrays may be shared: the caller must not write to them."""
        world = self.common_draws
        if world is None:
            return draw(rng)
        stream = next(name for name, g in self.streams.items() if g is rng)
        state = rng.bit_generator.state
        kept = world.draws.get((stream, self.term))
        if kept is not None and kept[0] == state:
            rng.bit_generator.state = kept[2]
            return kept[1]
        got = draw(rng)
        size = sum(a.nbytes for a in got)
        if kept is None and world.draw_bytes + size <= DRAW_CACHE_BYTES:
            for a in got:
                a.flags.writeable = False
            world.draws[stream, self.term] = (state, got, rng.bit_generator.state)
            world.draw_bytes += size
        return got

    def _build_world(self) -> None:
        """The region, its initial state and market, and the burn-in: everything before
        the policies, which depends on the seed and the configuration but not on the
        policies or the years (`World`)."""
        rng = self.streams
        region = build_region(self.config, self.preset, rng["region"])
        p = self.p
        # the world before term 0 runs with every mechanism on: a switched-off mechanism
        # is a counterfactual from term 0, compared with the same start (see burn_in)
        self.p_before = dataclasses.replace(p, **{k: True for k in PARAMS.names()
                                                  if MECHANISM_SWITCH.match(k)})
        self.s = initial_state(region, self.p_before, rng["region"])
        self.c = ClusterState()
        xy = np.column_stack([region.x, region.y])
        d, idx = nearest(xy, xy, k=min(NEIGHBOURS + 1, region.n))
        self.nbr = idx[:, 1:].astype(np.int64)
        self.nbr_d = d[:, 1:]
        self.spatial_key = spatial_order(region.x, region.y, bits=16)
        self.providers = default_market(region, p, rng["region"])
        self.ledger = Ledger(region.n)
        self.effects = PolicyEffects()  # what policies leave for mechanisms (model.state)
        self.inspection_log: list = []  # (term, schools, grades) of each term's inspections
        self.init_clusters()
        self.retry_placement = np.zeros(region.n, np.int32)  # broker placement back-off
        self.decay = learning.decay_rate(self)
        self.staff_turnover = learning.per_term(learning.yearly_staff_turnover(
            p, region.fsm))
        self.shock_sd = shock_sd(p, self.s.teachers)
        self.turnover_rates = learning.wide_rates(self)  # the same, one per domain
        self.policies: list[Policy] = []
        self.trusts = TrustNetwork(self)  # trusts act under every scenario
        self._index_market()
        self.burn_in()
        self._set_reference()
        eff = self.s.effectiveness
        self.s.weak = eff <= np.quantile(eff, p.weak_quantile)
        self.weak_idx = np.flatnonzero(self.s.weak)    # fixed for the run: metrics read them
        self.other_idx = np.flatnonzero(~self.s.weak)
        self.rwm0 = self.s.rwm.copy()
        self.grade0 = self.s.grade.copy()
        self.eff0 = eff.copy()
        self.gap0 = 0.0
        self.gap0 = METRICS[0].fn(self)

    def _restore_world(self, world: World) -> None:
        for name, value in copy.deepcopy(world.attrs, dict(world.shared)).items():
            setattr(self, name, value)
        for name, state in world.streams.items():  # in place: self.rng is streams["mesa"]
            self.streams[name].bit_generator.state = state
        self.trusts = TrustNetwork(self)  # its brokers are this model's Mesa agents

    def _start(self) -> None:
        """The policies set up and the starting state collected (term 0)."""
        self.policies = [POLICIES[name](self) for name in self.config["policies"]]
        for policy in self.policies:
            policy.setup()
        # brokers whose policy gives them something to do each term (not, e.g., trusts,
        # whose central services are one vectorised pass in their policy's act)
        self.acting_brokers = AgentSet(
            [b for p in self.policies if type(p).act_broker is not Policy.act_broker
             for b in p.brokers], random=self.random)
        self._index_market()  # policies may have added providers (hubs)
        self.history = np.full((self.n_terms + 1, len(METRICS)), np.nan)
        self.phase_collect()

    def _index_market(self) -> None:
        region, pr = self.s.region, self.providers
        # the nearest providers depend only on who sells what where: searched again only
        # if the policies changed the market (hubs), then ranked afresh either way (the
        # ranking draws its random numbers each time)
        where = (pr.kind.tobytes(), pr.x.tobytes(), pr.y.tobytes(), pr.domains.tobytes(),
                 (pr.capacity > 0).tobytes())
        if where != getattr(self, "_market_where", None):
            self.domain_slot, self.prov_cand, self.prov_dist = candidate_index(
                pr, region, CPD_DOMAINS)
            self.service_supplier = [nearest_of_kind(pr, region, k) for k in SERVICE_KINDS]
            self._market_where = where
        commissioning.rank_providers(self)

    def _set_reference(self) -> None:
        """The effectiveness scale engagement and self-evaluation are read against."""
        eff = self.s.effectiveness
        self.eff_mean0, self.eff_sd0 = float(eff.mean()), float(eff.std() or 1.0)

    def burn_in(self) -> None:
        """Before term 0 the region lives ``burn_in_years`` of the status quo's school
        dynamics: needs, market CPD, learning, staff and head turnover, results and
        inspections, with no middle tier and no clusters. Every scenario starts from the
        same settled state (common random numbers), so term 0 is the status quo's steady
        state rather than a start that drifts (P11). Clocks and accounts then restart."""
        terms = TERMS_PER_YEAR * int(self.p.burn_in_years)
        self.term = -terms
        p, self.p = self.p, self.p_before
        self._set_reference()
        inspection.initial_grades(self)
        attainment.update_attainment(self)
        for term in range(1 - terms, 1):
            self.term = term
            self.phase_needs()
            self.trusts.act()
            self.pay_funding_due()
            self.phase_cpd()  # no clusters yet: it clears the term's CPD tallies
            self.phase_commissioning()
            self.phase_learning()
            self.phase_attainment()
            self.phase_inspection()
        self.term = 0
        self.p = p
        s = self.s
        known = s.region.grade
        if known is not None:  # a real region starts with the register's grades
            s.grade[:] = np.where(known >= 0, known, s.grade)
        for name in ("cpd_hours_total", "cost_total", "head_changes", "credits"):
            getattr(s, name)[:] = 0
        self.providers.revenue[:] = 0.0
        self.providers.hours_sold[:] = 0.0
        self.ledger = Ledger(s.n)

    # ------------------------------------------------------------------ the term
    def step(self) -> None:
        self.term += 1
        self.dissolved_this_term = 0
        for phase in PHASES:
            getattr(self, f"phase_{phase.name}")()
        if self.term >= self.n_terms:
            self.running = False

    def phase_needs(self) -> None:
        s = self.s
        s.spent_term[:] = 0.0
        s.allowance_term[:] = 0.0
        s.extra_money[:] = 0.0
        # effectiveness, read by both when M1 or M2 is on (nothing between them changes it)
        eff = s.effectiveness if self.p.m1_hard_to_reach or self.p.m2_hidden_needs else None
        needs.update_engagement(self, eff)
        needs.identify_needs(self, eff)

    def phase_policy(self) -> None:
        self.trusts.act()
        if self.acting_brokers:
            self.acting_brokers.shuffle_do("act")
        for policy in self.policies:
            policy.brokers_acted()
        for policy in self.policies:
            policy.act()
        self.pay_funding_due()

    def fund_cpd(self, kind: str, schools: np.ndarray, hours: float,
                 sustained: bool = True) -> float:
        """A broker or trust pays for ``hours`` of CPD per teacher for ``schools`` this
        term; booked in the ledger at the end of the policy phase. Returns the £ cost."""
        if len(schools) == 0 or hours <= 0:
            return 0.0
        (self.s.funded_hours if sustained else self.s.funded_oneoff)[schools] += hours
        cost = hours * self.s.teachers[schools] * self.p.cpd_price_per_hour
        self.effects.funding_due.append((kind, schools, cost))
        return float(cost.sum())

    def pay_funding_due(self) -> None:
        """Book this term's broker-funded CPD in the ledger: one entry per kind of broker."""
        due, self.effects.funding_due = self.effects.funding_due, []
        for kind in sorted({k for k, _, _ in due}):
            schools = np.concatenate([sc for k, sc, _ in due if k == kind])
            cost = np.concatenate([c for k, _, c in due if k == kind])
            payer = "trust" if kind == "trust" else "broker"
            self.ledger.pay(self, f"CPD funded by {kind}", payer, "staff", cost,
                            for_school=schools)
            self.ledger.add_hours(f"funded by {kind}", cost / self.p.cpd_price_per_hour)

    def phase_partnering(self) -> None:
        partnering.seek_partners(self)

    def phase_cpd(self) -> None:
        cpd.exchange_cpd(self)

    def phase_commissioning(self) -> None:
        commissioning.commission(self)

    def phase_learning(self) -> None:
        learning.learn(self)
        learning.turnover(self)

    def phase_attainment(self) -> None:
        attainment.update_attainment(self)

    def phase_inspection(self) -> None:
        poor = inspection.inspect(self)
        if len(poor):
            for policy in self.policies:
                policy.on_poor_grade(poor)

    def phase_cohesion(self) -> None:
        cohesion.update_cohesion(self)

    def phase_collect(self) -> None:
        s = self.s
        self.below_floor_now = below_floor(self)  # read by several metrics
        if self.term > 0:
            s.terms_clustered += s.cluster >= 0
            s.terms_below_floor += self.below_floor_now
            below = self.below_floor_now
            s.floor_spells += below & (s.floor_spell == 0)  # a spell starts
            s.floor_spell = np.where(below, s.floor_spell + 1, 0)
            np.maximum(s.longest_floor_spell, s.floor_spell, out=s.longest_floor_spell)
        self.history[self.term] = [metric.fn(self) for metric in METRICS]
        self.datacollector.collect(self)

    @property
    def brokers(self) -> list:
        """Every broker: trusts, then every policy's (LAs, superintendents)."""
        return [*self.trusts.brokers, *(b for policy in self.policies for b in policy.brokers)]

    # ------------------------------------------------------------------ outputs
    def series(self) -> pd.DataFrame:
        """Per-term outcomes so far: term, year, then one column per metric."""
        t = np.arange(self.term + 1)
        frame = pd.DataFrame(self.history[: self.term + 1], columns=METRIC_NAMES)
        frame.insert(0, "year", t / TERMS_PER_YEAR)
        frame.insert(0, "term", t)
        return frame

    def summary(self) -> dict[str, float]:
        out = dict(zip(METRIC_NAMES, self.history[self.term].tolist(), strict=True))
        out.update({x.name: float(x.fn(self)) for x in EXTRA_SUMMARY})
        out.update(grouped_summary(self))
        return out

    def inspections(self) -> pd.DataFrame:
        """Every inspection of the run (not the burn-in's): term, school, grade, one row
        each, in term order."""
        if not self.inspection_log:
            return pd.DataFrame({"term": np.zeros(0, np.int32), "school": np.zeros(0, np.int64),
                                 "grade": np.zeros(0, object)})
        terms, schools, grades = zip(*self.inspection_log, strict=True)
        return pd.DataFrame({
            "term": np.repeat(terms, [len(x) for x in schools]).astype(np.int32),
            "school": np.concatenate(schools),
            "grade": labels(GRADES, np.concatenate(grades)),
        })

    def cluster_table(self) -> pd.DataFrame:
        act = self.c.active()
        return pd.DataFrame({
            "cluster": act,
            "members": self.c.size[act],
            "cohesion": self.c.cohesion[act],
            "founded": [FOUNDED[f] for f in self.c.founded[act]],
            "age_terms": self.term - self.c.born[act],
        })


def labels(names, codes: np.ndarray):
    """The text column ``np.asarray(names)[codes]`` as a table would hold it (pandas infers
    the same type from the few names as from the long column: with pyarrow, its string
    type), made by taking from the few names: ~10x faster than converting a long array
    of texts (~5 ms a column of England's schools)."""
    return pd.Series(np.asarray(names)).array.take(np.asarray(codes, np.intp))


def world_key(seed: int, config: dict[str, Any]) -> tuple:
    """What a built world depends on: the seed and every setting but the policies (read
    only when the policies are set up) and the years (the horizon)."""
    return seed, tuple(sorted((k, repr(v)) for k, v in config.items()
                              if k not in ("policies", "years")))


class World:
    """A copy of a model's built world (`ClusterModel._build_world`): the attributes the
    build made and the random streams' states after it. The trusts are left out: their
    brokers are Mesa agents of the model that made them, so a model restoring the world
    makes its own (from the restored state, as the build does)."""

    # arrays the build makes and nothing changes afterwards: a restored model shares them
    # instead of copying them (~20 MiB and a third of a restore's time on England), and
    # they are made read-only, so a write to one raises instead of leaking between runs
    SHARED = ("prov_cand", "prov_dist", "nbr", "nbr_d", "spatial_key", "decay",
              "staff_turnover", "shock_sd", "rwm0", "eff0", "grade0", "weak_idx",
              "other_idx", "domain_slot")
    # remade by every run's start before it is read (`ClusterModel._start` ranks the
    # providers again), so not kept
    REMADE = ("ranked",)

    def __init__(self, m: ClusterModel, made_before: set[str]):
        assert m.term == 0 and not m.policies
        self.key = world_key(m.seed, m.config)
        shared = [getattr(m, name) for name in self.SHARED]
        shared += [v for v in vars(m.s.region).values() if isinstance(v, np.ndarray)]
        shared += list(m.turnover_rates.values())
        for a in shared:
            a.flags.writeable = False
        self.shared = {id(a): a for a in shared}  # a deepcopy memo: these are not copied
        self.attrs = copy.deepcopy({k: v for k, v in vars(m).items()
                                    if k not in made_before and k != "trusts"
                                    and k not in self.REMADE}, dict(self.shared))
        self.streams = {name: copy.deepcopy(g.bit_generator.state)
                        for name, g in m.streams.items()}
        # (stream, term) -> its state before, the draws and its state after: the draws its
        # scenarios share (`ClusterModel.fixed_draws`), and their size in bytes
        self.draws: dict[tuple[str, int], tuple] = {}
        self.draw_bytes = 0
        # the providers' ranking of a scenario of this world: the key it was worked out
        # from, the ranking and the stream's state after its draws (`rank_providers`)
        self.ranking: tuple | None = None

    def matches(self, m: ClusterModel) -> bool:
        return self.key == world_key(m.seed, m.config)


ClusterModel.__doc__ = ClusterModel.__doc__.replace("{tick_order}", "\n".join(
    f"    {k}. {phase.name}: {phase.does}" for k, phase in enumerate(PHASES, 1)))
