"""The parameter values of one run as a typed, frozen object: ``m.p`` in the model.

GENERATED from the registry (model/params.py) by scripts/update_params_class.py: do
not edit; tests/test_params.py checks it matches. One field per parameter, typed by
its kind (float, int, or bool for a switch), in the registry's order; assigning to a
field raises ``dataclasses.FrozenInstanceError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Params:
    """Every parameter of a run (``model.params.PARAMS``), validated."""

    weak_quantile: float
    """Schools in this bottom fraction of initial effectiveness are the 'weak' schools whose fate
    the outcomes track. [fraction 0-1; 0.05 to 0.5; outcomes]
    """
    floor_rwm: float
    """Floor standard: a school below this share in reading+writing+maths combined and below the
    progress floor is 'below the floor'. [% at expected standard (RWM); 30 to 90; outcomes]
    """
    floor_progress: float
    """Progress floor (value added); below it and below floor_rwm is below the floor. [KS2 progress
    points; -15 to 0; outcomes]
    """
    progress_points_per_sd: float
    """Converts a school's latent effectiveness into a KS2-style progress score. [progress points
    per SD of effectiveness; 1 to 40; outcomes]
    """
    funding_per_pupil: float
    """Core per-pupil funding; budgets are this times pupils, paid per term. [£ per pupil per year;
    3000 to 10000; money]
    """
    cpd_budget_share: float
    """Share of income a school sets aside for external CPD. [fraction of income; 0 to 0.05; money]
    """
    cpd_price_per_hour: float
    """Price of one teacher-hour of broker-funded sustained CPD (advisers' time). [£ per
    teacher-hour; 5 to 200; money]
    """
    pupils_per_teacher: float
    """Converts pupils into teachers for CPD hours per teacher. [pupils per teacher; 10 to 30;
    money]
    """
    allowed_deficit_share: float
    """How far a school's CPD spending may exceed its CPD budget in a term. [fraction of term
    budget; 0 to 0.2; money]
    """
    cpd_hours_cap: float
    """Most CPD a school's teachers can take in a term with effect: quality-weighted hours beyond it
    add nothing (teachers' time is finite). [hours per teacher per term; 1 to 60; learning]
    """
    cpd_effect_per_hour: float
    """Gain in domain expertise from one hour per teacher of high-quality sustained CPD; 30 h a year
    gives ~0.09 SD. [SD per hour per teacher; 0 to 0.02; learning]
    """
    peer_cpd_quality: float
    """Effect of CPD run by a partner school relative to sustained high-quality CPD. [fraction of
    full effect; 0 to 1; learning]
    """
    skill_fade_year: float
    """Share of CPD-acquired expertise above the school's anchor lost per year without
    reinforcement. [fraction per year; 0 to 1; learning]
    """
    learning_capacity_leadership: float
    """How much stronger leadership raises the gain a school draws from CPD. [multiplier per SD of
    leadership; 0 to 2; learning]
    """
    effectiveness_sd: float
    """Spread of school effectiveness around its deprivation-predicted level. [SD; 0.05 to 0.6;
    region]
    """
    deprivation_slope: float
    """How much lower a school's effectiveness is per unit of FSM share. [SD per unit FSM share; 0
    to 3; region]
    """
    regional_effect_sd: float
    """Spread of effectiveness between England's regions beyond their deprivation (the 'London
    effect'); only presets with 9+ LAs have regions. [SD; 0 to 0.5; region]
    """
    fsm_pupil_gap: float
    """Attainment penalty of disadvantage independent of school quality. [SD per unit FSM share; 0
    to 3; region]
    """
    burn_in_years: int
    """Years of the status quo's school dynamics (no middle tier, no clusters) run before term 0, so
    that CPD stocks, schools' responses to poor grades and grades have settled when policies
    start. [years; 0 to 15; region]
    """
    attain_offset_rwm: float
    """Baseline of the reading+writing+maths combined share at the expected standard. [probit; -2 to
    3; attainment]
    """
    attain_offset_maths: float
    """Baseline of the maths share at the expected standard. [probit; -2 to 3; attainment]"""
    attain_offset_english: float
    """Baseline of the English (reading, writing) share at the expected standard. [probit; -2 to 3;
    attainment]
    """
    attain_offset_science: float
    """Baseline of the science share at the expected standard. [probit; -2 to 3; attainment]"""
    cohort_noise: float
    """Year-to-year noise of a cohort's results; small schools' results swing more. [probit x
    sqrt(pupils in cohort); 0 to 3; attainment]
    """
    need_benchmark: float
    """Expertise level a school aims for; the shortfall in a domain is its need. [SD; -1 to 2;
    attainment]
    """
    m1_hard_to_reach: bool
    """Engagement falls with weakness, isolation and rurality. [switch; M1 hard to reach]"""
    engagement_base: float
    """Propensity to collaborate of an average, connected, urban school. [probability; 0 to 1; M1
    hard to reach]
    """
    engagement_weakness_penalty: float
    """Relative fall in engagement per SD of effectiveness below the mean. [fraction per SD below
    mean; 0 to 1; M1 hard to reach]
    """
    engagement_isolation_penalty: float
    """Relative fall in engagement for a school outside any cluster. [fraction; 0 to 1; M1 hard to
    reach]
    """
    engagement_rural_penalty: float
    """Relative fall in engagement for a rural school. [fraction; 0 to 1; M1 hard to reach]"""
    m2_hidden_needs: bool
    """Needs are acted on only once identified: by self-evaluation, a results drop or an inspection.
    [switch; M2 hidden needs]
    """
    selfeval_mean: float
    """Chance per term that an average school spots a real need by self-evaluation. [probability per
    term; 0 to 1; M2 hidden needs]
    """
    selfeval_effectiveness_slope: float
    """How much better stronger schools are at spotting their needs. [logit per SD; 0 to 3; M2
    hidden needs]
    """
    reveal_terms: int
    """How long a poor inspection or a results drop keeps a school's needs in view. [terms; 1 to 30;
    M2 hidden needs]
    """
    results_drop_pp: float
    """A fall in RWM attainment this large over a year reveals the school's needs. [percentage
    points; 0 to 30; M2 hidden needs]
    """
    m3_voluntary_partnering: bool
    """Unclustered schools seek partners nearby, on trust, similarity and complementarity. [switch;
    M3 voluntary partnering]
    """
    seek_rate: float
    """Chance per term that a fully engaged unclustered school looks for partners. [probability per
    term; 0 to 1; M3 voluntary partnering]
    """
    search_neighbours: int
    """How many nearest schools a seeker considers. [schools; 1 to 16; M3 voluntary partnering]"""
    max_partner_km: float
    """Schools further apart than this do not partner voluntarily. [km; 1 to 200; M3 voluntary
    partnering]
    """
    homophily_weight: float
    """Preference for partners of similar quality. [logit per SD of effectiveness difference; 0 to
    10; M3 voluntary partnering]
    """
    complementarity_weight: float
    """Preference for partners strong where the seeker is weak. [logit per SD; 0 to 10; M3 voluntary
    partnering]
    """
    distance_weight: float
    """Dislike of distant partners. [logit per km; 0 to 2; M3 voluntary partnering]"""
    refusal_strength: float
    """How strongly a stronger school or cluster refuses a weaker applicant. [logit per SD weaker; 0
    to 20; M3 voluntary partnering]
    """
    cluster_max_size: int
    """Largest cluster. [schools; 2 to 20; M3 voluntary partnering]"""
    cluster_min_size: int
    """A cluster left with fewer members dissolves. [schools; 2 to 10; M3 voluntary partnering]"""
    m4_cohesion: bool
    """Cohesion rises with benefit, falls with imbalance, mismatch and scarcity; clusters dissolve
    below a threshold. Off: cohesion is frozen and no cluster dissolves. [switch; M4 cohesion]
    """
    cohesion_initial: float
    """Cohesion of a newly formed cluster. [0-1; 0 to 1; M4 cohesion]"""
    cohesion_benefit_gain: float
    """Cohesion gained per SD of expertise members gained from the cluster this term. [cohesion per
    SD gained; 0 to 50; M4 cohesion]
    """
    cohesion_imbalance_loss: float
    """Cohesion lost per term at complete imbalance of give and take. [cohesion per term; 0 to 1; M4
    cohesion]
    """
    cohesion_mismatch_loss: float
    """Cohesion lost to mismatched expectations (spread of members' engagement). [cohesion per term
    per unit SD of engagement; 0 to 1; M4 cohesion]
    """
    cohesion_scarcity_loss: float
    """Cohesion lost per term when every member's CPD budget is exhausted. [cohesion per term; 0 to
    1; M4 cohesion]
    """
    cohesion_drift: float
    """Baseline change per term (habit, friendship). [cohesion per term; -0.1 to 0.1; M4 cohesion]
    """
    cohesion_noise_sd: float
    """Random shocks to cohesion (a head leaves, a row). [cohesion per term; 0 to 0.3; M4 cohesion]
    """
    dissolve_threshold: float
    """A cluster whose cohesion falls below this dissolves. [0-1; 0 to 1; M4 cohesion]"""
    m5_cpd_exchange: bool
    """Schools strong in a domain run CPD for cluster partners who need it. [switch; M5 CPD
    exchange]
    """
    peer_cpd_hours: float
    """CPD a donor school runs for each partner's teachers in one needed domain per term. [hours per
    teacher per term; 0 to 40; M5 CPD exchange]
    """
    reciprocity_limit: float
    """Without a CPD bank: peer CPD a school may receive from its current partners beyond what it
    has given them before they stop serving it (informal reciprocity). [hours per teacher; 0 to
    100; M5 CPD exchange]
    """
    donor_margin: float
    """A school offers CPD in a domain where it is at least this far above the partner. [SD; 0 to 1;
    M5 CPD exchange]
    """
    donor_time_cost: float
    """Leadership expertise a donor loses per term of running CPD for others. [SD of leadership per
    term; 0 to 0.05; M5 CPD exchange]
    """
    m13_inspection: bool
    """Periodic Ofsted-style grades; a poor grade reveals needs and triggers the policy's response.
    [switch; M13 inspection]
    """
    inspection_interval_good: int
    """Terms between inspections of good and outstanding schools. [terms; 3 to 30; M13 inspection]
    """
    inspection_interval_poor: int
    """Terms before a school graded RI or inadequate is re-inspected. [terms; 2 to 30; M13
    inspection]
    """
    inspection_response: float
    """What a school graded RI or inadequate has added to its own teaching by the end of the
    following inspection_response_terms (an action plan, monitoring, the public verdict), before
    any policy's support: the gain measured then, net of its fading; afterwards it fades like
    other non-lasting expertise. [SD of effectiveness; 0 to 0.3; M13 inspection]
    """
    inspection_response_terms: int
    """Terms over which a school's own response to a poor grade builds up. [terms; 1 to 15; M13
    inspection]
    """
    inspection_noise_sd: float
    """Measurement error of an inspection's judgement of effectiveness. [SD; 0 to 0.5; M13
    inspection]
    """
    grade_cut_outstanding: float
    """Judged effectiveness above this is graded outstanding. [SD of effectiveness; -1 to 1.5; M13
    inspection]
    """
    grade_cut_good: float
    """Judged effectiveness above this (and below outstanding) is graded good. [SD of effectiveness;
    -1.5 to 1; M13 inspection]
    """
    grade_cut_ri: float
    """Judged effectiveness above this (and below good) is requires improvement; below is
    inadequate. [SD of effectiveness; -2 to 0.5; M13 inspection]
    """
    m14_turnover: bool
    """Expertise relaxes to the school's anchor with staff turnover, faster in disadvantaged
    schools; random shocks hit expertise. [switch; M14 turnover and decay]
    """
    turnover_rate: float
    """Teachers leaving each year in an average school. [fraction of teachers per year; 0 to 0.5;
    M14 turnover and decay]
    """
    turnover_fsm_multiplier: float
    """Teacher turnover is turnover_rate x (1 + this x (FSM share - 0.24)): faster in disadvantaged
    schools (M14, docs/ODD.md section 7.3). [relative increase per unit FSM share; 0 to 5; M14
    turnover and decay]
    """
    expertise_shock_sd: float
    """Term-to-term change in a mean-sized primary's expertise from staff changes; scales with
    1/sqrt(teachers), so small schools swing more. [SD per term; 0 to 0.1; M14 turnover and
    decay]
    """
    head_turnover_year: float
    """Schools that get a new head each year, at the national FSM share. [fraction of schools per
    year; 0 to 0.3; M14 turnover and decay]
    """
    head_turnover_fsm_multiplier: float
    """Head turnover is head_turnover_year x (1 + this x (FSM share - 0.24)). [relative increase per
    unit FSM share; 0 to 10; M14 turnover and decay]
    """
    head_turnover_poor_grade: float
    """Extra chance of a new head in a year for a school whose latest grade is RI or inadequate
    (governors act). [probability per year; 0 to 0.6; M14 turnover and decay]
    """
    head_effect_persistence: float
    """Share of the school effect (in SD) a new head keeps: staff and culture stay, the rest is the
    new head's, drawn from the same spread. [correlation; 0 to 1; M14 turnover and decay]
    """
    m15_shared_data: bool
    """Shared data in cohesive clusters and monitoring systems improve need identification and
    target support. [switch; M15 shared data]
    """
    data_detection_boost: float
    """Share of the needs a school would miss that shared data reveals. [fraction of undetected
    needs; 0 to 1; M15 shared data]
    """
    data_targeting_boost: float
    """Extra effect of CPD that is targeted with shared data. [relative gain; 0 to 2; M15 shared
    data]
    """
    data_cohesion_min: float
    """Clusters share data only when at least this cohesive. [0-1; 0 to 1; M15 shared data]"""
    travel_cost_per_km: float
    """Travel cost added to a provider's price per km between school and provider; remote schools
    pay more. [£ per teacher-hour per km; 0 to 5; providers]
    """
    provider_capacity_scale: float
    """Scales every provider's capacity per term (see model/market.py for the table). [multiplier;
    0.1 to 10; providers]
    """
    provider_price_scale: float
    """Scales every provider's price. [multiplier; 0.2 to 5; providers]"""
    services_per_pupil: float
    """Spending on common services (ICT, business services) bought on the market; savings on it are
    reinvested in CPD. [£ per pupil per year; 0 to 1000; providers]
    """
    m6_cpd_bank: bool
    """Where the cpd_bank policy runs: offering CPD earns credits, receiving spends them, a levy
    funds common services and urgent responses. Off: no bank even under the policy. [switch; M6
    CPD bank]
    """
    bank_levy: float
    """Share of the credits a receiver pays that goes to the cluster's common fund. [fraction of
    each transaction; 0 to 0.5; M6 CPD bank]
    """
    bank_overdraft: float
    """How far below zero a member's balance may go before partners stop serving it. [credits
    (teacher-hours) per teacher; 0 to 100; M6 CPD bank]
    """
    bank_offer_boost: float
    """Extra peer CPD offered because donors earn credits for it. [relative increase; 0 to 2; M6 CPD
    bank]
    """
    bank_crisis_hours: float
    """Peer CPD the common fund buys for a member graded RI or inadequate. [hours per teacher per
    term; 0 to 40; M6 CPD bank]
    """
    bank_service_cost: float
    """Credits the fund spends per member on common services (a shared data system). [credits per
    teacher per term; 0 to 20; M6 CPD bank]
    """
    m7_joint_commissioning: bool
    """Cohesive clusters buy CPD and services together with volume discounts and a negotiator,
    pooled with a neighbouring cluster (bartering); a lone school pays full price. [switch; M7
    joint commissioning]
    """
    volume_discount_per_school: float
    """Discount per additional school in a joint purchase. [fraction per extra buyer; 0 to 0.3; M7
    joint commissioning]
    """
    volume_discount_max: float
    """Largest volume discount. [fraction; 0 to 0.8; M7 joint commissioning]"""
    negotiator_discount: float
    """Extra discount a cluster's named negotiator wins. [fraction; 0 to 0.3; M7 joint
    commissioning]
    """
    commissioning_cohesion_min: float
    """Clusters commission jointly only when at least this cohesive. [0-1; 0 to 1; M7 joint
    commissioning]
    """
    barter_neighbours: bool
    """Clusters pool purchases with their nearest neighbouring cluster. [switch; M7 joint
    commissioning]
    """
    m8_business_manager: bool
    """Cohesive clusters of small schools hire a shared school business manager: head time freed for
    strategic leadership, procurement savings. [switch; M8 shared business manager]
    """
    sbm_cost: float
    """Cost of a shared business manager. [£ per cluster per year; 0 to 100000; M8 shared business
    manager]
    """
    sbm_head_time: float
    """Share of the head's time freed for strategic work. [fraction of head's time; 0 to 0.5; M8
    shared business manager]
    """
    sbm_leadership_gain: float
    """Leadership expertise gained per term per unit share of head time freed. [SD per term per unit
    of time freed; 0 to 0.5; M8 shared business manager]
    """
    sbm_savings: float
    """Procurement savings per member when the manager finds any (reinvested in CPD). [£ per school
    per year; 0 to 50000; M8 shared business manager]
    """
    sbm_savings_chance: float
    """Chance a shared business manager finds savings at all. [probability; 0 to 1; M8 shared
    business manager]
    """
    sbm_adoption: float
    """Chance per term that an eligible cluster hires a business manager. [probability per term; 0
    to 1; M8 shared business manager]
    """
    small_school_pupils: float
    """Clusters whose mean school is smaller than this are eligible for shared staff. [pupils; 50 to
    2000; M8 shared business manager]
    """
    m9_specialist: bool
    """Cohesive clusters of small schools share a specialist teacher in their weakest subject,
    raising it across members with a ripple into other subjects. [switch; M9 shared specialist
    teacher]
    """
    specialist_cost: float
    """Cost of a shared specialist teacher. [£ per cluster per year; 0 to 150000; M9 shared
    specialist teacher]
    """
    specialist_level: float
    """Expertise a specialist brings to the domain. [SD; -1 to 2; M9 shared specialist teacher]"""
    specialist_rate: float
    """Share of the gap to the specialist's level closed per term in a member school. [fraction of
    the gap per term; 0 to 1; M9 shared specialist teacher]
    """
    specialist_ripple: float
    """Share of the specialist domain's gain that ripples into the other subjects. [fraction; 0 to
    1; M9 shared specialist teacher]
    """
    specialist_maths: bool
    """Shared specialists teach maths, as in Maximising Progress, rather than the cluster's weakest
    subject. [switch; M9 shared specialist teacher]
    """
    specialist_adoption: float
    """Chance per term that an eligible cluster hires a specialist. [probability per term; 0 to 1;
    M9 shared specialist teacher]
    """
    m10_cpd_format: bool
    """One-off events give small fast-decaying gains, sustained programmes larger lasting ones. Off:
    every hour counts alike. [switch; M10 one-off vs sustained CPD]
    """
    oneoff_effect: float
    """Effect of an hour of a one-off event. [fraction of a sustained hour's effect; 0 to 1; M10
    one-off vs sustained CPD]
    """
    oneoff_decay: float
    """Extra share of one-off gains lost each term. [fraction per term; 0 to 1; M10 one-off vs
    sustained CPD]
    """
    sustained_lasting: float
    """Share of a sustained programme's gain that becomes lasting (raises the school's anchor).
    [fraction; 0 to 1; M10 one-off vs sustained CPD]
    """
    m11_suspicion: bool
    """Lower take-up of support offered by a designated lead school. [switch; M11 suspicion of
    centres of excellence]
    """
    suspicion_takeup: float
    """Share of schools that would consider a designated lead school's offer at all; peer CPD from
    one is taken up at this rate. [fraction; 0 to 1; M11 suspicion of centres of excellence]
    """
    m12_federation: bool
    """Where the federation policy runs: federated clusters share head, bursar, SENCO and CPD lead:
    economies of scale, high commitment. Off: no federation. [switch; M12 federation]
    """
    federation_cohesion_min: float
    """Cohesion a cluster needs before it federates. [0-1; 0 to 1; M12 federation]"""
    federation_rate: float
    """Chance per term an eligible cluster federates. [probability per term; 0 to 1; M12 federation]
    """
    federation_max_size: int
    """Largest cluster that federates. [schools; 2 to 7; M12 federation]"""
    federation_saving: float
    """Economies of scale from shared leadership and services, reinvested in CPD. [fraction of
    budget; 0 to 0.1; M12 federation]
    """
    federation_convergence: float
    """How fast members' leadership and SEND expertise converge to the best member's. [fraction of
    gap per term; 0 to 1; M12 federation]
    """
    federation_cohesion_floor: float
    """A federation's cohesion never falls below this (high commitment). [0-1; 0 to 1; M12
    federation]
    """
    la_cluster_size: int
    """Target size of the clusters a local authority forms. [schools; 2 to 12; policy:
    local_authority]
    """
    la_support_hours: float
    """Sustained CPD the LA funds for a school it supports (as much as its budget allows). [hours
    per teacher per term; 0 to 40; policy: local_authority]
    """
    la_budget_per_school: float
    """The LA's school-improvement budget per school it serves: running costs, then funded CPD at
    cpd_price_per_hour. [£ per school per year; 0 to 50000; policy: local_authority]
    """
    la_capacity_share: float
    """Share of its schools the LA can regroup into clusters in a year at the start. [fraction of
    schools per year; 0 to 1; policy: local_authority]
    """
    la_capacity_decline: float
    """Yearly shrinkage of the LA's budget and capacity. [fraction per year; 0 to 1; policy:
    local_authority]
    """
    la_academy_optout: float
    """Chance an academy declines its LA's cluster. [probability; 0 to 1; policy: local_authority]
    """
    super_broker_capacity: float
    """Share of its schools a superintendent can broker into clusters per term. [fraction of
    jurisdiction per term; 0 to 1; policy: superintendent]
    """
    super_support_hours: float
    """Sustained CPD the superintendent funds for a school it supports (flagged schools first, as
    much as its budget allows). [hours per teacher per term; 0 to 40; policy: superintendent]
    """
    super_budget_per_school: float
    """The superintendent's budget per school in the region: the office, then funded CPD at
    cpd_price_per_hour. [£ per school per year; 0 to 100000; policy: superintendent]
    """
    super_urgent_terms: int
    """How long urgent support lasts after a poor grade. [terms; 1 to 30; policy: superintendent]"""
    super_cohesion_support: float
    """Cohesion the superintendent adds to every cluster each term by refereeing disputes and
    keeping members engaged. [cohesion per term; 0 to 0.5; policy: superintendent]
    """
    super_cost_per_school: float
    """Running cost of the superintendent's office per school, paid from its budget. [£ per school
    per year; 0 to 20000; policy: superintendent]
    """
    chain_max_size: int
    """A trust takes over schools only while smaller than this. [schools; 2 to 100; policy:
    academy_chains]
    """
    chain_strength_min: float
    """Only trusts at least this effective take over schools. [SD of mean effectiveness; -1 to 1;
    policy: academy_chains]
    """
    chain_reach_km: float
    """Furthest a trust reaches for a takeover. [km; 1 to 500; policy: academy_chains]"""
    chain_support_hours: float
    """Sustained CPD a trust's central team gives a member with an identified need, paid from the
    top-slice. [hours per teacher per term; 0 to 40; policy: academy_chains]
    """
    chain_conversion_rate: float
    """Chance a year that a small school outside a trust converts and joins one. [probability per
    year; 0 to 0.5; policy: academy_chains]
    """
    chain_top_slice: float
    """Share of each member's budget paid to the trust for central services. [fraction of budget; 0
    to 0.2; policy: academy_chains]
    """
    chain_convergence: float
    """How fast members' leadership converges to the trust's best (executive heads). [fraction of
    gap per term; 0 to 1; policy: academy_chains]
    """
    hub_schools_per_hub: int
    """One hub is designated per this many schools. [schools; 20 to 2000; policy:
    teaching_school_hubs]
    """
    hub_budget_per_school: float
    """Government grant to hubs per school they serve; it pays the gap between an hour's full cost
    and the subsidised price, so it sets the hubs' capacity. [£ per school per year; 0 to 20000;
    policy: teaching_school_hubs]
    """
    hub_price: float
    """Subsidised price of hub CPD. [£ per teacher-hour; 0 to 200; policy: teaching_school_hubs]"""
    incentive_grant: float
    """Carrot: grant to every school in a cluster, spent on CPD. [£ per clustered school per year; 0
    to 20000; policy: incentives]
    """
    incentive_penalty: float
    """Stick: deducted from the CPD budget of a school going alone. [£ per unclustered school per
    year; 0 to 20000; policy: incentives]
    """
    incentive_engagement: float
    """How much the incentives raise schools' propensity to seek partners. [relative increase; 0 to
    2; policy: incentives]
    """
    la_cost_per_school: float
    """Running cost of LA school improvement per school, paid from its budget. [£ per school per
    year; 0 to 20000; policy: local_authority]
    """
    la_grouping: bool
    """Component of the policy: groups its schools into geographic clusters, at setup and yearly.
    Off: `clustersim explain` measures what it adds. [switch; policy: local_authority]
    """
    la_monitoring: bool
    """Component of the policy: monitors its schools' data (M15 need identification). Off:
    `clustersim explain` measures what it adds. [switch; policy: local_authority]
    """
    la_funded_support: bool
    """Component of the policy: funds sustained CPD for schools with a need from its budget. Off:
    `clustersim explain` measures what it adds. [switch; policy: local_authority]
    """
    super_placement: bool
    """Component of the policy: places every school in a cluster, isolated and weakest first. Off:
    `clustersim explain` measures what it adds. [switch; policy: superintendent]
    """
    super_monitoring: bool
    """Component of the policy: monitors every school's data: flags poor grades and results below
    the floor. Off: `clustersim explain` measures what it adds. [switch; policy: superintendent]
    """
    super_negotiation: bool
    """Component of the policy: negotiates commissioning for every cluster (M7). Off: `clustersim
    explain` measures what it adds. [switch; policy: superintendent]
    """
    super_funded_support: bool
    """Component of the policy: funds sustained CPD from its budget, flagged schools first. Off:
    `clustersim explain` measures what it adds. [switch; policy: superintendent]
    """
    super_refereeing: bool
    """Component of the policy: referees clusters, adding cohesion each term. Off: `clustersim
    explain` measures what it adds. [switch; policy: superintendent]
    """
    chain_takeovers: bool
    """Component of the policy: strong trusts take over schools graded inadequate. Off: `clustersim
    explain` measures what it adds. [switch; policy: academy_chains]
    """
    chain_conversions: bool
    """Component of the policy: small schools outside a trust convert and join one. Off: `clustersim
    explain` measures what it adds. [switch; policy: academy_chains]
    """
    chain_funded_support: bool
    """Component of the policy: government funds extra CPD for trusts' members graded below good.
    Off: `clustersim explain` measures what it adds. [switch; policy: academy_chains]
    """
    hub_cpd: bool
    """Component of the policy: hubs sell CPD at a subsidised price, paid by the grant. Off:
    `clustersim explain` measures what it adds. [switch; policy: teaching_school_hubs]
    """
    incentive_grants: bool
    """Component of the policy: a grant for every school in a cluster, spent on CPD. Off:
    `clustersim explain` measures what it adds. [switch; policy: incentives]
    """
    incentive_penalties: bool
    """Component of the policy: a deduction from the CPD budget of a school going alone. Off:
    `clustersim explain` measures what it adds. [switch; policy: incentives]
    """
    incentive_seeking: bool
    """Component of the policy: schools seek partners more often. Off: `clustersim explain` measures
    what it adds. [switch; policy: incentives]
    """
    chain_budget_per_school: float
    """Public money for trusts' school improvement, spent on CPD for members graded below good (the
    top-slice pays for the rest). [£ per school in a trust per year; 0 to 50000; policy:
    academy_chains]
    """
    bank_budget_per_school: float
    """Public money buying teacher time for clusters' common funds (urgent responses, common
    services). [£ per clustered school per year; 0 to 50000; M6 CPD bank]
    """
    federation_budget_per_school: float
    """Public grant to federated schools, spent on CPD. [£ per federated school per year; 0 to
    50000; M12 federation]
    """

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Params:
        """The parameters among ``values`` (a resolved config: other keys ignored)."""
        return cls(**{f.name: values[f.name] for f in fields(cls)})
