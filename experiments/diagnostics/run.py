"""Diagnostics on real data: ACS 2018 vs 2019 (should be close) and the silicon Pew 2013 tiers.

Usage: python experiments/diagnostics/run.py [--quick]

Inputs (../shared/data, read with calib.sources):
- NIST Diverse Communities ACS excerpts national/ma/tx 2018 and 2019 (adults, PWGTP; the same
  PUMAs in both years). Target = 2018 weighted microdata, population = 2019 weighted microdata.
  The excerpts carry no replicate weights, so the target's sampling error is bootstrapped.
- silicon_pew2013: 400 LLM personas in four tiers with their simulated answers, against the
  Pew December 2013 respondents (Pew final weight) who answered Obama approval, health care law
  approval and party (Republican/Democrat/Independent) and have age and race recorded.

Seeds: diagnose(seed=0); bootstrap draws 400, classifier permutations 200. Writes
experiments/results/diagnostics.md and figures in experiments/results/diagnostics/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from calib.diagnostics import answer_alignment, diagnose  # noqa: E402
from calib.population import Population  # noqa: E402
from calib.schema import Schema, Variable  # noqa: E402
from calib.sources.acs import read_nist_excerpt  # noqa: E402
from calib.sources.pew import read_pew_dec13  # noqa: E402
from calib.sources.silicon import read_silicon_pew2013  # noqa: E402
from calib.target import Target  # noqa: E402

OUT = ROOT / "experiments" / "results"
FIG = OUT / "diagnostics"
SEED = 0
N_BOOT = 400
ACS_VARS = ["age_pew6", "sex", "race5", "hispanic", "educ4", "income_personal", "marital", "age"]
ANSWER_VARS = [
    Variable("obama", ("Approve", "Disapprove")),
    Variable("aca", ("Approve", "Disapprove")),
    Variable("party_id", ("Republican", "Democrat", "Independent")),
]
META = ["age_pew6", "sex", "race4", "region"]


def fmt(x: float, d: int = 3) -> str:
    return "" if pd.isna(x) else f"{x:.{d}f}"


def acs_section(quick: bool) -> list[str]:
    lines = [
        "## 1. ACS 2019 vs ACS 2018, same areas (should be close)",
        "",
        "Population = 2019 excerpt (PWGTP), target = 2018 excerpt as weighted microdata "
        f"(bootstrapped). Variables: {', '.join(ACS_VARS)} (age numeric). Mean and max over the "
        "7 categorical margins and 21 pairs; `null` = TV expected by chance at these effective "
        "sample sizes; the classifier uses up to 20,000 rows per side.",
        "",
        "| area | n 2019 / 2018 | mean marginal TV (null) | max marginal TV | mean pair TV (null) "
        "| max pair TV (pair) | age W1 years | classifier AUC (p) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    areas = ["ma", "tx"] if quick else ["national", "ma", "tx"]
    for area in areas:
        a18, a19 = read_nist_excerpt(f"{area}2018"), read_nist_excerpt(f"{area}2019")
        keep = [v for v in ACS_VARS if v in a19.schema]
        pop = Population(a19.data, a19.schema.subset(keep), weights="PWGTP")
        tgt = Target.from_microdata(Population(a18.data, a18.schema.subset(keep), weights="PWGTP"))
        r = diagnose(pop, tgt, n_boot=N_BOOT, seed=SEED)
        m = r.to_frame("marginal")
        tv = m[(m.metric == "tv")]
        j = r.to_frame("joint")
        worst = j.loc[j["tv"].idxmax()]
        w1 = m[(m.variable == "age") & (m.metric == "wasserstein")]["value"].iloc[0]
        c = r.classifier["design"]
        lines.append(
            f"| {area} | {pop.n} / {tgt.microdata.n} | {fmt(tv.value.mean())} "
            f"({fmt(tv.null_level.mean())}) | {fmt(tv.value.max())} | {fmt(j.tv.mean())} "
            f"({fmt(j.tv_null.mean())}) | {fmt(worst.tv)} ({worst.variables}) | {fmt(w1, 2)} | "
            f"{fmt(c.auc)} ({c.p_value:.3g}) |"
        )
        if area == areas[0]:
            r.plot_love("tv")
            plt.tight_layout()
            plt.savefig(FIG / f"acs_{area}_love.png", dpi=110)
            plt.close("all")
    lines.append("")
    return lines


def silicon_populations() -> tuple[dict[str, Population], Population, Schema]:
    pew = read_pew_dec13()
    sil = read_silicon_pew2013()
    base = pew.schema.subset([*META, "educ3"])
    schema = base.merge(ANSWER_VARS)
    d = pew.data.rename(columns={"obama_approval": "obama", "aca_approval": "aca"})
    d["party_id"] = d["party"]
    ok = d["obama"].isin(["Approve", "Disapprove"]) & d["aca"].isin(["Approve", "Disapprove"])
    ok &= d["party_id"].isin(ANSWER_VARS[2].levels) & d[[*META, "educ3"]].notna().all(axis=1)
    d = d[ok].reset_index(drop=True)
    human = Population(d, schema, weights="weight", provenance=pew.provenance)
    tiers = {}
    for tier, p in sil.personas.items():
        ans = sil.answers(tier).rename(columns={"obama_approval": "obama", "aca_approval": "aca"})
        ans = ans.rename(columns={"party": "party_id"})[["obama", "aca", "party_id"]]
        frame = p.data.set_index("persona_id").join(ans).reset_index()
        names = META + (["educ3"] if "educ3" in p.schema else []) + ["obama", "aca", "party_id"]
        tiers[tier] = Population(frame, schema.subset(names), provenance=p.provenance)
    return tiers, human, schema


def silicon_section(quick: bool) -> list[str]:
    tiers, human, schema = silicon_populations()
    target = Target.from_microdata(human)
    shared = [*META, "obama", "aca", "party_id"]
    lines = [
        "## 2. Silicon Pew 2013 tiers vs the Pew-weighted respondents",
        "",
        f"Target: {human.n} Pew respondents with all of {', '.join(shared)} answered (final "
        "weight `weight`; 'don't know' answers and other parties left out, so this is the "
        "answering universe). Personas: 400 per tier, weight 1; their answers are the LLM's "
        "simulated answers. The four demographic variables come from the same meta personas "
        "in every tier, so the tiers differ only through the answers (and educ3 where the tier "
        "wrote one). Distances are on the 7 shared variables (21 pairs).",
        "",
        "| tier | mean pair TV | pairs above null q95 | worst pair (TV) | largest association "
        "gap (Cramér's V gap) | classifier AUC (p) | top classifier variable | exact dup. share "
        "(expected) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    results = {}
    for tier, pop in tiers.items():
        r = diagnose(
            pop.subset(np.ones(pop.n, bool)),
            target,
            variables=shared,
            n_boot=N_BOOT,
            seed=SEED,
            text=["text"] if "text" in pop.data else (),
        )
        results[tier] = r
    for tier, r in results.items():
        j = r.to_frame("joint")
        worst = j.loc[j["tv"].idxmax()]
        assoc = j.loc[j["cramers_v_gap"].abs().idxmax()]
        dup = r.pathologies["duplicates"]
        c = r.classifier["design"]
        above = int((j["tv"] > j["tv_null_q95"]).sum())
        lines.append(
            f"| {tier} | {fmt(j.tv.mean())} | {above}/{len(j)} | {worst.variables} "
            f"({fmt(worst.tv)}) | {assoc.variables} ({assoc.cramers_v_gap:+.3f}) | {fmt(c.auc)} "
            f"({c.p_value:.3g}) | {c.importance.idxmax()} | "
            f"{fmt(dup['exact_duplicate_share'])} ({fmt(dup['expected_duplicate_share'])}) |"
        )
    ranking = sorted(results, key=lambda t: -results[t].to_frame("joint")["tv"].mean())
    lines += ["", f"Furthest from the real joint (mean pair TV): {' > '.join(ranking)}.", ""]
    # per pair table
    pairs = pd.DataFrame(
        {t: r.to_frame("joint").set_index("variables")["tv"] for t, r in results.items()}
    )
    pairs["null (meta)"] = results["meta"].to_frame("joint").set_index("variables")["tv_null"]
    pairs = pairs.sort_values(ranking[0], ascending=False)
    lines += [
        "Pair TV per tier (sorted by the furthest tier; `null` = chance level at n = 400):",
        "",
        "| pair | " + " | ".join(pairs.columns) + " |",
        "|---|" + "---|" * len(pairs.columns),
    ]
    for name, row in pairs.head(12).iterrows():
        lines.append(f"| {name} | " + " | ".join(fmt(v) for v in row) + " |")
    gaps = pd.DataFrame(
        {t: r.to_frame("joint").set_index("variables")["cramers_v_gap"] for t, r in results.items()}
    )
    top = gaps.abs().max(axis=1).sort_values(ascending=False).head(8).index
    lines += [
        "",
        "Association gaps (Cramér's V personas minus Pew; negative = personas less associated):",
        "",
        "| pair | " + " | ".join(gaps.columns) + " |",
        "|---|" + "---|" * len(gaps.columns),
    ]
    for name in top:
        lines.append(f"| {name} | " + " | ".join(f"{v:+.3f}" for v in gaps.loc[name]) + " |")
    cells = results[ranking[0]].to_frame("cells")
    worst_pair = pairs.index[0]
    cells = cells[cells["variables"] == worst_pair].head(5)
    lines += [
        "",
        f"Cells driving the {ranking[0]} tier's largest gap ({worst_pair}):",
        "",
        "| cell | persona share | Pew share | difference |",
        "|---|---|---|---|",
    ]
    for r in cells.itertuples():
        lines.append(
            f"| {r.cell} | {fmt(r.population_share)} | {fmt(r.target_share)} | "
            f"{r.difference:+.3f} |"
        )
    # educ3 where the tier wrote it
    lines += ["", "educ3 as written by the tiers that have it (marginal vs Pew):", ""]
    for tier in ("objective_table", "subjective_table"):
        pop = tiers[tier]
        r = diagnose(
            pop,
            target,
            variables=["educ3", "age_pew6", "race4"],
            classifier=False,
            n_boot=N_BOOT,
            seed=SEED,
        )
        m = r.to_frame("marginal").query("variable == 'educ3'").set_index("metric")
        lv = r.to_frame("levels").query("variable == 'educ3'")
        shares = ", ".join(
            f"{x.level} {x.population_share:.2f} vs {x.target_share:.2f}" for x in lv.itertuples()
        )
        lines.append(
            f"- {tier}: TV {fmt(m.loc['tv', 'value'])} [{fmt(m.loc['tv', 'low'])}, "
            f"{fmt(m.loc['tv', 'high'])}] (null {fmt(m.loc['tv', 'null_level'])}); {shares}"
        )
    # answer alignment
    human_answers = human
    lines += [
        "",
        "Answer alignment per tier (1 - TVD; overall and by race4, Pew-weighted human answers):",
        "",
        "| tier | question | all | " + " | ".join(schema["race4"].levels) + " |",
        "|---|---|---|" + "---|" * len(schema["race4"].levels),
    ]
    for tier, pop in tiers.items():
        al = answer_alignment(pop, human_answers, ANSWER_VARS, by="race4").frame
        for q in ("obama", "aca", "party_id"):
            row = al[al.question == q].set_index("subgroup")["one_minus_tvd"]
            vals = [row.get("all")] + [row.get(f"race4={lv}") for lv in schema["race4"].levels]
            lines.append(f"| {tier} | {q} | " + " | ".join(fmt(v) for v in vals) + " |")
    text = results["descriptive"].pathologies.get("text:text")
    if text:
        lines += [
            "",
            f"Descriptive tier free text: {text['mean_words']:.0f} words on average, VADER "
            f"compound {text['mean_compound']:+.3f} ({text['positive_share']:.0%} positive), "
            f"lexicon subjectivity {text['mean_subjectivity']:.3f}, duplicate texts "
            f"{text['duplicate_share']:.3f}.",
        ]
    # before/after: post-stratify the furthest tier to Pew's weighted party_id shares
    far = tiers[ranking[0]]
    codes = far.codes("party_id")
    q = target.shares("party_id").to_numpy()
    p = np.bincount(codes, minlength=q.size) / far.n
    w = (q / p)[codes]
    ps = diagnose(far, target, variables=shared, weights=w, n_boot=N_BOOT, seed=SEED,
                  classifier=True)  # fmt: skip
    mt = (
        ps.to_frame("marginal")
        .query("metric == 'tv'")
        .pivot(index="variable", columns="weighting", values="value")
    )
    jf = ps.to_frame("joint")
    jt = jf.pivot(index="variables", columns="weighting", values="tv")
    jt["null_q95"] = jf[jf.weighting == "weighted"].set_index("variables")["tv_null_q95"]
    jt = jt.sort_values("design", ascending=False).head(6)
    ws = ps.weights["weighted"]
    lines += [
        "",
        f"Before/after: the {ranking[0]} tier post-stratified to Pew's party_id shares (Kish "
        f"ESS {ws.effective_sample_size:.0f} of 400, deff {ws.design_effect:.2f}). The party "
        "margin is fixed by construction and the pair gaps shrink; a pair is still off when "
        "its TV exceeds the null q95 (what chance gives at the weighted ESS):",
        "",
        "| table | TV design | TV weighted | null q95 (weighted) |",
        "|---|---|---|---|",
    ]
    for name, row in mt.iterrows():
        lines.append(f"| {name} | {fmt(row['design'])} | {fmt(row['weighted'])} | |")
    for name, row in jt.iterrows():
        lines.append(
            f"| {name} | {fmt(row['design'])} | {fmt(row['weighted'])} | {fmt(row['null_q95'])} |"
        )
    lines.append(
        f"| classifier AUC | {fmt(ps.classifier['design'].auc)} | "
        f"{fmt(ps.classifier['weighted'].auc)} | |"
    )
    ps.plot_love("tv")
    plt.tight_layout()
    plt.savefig(FIG / f"silicon_{ranking[0]}_love_poststratified.png", dpi=110)
    plt.close("all")
    results[ranking[0]].plot_association_gaps()
    plt.tight_layout()
    plt.savefig(FIG / f"silicon_{ranking[0]}_association_gaps.png", dpi=110)
    results[ranking[0]].plot_importance()
    plt.tight_layout()
    plt.savefig(FIG / f"silicon_{ranking[0]}_importance.png", dpi=110)
    plt.close("all")
    lines.append("")
    return lines


def main() -> None:
    quick = "--quick" in sys.argv
    FIG.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Diagnostics on real data",
        "",
        "Command: `python experiments/diagnostics/run.py` (seed 0, 400 bootstrap draws, 200 "
        "classifier permutations; intervals are 95% Bayesian-bootstrap percentile intervals).",
        "",
    ]
    lines += acs_section(quick)
    lines += silicon_section(quick)
    lines += [
        "Figures: " + ", ".join(f"`diagnostics/{p.name}`" for p in sorted(FIG.glob("*.png"))),
        "",
    ]
    (OUT / "diagnostics.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
