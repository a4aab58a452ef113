"""Every tunable quantity of clustersim, declared once, with its unit, range and source.

Sources cite the IDs of docs/evidence.md: ``evidence C6`` is a row there (a fact with
its publication, year and status), ``seed NNN`` one of the five seed articles
(S000-S004 there); ``calibrated: Pn`` means the default was tuned so that validation
pattern Pn (docs/evidence.md section D) holds; ``estimate`` a figure worked out from
rows; ``design choice`` is a choice of the model's question, not a fact; ``assumption``
means no source yet: treat the default as a modelling choice and vary it (clustersim
sensitivity ranks them).

Scales: effectiveness and expertise are latent school effects in standard deviations
(SD) of pupil attainment (docs/ODD.md section 2); attainment is the percentage of pupils reaching
the expected standard; one step is one school term (three a year).
"""

from __future__ import annotations

from clustersim.model.registry import Param, Registry

_P = Param

PARAMS = Registry(
    [
        # ---------------------------------------------------------------- outcomes
        _P("weak_quantile", 0.2, 0.05, 0.5, "fraction 0-1", "outcomes",
           "Schools in this bottom fraction of initial effectiveness are the 'weak' schools "
           "whose fate the outcomes track.",
           "design choice: the bottom fifth of initial effectiveness (docs/ODD.md section 1)"),
        _P("floor_rwm", 65.0, 30.0, 90.0, "% at expected standard (RWM)", "outcomes",
           "Floor standard: a school below this share in reading+writing+maths combined and "
           "below the progress floor is 'below the floor'.",
           "evidence B2-3: primary floor standard, 65% at the expected standard in RWM"),
        _P("floor_progress", -5.0, -15.0, 0.0, "KS2 progress points", "outcomes",
           "Progress floor (value added); below it and below floor_rwm is below the floor.",
           "evidence B2-3: progress floor -5 in reading and maths (writing's -7 not modelled)"),
        _P("progress_points_per_sd", 11.909, 1.0, 40.0, "progress points per SD of effectiveness",
           "outcomes",
           "Converts a school's latent effectiveness into a KS2-style progress score.",
           "calibrated at term 0 (scripts/calibrate_start.py): 4% of schools below the floor "
           "(evidence B2-4)"),
        # ---------------------------------------------------------------- money
        _P("funding_per_pupil", 5500.0, 3000.0, 10000.0, "£ per pupil per year", "money",
           "Core per-pupil funding; budgets are this times pupils, paid per term.",
           "assumption, bounded by evidence X6 (C1-C3): £74k-£100k income per teacher, "
           "£3,700-£5,000 a pupil at 20 pupils a teacher"),
        _P("cpd_budget_share", 0.007, 0.0, 0.05, "fraction of income", "money",
           "Share of income a school sets aside for external CPD.",
           "evidence C1: schools spend about 0.7% of income on CPD"),
        _P("cpd_price_per_hour", 40.0, 5.0, 200.0, "£ per teacher-hour", "money",
           "Price of one teacher-hour of broker-funded sustained CPD (advisers' time).",
           "assumption: no price in the evidence (at £40 an hour, evidence C2's £517 per "
           "teacher a year buys about 13 hours)"),
        _P("pupils_per_teacher", 20.0, 10.0, 30.0, "pupils per teacher", "money",
           "Converts pupils into teachers for CPD hours per teacher.", "assumption"),
        _P("allowed_deficit_share", 0.0, 0.0, 0.2, "fraction of term budget", "money",
           "How far a school's CPD spending may exceed its CPD budget in a term.",
           "assumption (no deficit)"),
        # ---------------------------------------------------------------- learning
        _P("cpd_hours_cap", 20.0, 1.0, 60.0, "hours per teacher per term", "learning",
           "Most CPD a school's teachers can take in a term with effect: quality-weighted "
           "hours beyond it add nothing (teachers' time is finite).",
           "assumption (~60 h a year: 5 INSET days are ~33 h, plus twilight sessions; at "
           "12 h a term a programme on top of a school's own CPD lost half its effect, P6)"),
        _P("cpd_effect_per_hour", 0.003, 0.0, 0.02, "SD per hour per teacher", "learning",
           "Gain in domain expertise from one hour per teacher of high-quality sustained CPD; "
           "30 h a year gives ~0.09 SD.",
           "evidence C4: PD raises attainment 0.09 SD over 52 RCTs (C5: large coaching "
           "trials ~0.09 SD); assumption: that effect takes 30 h a year; P6"),
        _P("peer_cpd_quality", 0.8, 0.0, 1.0, "fraction of full effect", "learning",
           "Effect of CPD run by a partner school relative to sustained high-quality CPD.",
           "seed 000, seed 001 (local networks); assumption for the value"),
        _P("skill_fade_year", 0.2, 0.0, 1.0, "fraction per year", "learning",
           "Share of CPD-acquired expertise above the school's anchor lost per year "
           "without reinforcement.",
           "calibrated: P6 (evidence C4, C5: sustained gains ~0.05-0.10 SD)"),
        _P("learning_capacity_leadership", 0.5, 0.0, 2.0, "multiplier per SD of leadership",
           "learning", "How much stronger leadership raises the gain a school draws from CPD.",
           "assumption"),
        # ---------------------------------------------------------------- region state
        _P("effectiveness_sd", 0.25, 0.05, 0.6, "SD", "region",
           "Spread of school effectiveness around its deprivation-predicted level.",
           "calibrated: P1 (evidence B1, B2 grade shares)"),
        _P("deprivation_slope", 0.785, 0.0, 3.0, "SD per unit FSM share", "region",
           "How much lower a school's effectiveness is per unit of FSM share.",
           "calibrated at term 0 by scripts/calibrate_start.py to evidence B5 (1.8% to 8.0% "
           "RI or inadequate by FSM quintile: a ratio of 4.4 on england), so P2 is a fit"),
        _P("regional_effect_sd", 0.07, 0.0, 0.5, "SD", "region",
           "Spread of effectiveness between England's regions beyond their deprivation "
           "(the 'London effect'); only presets with 9+ LAs have regions.",
           "calibrated: P9 (evidence B4: 73-94% good or outstanding, secondaries only)"),
        _P("fsm_pupil_gap", 1.2, 0.0, 3.0, "SD per unit FSM share", "region",
           "Attainment penalty of disadvantage independent of school quality.",
           "assumption (a pupil-level disadvantage gap of ~0.6-1 SD; docs/evidence.md "
           "has only school-level gradients)"),
        _P("burn_in_years", 8, 0, 15, "years", "region",
           "Years of the status quo's school dynamics (no middle tier, no clusters) run "
           "before term 0, so that CPD stocks, schools' responses to poor grades and grades "
           "have settled when policies start.",
           "assumption, measured: after 8 years the status quo's grade shares and "
           "below-floor share move by under 1 pp over the next 20 years (after 3, good or "
           "outstanding still rose 5 pp in the first six years: the lasting CPD stock "
           "decays at the staff turnover, ~10% a year)"),
        # ---------------------------------------------------------------- attainment
        _P("attain_offset_rwm", 0.189, -2.0, 3.0, "probit", "attainment",
           "Baseline of the reading+writing+maths combined share at the expected standard.",
           "calibrated at term 0 on the england preset (scripts/calibrate_start.py): "
           "evidence B2-1 (RWM 59-60%)"),
        _P("attain_offset_maths", 0.569, -2.0, 3.0, "probit", "attainment",
           "Baseline of the maths share at the expected standard.",
           "moved with attain_offset_rwm at each calibration (scripts/calibrate_start.py); "
           "first set to evidence B2-1 (maths 73%)"),
        _P("attain_offset_english", 0.539, -2.0, 3.0, "probit", "attainment",
           "Baseline of the English (reading, writing) share at the expected standard.",
           "moved with attain_offset_rwm (scripts/calibrate_start.py); first set to evidence "
           "B2-1 (reading 73%, writing 71%)"),
        _P("attain_offset_science", 0.749, -2.0, 3.0, "probit", "attainment",
           "Baseline of the science share at the expected standard.",
           "assumption (moved with attain_offset_rwm: scripts/calibrate_start.py)"),
        _P("cohort_noise", 1.0, 0.0, 3.0, "probit x sqrt(pupils in cohort)", "attainment",
           "Year-to-year noise of a cohort's results; small schools' results swing more.",
           "assumption; evidence X9: binomial sampling alone gives at least 1.25 (this "
           "default is below it)"),
        _P("need_benchmark", 0.3, -1.0, 2.0, "SD", "attainment",
           "Expertise level a school aims for; the shortfall in a domain is its need.",
           "assumption (roughly an outstanding school's level)"),
        # ---------------------------------------------------------------- M1
        _P("m1_hard_to_reach", True, None, None, "switch", "M1 hard to reach",
           "Engagement falls with weakness, isolation and rurality.", "seed 000", "bool"),
        _P("engagement_base", 0.7, 0.0, 1.0, "probability", "M1 hard to reach",
           "Propensity to collaborate of an average, connected, urban school.", "assumption"),
        _P("engagement_weakness_penalty", 0.5, 0.0, 1.0, "fraction per SD below mean",
           "M1 hard to reach",
           "Relative fall in engagement per SD of effectiveness below the mean.",
           "seed 000 ('those who need the most support are furthest away'); assumption"),
        _P("engagement_isolation_penalty", 0.3, 0.0, 1.0, "fraction", "M1 hard to reach",
           "Relative fall in engagement for a school outside any cluster.", "seed 000; assumption"),
        _P("engagement_rural_penalty", 0.25, 0.0, 1.0, "fraction", "M1 hard to reach",
           "Relative fall in engagement for a rural school.", "seed 000 ('schools on the edge')"),
        # ---------------------------------------------------------------- M2
        _P("m2_hidden_needs", True, None, None, "switch", "M2 hidden needs",
           "Needs are acted on only once identified: by self-evaluation, a results drop or an "
           "inspection.", "seed 001", "bool"),
        _P("selfeval_mean", 0.5, 0.0, 1.0, "probability per term", "M2 hidden needs",
           "Chance per term that an average school spots a real need by self-evaluation.",
           "seed 001; assumption"),
        _P("selfeval_effectiveness_slope", 0.8, 0.0, 3.0, "logit per SD", "M2 hidden needs",
           "How much better stronger schools are at spotting their needs.",
           "seed 001 ('many schools lack the experience of quality assurance')"),
        _P("reveal_terms", 6, 1, 30, "terms", "M2 hidden needs",
           "How long a poor inspection or a results drop keeps a school's needs in view.",
           "seed 001 ('until things go wrong or unless Ofsted calls'); assumption"),
        _P("results_drop_pp", 5.0, 0.0, 30.0, "percentage points", "M2 hidden needs",
           "A fall in RWM attainment this large over a year reveals the school's needs.",
           "assumption"),
        # ---------------------------------------------------------------- M3
        _P("m3_voluntary_partnering", True, None, None, "switch", "M3 voluntary partnering",
           "Unclustered schools seek partners nearby, on trust, similarity and complementarity.",
           "seed 002, seed 004", "bool"),
        _P("seek_rate", 0.12, 0.0, 1.0, "probability per term", "M3 voluntary partnering",
           "Chance per term that a fully engaged unclustered school looks for partners.",
           "calibrated: P3 (collaboration is not the default)"),
        _P("search_neighbours", 8, 1, 16, "schools", "M3 voluntary partnering",
           "How many nearest schools a seeker considers.", "assumption"),
        _P("max_partner_km", 20.0, 1.0, 200.0, "km", "M3 voluntary partnering",
           "Schools further apart than this do not partner voluntarily.", "assumption; P5"),
        _P("homophily_weight", 3.0, 0.0, 10.0, "logit per SD of effectiveness difference",
           "M3 voluntary partnering",
           "Preference for partners of similar quality.",
           "assumption, checked by P5 (partners more alike than chance; no figure)"),
        _P("complementarity_weight", 1.0, 0.0, 10.0, "logit per SD", "M3 voluntary partnering",
           "Preference for partners strong where the seeker is weak.", "seed 002"),
        _P("distance_weight", 0.1, 0.0, 2.0, "logit per km", "M3 voluntary partnering",
           "Dislike of distant partners.",
           "assumption, checked by P5 (partner distance well below random pairs)"),
        _P("refusal_strength", 4.0, 0.0, 20.0, "logit per SD weaker", "M3 voluntary partnering",
           "How strongly a stronger school or cluster refuses a weaker applicant.",
           "seed 004 ('a two-tier system in which strong schools thrive')"),
        _P("cluster_max_size", 7, 2, 20, "schools", "M3 voluntary partnering",
           "Largest cluster.",
           "seed 003 (clusters of 4-7); evidence C8 (peer-review clusters of 3-7), C12"),
        _P("cluster_min_size", 2, 2, 10, "schools", "M3 voluntary partnering",
           "A cluster left with fewer members dissolves.",
           "evidence C9 (88% of federations have two schools), C8 (clusters of 3-7)"),
        # ---------------------------------------------------------------- M4
        _P("m4_cohesion", True, None, None, "switch", "M4 cohesion",
           "Cohesion rises with benefit, falls with imbalance, mismatch and scarcity; clusters "
           "dissolve below a threshold. Off: cohesion is frozen and no cluster dissolves.",
           "seed 000 ('cluster development is akin to marriage')", "bool"),
        _P("cohesion_initial", 0.6, 0.0, 1.0, "0-1", "M4 cohesion",
           "Cohesion of a newly formed cluster.", "assumption"),
        _P("cohesion_benefit_gain", 4.0, 0.0, 50.0, "cohesion per SD gained", "M4 cohesion",
           "Cohesion gained per SD of expertise members gained from the cluster this term.",
           "seed 000; assumption"),
        _P("cohesion_imbalance_loss", 0.05, 0.0, 1.0, "cohesion per term", "M4 cohesion",
           "Cohesion lost per term at complete imbalance of give and take.", "seed 000"),
        _P("cohesion_mismatch_loss", 0.1, 0.0, 1.0, "cohesion per term per unit SD of engagement",
           "M4 cohesion",
           "Cohesion lost to mismatched expectations (spread of members' engagement).",
           "seed 000 ('mismatch of expectations')"),
        _P("cohesion_scarcity_loss", 0.04, 0.0, 1.0, "cohesion per term", "M4 cohesion",
           "Cohesion lost per term when every member's CPD budget is exhausted.",
           "seed 000 ('pressure from scarce resources')"),
        _P("cohesion_drift", 0.005, -0.1, 0.1, "cohesion per term", "M4 cohesion",
           "Baseline change per term (habit, friendship).", "assumption"),
        _P("cohesion_noise_sd", 0.02, 0.0, 0.3, "cohesion per term", "M4 cohesion",
           "Random shocks to cohesion (a head leaves, a row).", "assumption"),
        _P("dissolve_threshold", 0.15, 0.0, 1.0, "0-1", "M4 cohesion",
           "A cluster whose cohesion falls below this dissolves.", "assumption"),
        # ---------------------------------------------------------------- M5
        _P("m5_cpd_exchange", True, None, None, "switch", "M5 CPD exchange",
           "Schools strong in a domain run CPD for cluster partners who need it.",
           "seed 000, seed 001", "bool"),
        _P("peer_cpd_hours", 6.0, 0.0, 40.0, "hours per teacher per term", "M5 CPD exchange",
           "CPD a donor school runs for each partner's teachers in one needed domain per term.",
           "assumption, bounded by evidence C8 (4 training days a year: at most ~8 h per "
           "teacher a term even if every teacher attended)"),
        _P("reciprocity_limit", 6.0, 0.0, 100.0, "hours per teacher", "M5 CPD exchange",
           "Without a CPD bank: peer CPD a school may receive from its current partners beyond "
           "what it has given them before they stop serving it (informal reciprocity).",
           "assumption: one term's peer CPD; evidence C18 (partnerships last on mutual benefit; "
           "a time bank's multilateral credit lets members receive without direct return)"),
        _P("donor_margin", 0.1, 0.0, 1.0, "SD", "M5 CPD exchange",
           "A school offers CPD in a domain where it is at least this far above the partner.",
           "assumption"),
        _P("donor_time_cost", 0.002, 0.0, 0.05, "SD of leadership per term", "M5 CPD exchange",
           "Leadership expertise a donor loses per term of running CPD for others.",
           "seed 000 (imbalance of contribution); assumption"),
        # ---------------------------------------------------------------- M13
        _P("m13_inspection", True, None, None, "switch", "M13 inspection",
           "Periodic Ofsted-style grades; a poor grade reveals needs and triggers the policy's "
           "response.", "seed 001, seed 004", "bool"),
        _P("inspection_interval_good", 12, 3, 30, "terms", "M13 inspection",
           "Terms between inspections of good and outstanding schools.",
           "evidence B7: good schools inspected about every 4 years (12 terms)"),
        _P("inspection_interval_poor", 7, 2, 30, "terms", "M13 inspection",
           "Terms before a school graded RI or inadequate is re-inspected.",
           "evidence B7: RI re-inspected within 30 months (at most 7.5 terms); the same "
           "interval for inadequate schools is an assumption"),
        _P("inspection_response", 0.10, 0.0, 0.3, "SD of effectiveness", "M13 inspection",
           "What a school graded RI or inadequate has added to its own teaching by the end "
           "of the following inspection_response_terms (an action plan, monitoring, the "
           "public verdict), before any policy's support: the gain measured then, net of "
           "its fading; afterwards it fades like other non-lasting expertise.",
           "evidence B12: schools that just failed an inspection gained ~0.10 pupil SD over "
           "the next 2-3 years (B13: a fail rating raised primaries' test scores); its "
           "extension to RI schools is an assumption (RI replaced 'satisfactory' in 2012 to "
           "extend that pressure)"),
        _P("inspection_response_terms", 6, 1, 15, "terms", "M13 inspection",
           "Terms over which a school's own response to a poor grade builds up.",
           "evidence B12: the gain built up over the two to three years after the verdict"),
        _P("inspection_noise_sd", 0.12, 0.0, 0.5, "SD", "M13 inspection",
           "Measurement error of an inspection's judgement of effectiveness.",
           "bounded by evidence B10: two inspectors disagreed on 2 of 24 good primaries, "
           "which this model matches for 0.06-0.15 SD"),
        _P("grade_cut_outstanding", 0.289, -1.0, 1.5, "SD of effectiveness", "M13 inspection",
           "Judged effectiveness above this is graded outstanding.",
           "calibrated at term 0 on the england preset (scripts/calibrate_start.py): "
           "evidence B1 (21% outstanding, 2018)"),
        _P("grade_cut_good", -0.189, -1.5, 1.0, "SD of effectiveness", "M13 inspection",
           "Judged effectiveness above this (and below outstanding) is graded good.",
           "calibrated at term 0 on the england preset (scripts/calibrate_start.py): "
           "evidence B1-B2 (good or outstanding 86-90%; 88% targeted)"),
        _P("grade_cut_ri", -0.394, -2.0, 0.5, "SD of effectiveness", "M13 inspection",
           "Judged effectiveness above this (and below good) is requires improvement; below is "
           "inadequate.", "calibrated at term 0 on the england preset "
           "(scripts/calibrate_start.py): evidence B1-B2 (inadequate 2-4%; 3% targeted)"),
        # ---------------------------------------------------------------- M14
        _P("m14_turnover", True, None, None, "switch", "M14 turnover and decay",
           "Expertise relaxes to the school's anchor with staff turnover, faster in "
           "disadvantaged schools; random shocks hit expertise.",
           "no seed (M14 is an assumption); rates from evidence C6, C13, C14", "bool"),
        _P("turnover_rate", 0.097, 0.0, 0.5, "fraction of teachers per year",
           "M14 turnover and decay", "Teachers leaving each year in an average school.",
           "evidence C6: 9.7% of teachers leave each year"),
        _P("turnover_fsm_multiplier", 1.0, 0.0, 5.0, "relative increase per unit FSM share",
           "M14 turnover and decay",
           "Teacher turnover is turnover_rate x (1 + this x (FSM share - 0.24)): faster in "
           "disadvantaged schools (M14, docs/ODD.md section 7.3).",
           "direction: evidence C14 (head turnover by deprivation) and C6; value assumption "
           "(~12% a year at 50% FSM, ~8% at 5%)"),
        _P("expertise_shock_sd", 0.008, 0.0, 0.1, "SD per term", "M14 turnover and decay",
           "Term-to-term change in a mean-sized primary's expertise from staff changes; "
           "scales with 1/sqrt(teachers), so small schools swing more.",
           "estimate: teacher effects ~0.11 SD (evidence C4) x turnover 9.7% a year (C6) "
           "over 14 teachers gives ~0.0075 SD a term"),
        _P("head_turnover_year", 0.08, 0.0, 0.3, "fraction of schools per year",
           "M14 turnover and decay",
           "Schools that get a new head each year, at the national FSM share.",
           "evidence C13: ~1,500-2,100 head changes each September in ~20,000 schools; "
           "70-79% of primary and 60-65% of secondary heads still in post after 5 years"),
        _P("head_turnover_fsm_multiplier", 4.0, 0.0, 10.0,
           "relative increase per unit FSM share", "M14 turnover and decay",
           "Head turnover is head_turnover_year x (1 + this x (FSM share - 0.24)).",
           "evidence C14: secondary heads changed 8.7% in the most deprived band vs 2.3% in "
           "the least (2024-25); this value gives a smaller ratio (~2.6x)"),
        _P("head_turnover_poor_grade", 0.10, 0.0, 0.6, "probability per year",
           "M14 turnover and decay",
           "Extra chance of a new head in a year for a school whose latest grade is RI or "
           "inadequate (governors act).",
           "bounded by evidence C17: head retention ~10 pp below average in the year after a "
           "downgrade to inadequate (secondaries, NFER 2017); applying it to RI as well is an "
           "assumption (the study found no such drop after milder grades: an upper bound)"),
        _P("head_effect_persistence", 0.9, 0.0, 1.0, "correlation", "M14 turnover and decay",
           "Share of the school effect (in SD) a new head keeps: staff and culture stay, "
           "the rest is the new head's, drawn from the same spread.",
           "evidence C19: head effects of 0.05-0.15 SD against a school spread of 0.25 SD "
           "leave the head 5-35% of the variance (correlation 0.8-0.97); heads explain at "
           "most 14% of school value added (Chiang, Lipscomb & Gill 2016)"),
        # ---------------------------------------------------------------- M15
        _P("m15_shared_data", True, None, None, "switch", "M15 shared data",
           "Shared data in cohesive clusters and monitoring systems improve need "
           "identification and target support.", "seed 001, seed 003", "bool"),
        _P("data_detection_boost", 0.5, 0.0, 1.0, "fraction of undetected needs",
           "M15 shared data", "Share of the needs a school would miss that shared data reveals.",
           "seed 001 ('strong monitoring/information systems'); assumption"),
        _P("data_targeting_boost", 0.25, 0.0, 2.0, "relative gain", "M15 shared data",
           "Extra effect of CPD that is targeted with shared data.", "seed 003; assumption"),
        _P("data_cohesion_min", 0.4, 0.0, 1.0, "0-1", "M15 shared data",
           "Clusters share data only when at least this cohesive.", "assumption"),
        # ---------------------------------------------------------------- providers
        _P("travel_cost_per_km", 0.4, 0.0, 5.0, "£ per teacher-hour per km", "providers",
           "Travel cost added to a provider's price per km between school and provider; "
           "remote schools pay more.", "seed 000 (schools on the edge); assumption"),
        _P("provider_capacity_scale", 1.0, 0.1, 10.0, "multiplier", "providers",
           "Scales every provider's capacity per term (see model/market.py for the table).",
           "assumption"),
        _P("provider_price_scale", 1.0, 0.2, 5.0, "multiplier", "providers",
           "Scales every provider's price.", "assumption"),
        _P("services_per_pupil", 150.0, 0.0, 1000.0, "£ per pupil per year", "providers",
           "Spending on common services (ICT, business services) bought on the market; "
           "savings on it are reinvested in CPD.", "seed 000 (ICT solutions); assumption"),
        # ---------------------------------------------------------------- M6
        _P("m6_cpd_bank", True, None, None, "switch", "M6 CPD bank",
           "Where the cpd_bank policy runs: offering CPD earns credits, receiving spends them, "
           "a levy funds common services and urgent responses. Off: no bank even under the "
           "policy.", "seed 002"),
        _P("bank_levy", 0.1, 0.0, 0.5, "fraction of each transaction", "M6 CPD bank",
           "Share of the credits a receiver pays that goes to the cluster's common fund.",
           "seed 002 ('the bank can take a levy'); assumption for the value"),
        _P("bank_overdraft", 30.0, 0.0, 100.0, "credits (teacher-hours) per teacher",
           "M6 CPD bank", "How far below zero a member's balance may go before partners stop "
           "serving it.",
           "assumption: about a year of peer CPD received on credit (6 h a term x 1.5 offer "
           "boost x 3 terms), against one term's without a bank (reciprocity_limit, C18)"),
        _P("bank_offer_boost", 0.5, 0.0, 2.0, "relative increase", "M6 CPD bank",
           "Extra peer CPD offered because donors earn credits for it.", "seed 002; assumption"),
        _P("bank_crisis_hours", 6.0, 0.0, 40.0, "hours per teacher per term", "M6 CPD bank",
           "Peer CPD the common fund buys for a member graded RI or inadequate.",
           "seed 002 ('urgent responses')"),
        _P("bank_service_cost", 1.0, 0.0, 20.0, "credits per teacher per term", "M6 CPD bank",
           "Credits the fund spends per member on common services (a shared data system).",
           "seed 002 ('common services')"),
        # ---------------------------------------------------------------- M7
        _P("m7_joint_commissioning", True, None, None, "switch", "M7 joint commissioning",
           "Cohesive clusters buy CPD and services together with volume discounts and a "
           "negotiator, pooled with a neighbouring cluster (bartering); a lone school pays "
           "full price.", "seed 000, seed 002"),
        _P("volume_discount_per_school", 0.05, 0.0, 0.3, "fraction per extra buyer",
           "M7 joint commissioning", "Discount per additional school in a joint purchase.",
           "seed 002 ('bargain for goods and services'); assumption"),
        _P("volume_discount_max", 0.3, 0.0, 0.8, "fraction", "M7 joint commissioning",
           "Largest volume discount.", "assumption"),
        _P("negotiator_discount", 0.05, 0.0, 0.3, "fraction", "M7 joint commissioning",
           "Extra discount a cluster's named negotiator wins.",
           "seed 002 ('someone with the best negotiating skills')"),
        _P("commissioning_cohesion_min", 0.3, 0.0, 1.0, "0-1", "M7 joint commissioning",
           "Clusters commission jointly only when at least this cohesive.", "assumption"),
        _P("barter_neighbours", True, None, None, "switch", "M7 joint commissioning",
           "Clusters pool purchases with their nearest neighbouring cluster.",
           "seed 000 ('bartering with neighbouring clusters')"),
        # ---------------------------------------------------------------- M8
        _P("m8_business_manager", True, None, None, "switch", "M8 shared business manager",
           "Cohesive clusters of small schools hire a shared school business manager: head "
           "time freed for strategic leadership, procurement savings.", "seed 002, seed 003"),
        _P("sbm_cost", 35000.0, 0.0, 100000.0, "£ per cluster per year",
           "M8 shared business manager", "Cost of a shared business manager.",
           "evidence C7: a shared business manager costs about £35k a year"),
        _P("sbm_head_time", 0.2, 0.0, 0.5, "fraction of head's time",
           "M8 shared business manager", "Share of the head's time freed for strategic work.",
           "evidence C7: heads freed 15-30% of their time"),
        _P("sbm_leadership_gain", 0.04, 0.0, 0.5, "SD per term per unit of time freed",
           "M8 shared business manager",
           "Leadership expertise gained per term per unit share of head time freed.",
           "seed 003; assumption"),
        _P("sbm_savings", 4000.0, 0.0, 50000.0, "£ per school per year",
           "M8 shared business manager",
           "Procurement savings per member when the manager finds any (reinvested in CPD).",
           "evidence C7, X5: ~£20k across five primaries, ~£4k a school (period not "
           "stated), often none"),
        _P("sbm_savings_chance", 0.5, 0.0, 1.0, "probability", "M8 shared business manager",
           "Chance a shared business manager finds savings at all.",
           "evidence C7 ('often none'); assumption for the value"),
        _P("sbm_adoption", 0.05, 0.0, 1.0, "probability per term", "M8 shared business manager",
           "Chance per term that an eligible cluster hires a business manager.",
           "assumption"),
        _P("small_school_pupils", 210.0, 50.0, 2000.0, "pupils", "M8 shared business manager",
           "Clusters whose mean school is smaller than this are eligible for shared staff.",
           "seed 003 (small rural primaries); assumption (one-form entry)"),
        # ---------------------------------------------------------------- M9
        _P("m9_specialist", True, None, None, "switch", "M9 shared specialist teacher",
           "Cohesive clusters of small schools share a specialist teacher in their weakest "
           "subject, raising it across members with a ripple into other subjects.", "seed 003"),
        _P("specialist_cost", 45000.0, 0.0, 150000.0, "£ per cluster per year",
           "M9 shared specialist teacher", "Cost of a shared specialist teacher.", "assumption"),
        _P("specialist_level", 0.5, -1.0, 2.0, "SD", "M9 shared specialist teacher",
           "Expertise a specialist brings to the domain.", "assumption"),
        _P("specialist_rate", 0.22, 0.0, 1.0, "fraction of the gap per term",
           "M9 shared specialist teacher",
           "Share of the gap to the specialist's level closed per term in a member school.",
           "calibrated: P7 (Maximising Progress +5-8 pp in 18 months; re-fitted with "
           "clustersim calibrate after the round-3 dynamics, 0.15 -> 0.22)"),
        _P("specialist_ripple", 0.3, 0.0, 1.0, "fraction", "M9 shared specialist teacher",
           "Share of the specialist domain's gain that ripples into the other subjects.",
           "seed 003 ('ripple effect' into English and science)"),
        _P("specialist_maths", False, None, None, "switch", "M9 shared specialist teacher",
           "Shared specialists teach maths, as in Maximising Progress, rather than the "
           "cluster's weakest subject.", "seed 003 ('specialist maths teachers')"),
        _P("specialist_adoption", 0.05, 0.0, 1.0, "probability per term",
           "M9 shared specialist teacher",
           "Chance per term that an eligible cluster hires a specialist.", "assumption"),
        # ---------------------------------------------------------------- M10
        _P("m10_cpd_format", True, None, None, "switch", "M10 one-off vs sustained CPD",
           "One-off events give small fast-decaying gains, sustained programmes larger lasting "
           "ones. Off: every hour counts alike.", "seed 001"),
        _P("oneoff_effect", 0.4, 0.0, 1.0, "fraction of a sustained hour's effect",
           "M10 one-off vs sustained CPD", "Effect of an hour of a one-off event.",
           "seed 001 ('one day/one off events'); P6 ('one-off events much less'); "
           "assumption for the value"),
        _P("oneoff_decay", 0.5, 0.0, 1.0, "fraction per term", "M10 one-off vs sustained CPD",
           "Extra share of one-off gains lost each term.", "seed 001 ('one day/one off events')"),
        _P("sustained_lasting", 0.5, 0.0, 1.0, "fraction", "M10 one-off vs sustained CPD",
           "Share of a sustained programme's gain that becomes lasting (raises the school's "
           "anchor).", "seed 001 ('change cultures'); assumption"),
        # ---------------------------------------------------------------- M11
        _P("m11_suspicion", True, None, None, "switch", "M11 suspicion of centres of excellence",
           "Lower take-up of support offered by a designated lead school.", "seed 001"),
        _P("suspicion_takeup", 0.5, 0.0, 1.0, "fraction", "M11 suspicion of centres of excellence",
           "Share of schools that would consider a designated lead school's offer at all; "
           "peer CPD from one is taken up at this rate.",
           "seed 001 ('deeply suspicious of any school that sets itself up as a centre of "
           "excellence')"),
        # ---------------------------------------------------------------- M12
        _P("m12_federation", True, None, None, "switch", "M12 federation",
           "Where the federation policy runs: federated clusters share head, bursar, SENCO and "
           "CPD lead: economies of scale, high commitment. Off: no federation.", "seed 002"),
        _P("federation_cohesion_min", 0.5, 0.0, 1.0, "0-1", "M12 federation",
           "Cohesion a cluster needs before it federates.", "assumption"),
        _P("federation_rate", 0.1, 0.0, 1.0, "probability per term", "M12 federation",
           "Chance per term an eligible cluster federates.", "assumption"),
        _P("federation_max_size", 3, 2, 7, "schools", "M12 federation",
           "Largest cluster that federates.",
           "evidence C9: 88% of federations have two schools, 8.5% three"),
        _P("federation_saving", 0.02, 0.0, 0.1, "fraction of budget", "M12 federation",
           "Economies of scale from shared leadership and services, reinvested in CPD.",
           "seed 002; assumption"),
        _P("federation_convergence", 0.1, 0.0, 1.0, "fraction of gap per term", "M12 federation",
           "How fast members' leadership and SEND expertise converge to the best member's.",
           "evidence C9 (federation helps most where a strong school partners a weak one); "
           "assumption for the value"),
        _P("federation_cohesion_floor", 0.8, 0.0, 1.0, "0-1", "M12 federation",
           "A federation's cohesion never falls below this (high commitment).", "seed 002"),
        # ---------------------------------------------------------------- policies
        _P("la_cluster_size", 5, 2, 12, "schools", "policy: local_authority",
           "Target size of the clusters a local authority forms.",
           "seed 003 (clusters of 4-7); evidence C8 (mean about 5)"),
        _P("la_support_hours", 10.0, 0.0, 40.0, "hours per teacher per term",
           "policy: local_authority",
           "Sustained CPD the LA funds for a school it supports (as much as its budget "
           "allows).",
           "assumption: ~30 h a year, the dose assumed to give evidence C4's 0.09 SD (P6)"),
        _P("la_budget_per_school", 3500.0, 0.0, 50000.0, "£ per school per year",
           "policy: local_authority",
           "The LA's school-improvement budget per school it serves: running costs, then "
           "funded CPD at cpd_price_per_hour.",
           "estimate: evidence C15, £50m a year for ~14,000 maintained schools"),
        _P("la_capacity_share", 0.3, 0.0, 1.0, "fraction of schools per year",
           "policy: local_authority",
           "Share of its schools the LA can regroup into clusters in a year at the start.",
           "assumption"),
        _P("la_capacity_decline", 0.1, 0.0, 1.0, "fraction per year", "policy: local_authority",
           "Yearly shrinkage of the LA's budget and capacity.",
           "seed 003 ('others have less capacity'); evidence C15 (grant withdrawn 2022-24)"),
        _P("la_academy_optout", 0.6, 0.0, 1.0, "probability", "policy: local_authority",
           "Chance an academy declines its LA's cluster.", "seed 003; assumption"),
        _P("super_broker_capacity", 0.1, 0.0, 1.0, "fraction of jurisdiction per term",
           "policy: superintendent",
           "Share of its schools a superintendent can broker into clusters per term.",
           "seed 000; assumption"),
        _P("super_support_hours", 10.0, 0.0, 40.0, "hours per teacher per term",
           "policy: superintendent",
           "Sustained CPD the superintendent funds for a school it supports (flagged "
           "schools first, as much as its budget allows).",
           "assumption: ~30 h a year, the dose assumed to give evidence C4's 0.09 SD (P6)"),
        _P("super_budget_per_school", 16000.0, 0.0, 100000.0, "£ per school per year",
           "policy: superintendent",
           "The superintendent's budget per school in the region: the office, then funded "
           "CPD at cpd_price_per_hour.",
           "estimate: evidence C10 (London Challenge ~£40m a year) over London's ~2,500 "
           "state schools (assumption: about 1 in 8 of England's, A1-A2)"),
        _P("super_urgent_terms", 6, 1, 30, "terms", "policy: superintendent",
           "How long urgent support lasts after a poor grade.",
           "assumption, bounded by evidence B7 (RI re-inspected within 30 months, 7.5 terms)"),
        _P("super_cohesion_support", 0.03, 0.0, 0.5, "cohesion per term",
           "policy: superintendent",
           "Cohesion the superintendent adds to every cluster each term by refereeing "
           "disputes and keeping members engaged.",
           "seed 000 ('who will referee the new world of clusters?'); assumption"),
        _P("super_cost_per_school", 1500.0, 0.0, 20000.0, "£ per school per year",
           "policy: superintendent",
           "Running cost of the superintendent's office per school, paid from its budget.",
           "assumption (evidence C10, C16 give London Challenge's programme budget, not "
           "its office's cost)"),
        _P("chain_max_size", 26, 2, 100, "schools", "policy: academy_chains",
           "A trust takes over schools only while smaller than this.",
           "evidence A7: 29 of 1,170 trusts have 26+ schools (A8: 21 have over 30 by 2023)"),
        _P("chain_strength_min", 0.0, -1.0, 1.0, "SD of mean effectiveness",
           "policy: academy_chains", "Only trusts at least this effective take over schools.",
           "seed 004 ('chains of schools are raising performance'); assumption"),
        _P("chain_reach_km", 40.0, 1.0, 500.0, "km", "policy: academy_chains",
           "Furthest a trust reaches for a takeover.", "assumption"),
        _P("chain_support_hours", 10.0, 0.0, 40.0, "hours per teacher per term",
           "policy: academy_chains",
           "Sustained CPD a trust's central team gives a member with an identified need, "
           "paid from the top-slice.",
           "seed 003 (central services); assumption: ~30 h a year, the dose assumed to give "
           "evidence C4's 0.09 SD (P6)"),
        _P("chain_conversion_rate", 0.05, 0.0, 0.5, "probability per year",
           "policy: academy_chains",
           "Chance a year that a small school outside a trust converts and joins one.",
           "seed 003 (small schools seeking sustainability); assumption for the value"),
        _P("chain_top_slice", 0.05, 0.0, 0.2, "fraction of budget", "policy: academy_chains",
           "Share of each member's budget paid to the trust for central services.",
           "assumption (typical MAT top-slice 3-7%; not in docs/evidence.md)"),
        _P("chain_convergence", 0.05, 0.0, 1.0, "fraction of gap per term",
           "policy: academy_chains",
           "How fast members' leadership converges to the trust's best (executive heads).",
           "seed 003 ('leaders taking on more than one school')"),
        _P("hub_schools_per_hub", 230, 20, 2000, "schools", "policy: teaching_school_hubs",
           "One hub is designated per this many schools.",
           "evidence A9 (about 250 schools a hub), X4 (about 230 if every school is served)"),
        _P("hub_budget_per_school", 1000.0, 0.0, 20000.0, "£ per school per year",
           "policy: teaching_school_hubs",
           "Government grant to hubs per school they serve; it pays the gap between an "
           "hour's full cost and the subsidised price, so it sets the hubs' capacity.",
           "evidence A9, X8: £65m over 3 years for 87 hubs of ~250 schools (~£1,000)"),
        _P("hub_price", 20.0, 0.0, 200.0, "£ per teacher-hour", "policy: teaching_school_hubs",
           "Subsidised price of hub CPD.", "assumption (evidence A9: hubs are publicly funded)"),
        _P("incentive_grant", 2000.0, 0.0, 20000.0, "£ per clustered school per year",
           "policy: incentives", "Carrot: grant to every school in a cluster, spent on CPD.",
           "seed 004 ('carrots and sticks'); assumption"),
        _P("incentive_penalty", 1000.0, 0.0, 20000.0, "£ per unclustered school per year",
           "policy: incentives", "Stick: deducted from the CPD budget of a school going alone.",
           "seed 004; assumption"),
        _P("incentive_engagement", 0.3, 0.0, 2.0, "relative increase", "policy: incentives",
           "How much the incentives raise schools' propensity to seek partners.",
           "seed 004; assumption"),
        _P("la_cost_per_school", 1000.0, 0.0, 20000.0, "£ per school per year",
           "policy: local_authority",
           "Running cost of LA school improvement per school, paid from its budget.",
           "assumption"),
        _P("la_grouping", True, None, None, "switch", "policy: local_authority",
           "Component of the policy: groups its schools into geographic clusters, at setup and "
           "yearly. Off: `clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("la_monitoring", True, None, None, "switch", "policy: local_authority",
           "Component of the policy: monitors its schools' data (M15 need identification). Off: "
           "`clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("la_funded_support", True, None, None, "switch", "policy: local_authority",
           "Component of the policy: funds sustained CPD for schools with a need from its "
           "budget. Off: `clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("super_placement", True, None, None, "switch", "policy: superintendent",
           "Component of the policy: places every school in a cluster, isolated and weakest "
           "first. Off: `clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("super_monitoring", True, None, None, "switch", "policy: superintendent",
           "Component of the policy: monitors every school's data: flags poor grades and results "
           "below the floor. Off: `clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("super_negotiation", True, None, None, "switch", "policy: superintendent",
           "Component of the policy: negotiates commissioning for every cluster (M7). Off: "
           "`clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("super_funded_support", True, None, None, "switch", "policy: superintendent",
           "Component of the policy: funds sustained CPD from its budget, flagged schools first. "
           "Off: `clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("super_refereeing", True, None, None, "switch", "policy: superintendent",
           "Component of the policy: referees clusters, adding cohesion each term. Off: "
           "`clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("chain_takeovers", True, None, None, "switch", "policy: academy_chains",
           "Component of the policy: strong trusts take over schools graded inadequate. Off: "
           "`clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("chain_conversions", True, None, None, "switch", "policy: academy_chains",
           "Component of the policy: small schools outside a trust convert and join one. Off: "
           "`clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("chain_funded_support", True, None, None, "switch", "policy: academy_chains",
           "Component of the policy: government funds extra CPD for trusts' members graded below "
           "good. Off: `clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("hub_cpd", True, None, None, "switch", "policy: teaching_school_hubs",
           "Component of the policy: hubs sell CPD at a subsidised price, paid by the grant. "
           "Off: `clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("incentive_grants", True, None, None, "switch", "policy: incentives",
           "Component of the policy: a grant for every school in a cluster, spent on CPD. Off: "
           "`clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("incentive_penalties", True, None, None, "switch", "policy: incentives",
           "Component of the policy: a deduction from the CPD budget of a school going alone. "
           "Off: `clustersim explain` measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("incentive_seeking", True, None, None, "switch", "policy: incentives",
           "Component of the policy: schools seek partners more often. Off: `clustersim explain` "
           "measures what it adds.",
           "design choice (the policy's components, docs/ODD.md section 7.4)", "bool"),
        _P("chain_budget_per_school", 0.0, 0.0, 50000.0, "£ per school in a trust per year",
           "policy: academy_chains",
           "Public money for trusts' school improvement, spent on CPD for members graded "
           "below good (the top-slice pays for the rest).",
           "assumption (0: trusts improve schools from the top-slice; vary it for equal cost)"),
        _P("bank_budget_per_school", 0.0, 0.0, 50000.0, "£ per clustered school per year",
           "M6 CPD bank",
           "Public money buying teacher time for clusters' common funds (urgent responses, "
           "common services).", "assumption (0: the bank runs on its levy; equal cost)"),
        _P("federation_budget_per_school", 0.0, 0.0, 50000.0,
           "£ per federated school per year", "M12 federation",
           "Public grant to federated schools, spent on CPD.",
           "assumption (0: federations run on their savings; equal cost)"),
    ]
)


# Constraints between parameters, checked after every override (name, test, message).
CONSTRAINTS = (
    (("cluster_min_size", "cluster_max_size"),
     lambda v: v["cluster_min_size"] <= v["cluster_max_size"],
     "cluster_min_size must not exceed cluster_max_size"),
    (("grade_cut_ri", "grade_cut_good", "grade_cut_outstanding"),
     lambda v: v["grade_cut_ri"] < v["grade_cut_good"] < v["grade_cut_outstanding"],
     "grade cut points must rise: grade_cut_ri < grade_cut_good < grade_cut_outstanding"),
)
