"""Persona tiers: how far each tier is from the real population, and what weighting and
correction recover.

One command (from the repository root):

    python experiments/persona_tiers/run.py [--draws 200] [--gold 100 300] [--seed 2013]

Inputs: the recorded silicon sample (400 LLM personas in four tiers with the LLM's answers to
Pew's December 2013 questions; bundled as ``data/demo/silicon_personas.csv``), the
Pew-weighted reference cells (``data/demo/reference_pew2013.csv``) and, for repeated gold
draws, the Pew December 2013 respondents (``../shared/data/pewmethods_pew_acs``; the real
values are their weighted shares). Each tier is diagnosed and raked exactly as ``calib demo``
does (race, education where the tier has it, and a copula-implied sex x age x region table).
Correction: for each gold size, ``--draws`` gold samples are drawn from the Pew respondents
(with replacement, probability proportional to the Pew weight; seed ``[seed, draw]``) and each
question is estimated by the gold sample alone and by PPI++ with the weighted personas.

Writes ``experiments/results/persona_tiers.md`` and ``persona_tiers.png``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "data" / "demo"))

from build_demo import draw_gold, gold_cells, pew  # noqa: E402

from calib.datadir import shared_data_dir  # noqa: E402
from calib.pipeline import steps  # noqa: E402
from calib.pipeline.demo import TIERS, demo_config  # noqa: E402
from calib.pipeline.inputs import load_inputs  # noqa: E402

RESULTS = ROOT / "experiments" / "results"
QUESTIONS = ("obama_approve", "aca_approve", "party_democrat", "party_republican")


def tier_setup(tier: str) -> dict:
    """Inputs, raking weights and diagnostics of one tier (as in the demo)."""
    cfg = demo_config(tier, "/tmp/unused")
    inputs = load_inputs(cfg)
    result = steps.weight(inputs.population, inputs.target, cfg.weighting, cfg.output.seed)
    w = result.weights
    before = steps.diagnose(inputs.population, inputs.target)
    after = steps.diagnose(inputs.population, inputs.target, w)
    base = steps.correct(
        inputs.population,
        inputs.answers,
        w,
        cfg.questions,
        None,
        (),
        cfg.correction,
        inputs.truth,
    )
    return {
        "cfg": cfg,
        "inputs": inputs,
        "weights": w,
        "result": result,
        "before": before,
        "after": after,
        "base": base.to_frame(),
    }


def diagnostics_row(tier: str, s: dict) -> dict:
    """Mean 1-way and 2-way TVD before and after weighting, ESS."""
    b, a = s["before"], s["after"]
    one = ~b["margin"].str.contains("×")
    row = {
        "tier": tier,
        "variables": ", ".join(s["inputs"].schema.names),
        "TVD 1-way raw": b.loc[one, "tvd"].mean(),
        "TVD 2-way raw": b.loc[~one, "tvd"].mean(),
        "TVD 1-way weighted": a.loc[one, "tvd"].mean(),
        "TVD 2-way weighted": a.loc[~one, "tvd"].mean(),
        "worst raw margin": b.sort_values("tvd").iloc[-1]["margin"],
        "Kish ESS": s["result"].ess,
    }
    detail = steps.detailed_diagnostics(s["inputs"].population, s["inputs"].target, None, 1)
    marg = detail["marginal"]
    row["1-way margins above null"] = int((marg["tv"] > marg["null_level"]).sum())
    clf = detail.get("classifier")
    if clf is not None and len(clf):
        row["classifier AUC"] = float(clf["auc"].iloc[0])
        row["classifier p"] = float(clf["p_value"].iloc[0])
    copula = s["result"].extra.get("copula")
    if copula is not None and len(copula):
        row["copula 3-way TVD"] = float(copula["tvd_vs_reference"].iloc[0])
    return row


def persona_party_row(tier: str, people: pd.DataFrame) -> dict | None:
    """The tier's own party attribute (subjective tier) vs the real party ID (R/D/I)."""
    personas = pd.read_csv(ROOT / "data" / "demo" / "silicon_personas.csv")
    party = personas.loc[personas["tier"] == tier, "party_persona"].dropna()
    if party.empty:
        return None
    levels = ["Democrat", "Republican", "Independent"]
    share = party.value_counts(normalize=True).reindex(levels, fill_value=0.0)
    known = people.dropna(subset=["party"])
    real = known.groupby("party")["weight"].sum().reindex(levels) / known["weight"].sum()
    row = {"tier": tier, "personas with a party": int(party.size)}
    for level in levels:
        row[f"{level} persona"] = float(share[level])
        row[f"{level} real"] = float(real[level])
    row["TVD"] = float(0.5 * (share - real).abs().sum())
    return row


def answers_rows(tier: str, s: dict) -> list[dict]:
    """Raw and weighted silicon estimates vs the real value, per question (incl. 2012 vote)."""
    out = []
    frame = s["base"]
    for q, part in frame.groupby("quantity", sort=False):
        by = part.set_index("method")
        real = float(part["truth"].iloc[0])
        raw, weighted = by.loc["silicon_raw", "point"], by.loc["silicon_weighted", "point"]
        out.append(
            {
                "tier": tier,
                "question": q,
                "real": real,
                "raw": raw,
                "weighted": weighted,
                "raw error": raw - real,
                "weighted error": weighted - real,
            }
        )
    return out


def correction_rows(tier: str, s: dict, people: pd.DataFrame, sizes, draws, seed) -> list[dict]:
    """Gold-only and PPI++ over repeated gold draws: bias, RMSE, coverage, width, gain."""
    cfg, inputs, w = s["cfg"], s["inputs"], s["weights"]
    rows = []
    for n_gold in sizes:
        records = []
        for r in range(draws):
            gold = gold_cells(draw_gold(people, n_gold, np.random.default_rng([seed, r])))
            table = steps.correct(
                inputs.population,
                inputs.answers,
                w,
                cfg.questions,
                gold,
                cfg.gold.cell,
                cfg.correction,
                inputs.truth,
            )
            for e in table:
                if e.method in ("classical", "ppi++"):
                    lo, hi = e.conf_int(0.05)
                    records.append(
                        (
                            e.quantity,
                            e.method,
                            e.point,
                            lo,
                            hi,
                            e.truth,
                            e.settings.get("lambda", np.nan),
                        )
                    )
        rec = pd.DataFrame(
            records, columns=["question", "method", "point", "lower", "upper", "truth", "lam"]
        )
        for q in QUESTIONS:
            part = rec[rec["question"] == q]
            row = {"tier": tier, "n_gold": n_gold, "question": q}
            for method, tag in (("classical", "gold"), ("ppi++", "ppi++")):
                m = part[part["method"] == method]
                err = m["point"] - m["truth"]
                row[f"{tag} bias"] = err.mean()
                row[f"{tag} RMSE"] = float(np.sqrt(np.mean(err**2)))
                row[f"{tag} coverage"] = float(
                    ((m["lower"] <= m["truth"]) & (m["truth"] <= m["upper"])).mean()
                )
                row[f"{tag} width"] = (m["upper"] - m["lower"]).mean()
            ppi = part[part["method"] == "ppi++"]
            gold = part[part["method"] == "classical"]
            row["MSE ratio gold/ppi++"] = float(
                np.mean((gold["point"].to_numpy() - gold["truth"].to_numpy()) ** 2)
                / np.mean((ppi["point"].to_numpy() - ppi["truth"].to_numpy()) ** 2)
            )
            row["mean lambda"] = ppi["lam"].mean()
            rows.append(row)
    return rows


def _md(frame: pd.DataFrame, pct: tuple[str, ...] = (), digits: int = 3) -> str:
    shown = frame.copy()
    for col in shown.columns:
        if col in pct:
            shown[col] = shown[col].map(lambda v: f"{100 * v:.1f}" if pd.notna(v) else "")
        elif pd.api.types.is_float_dtype(shown[col]):
            shown[col] = shown[col].map(lambda v: f"{v:.{digits}f}" if pd.notna(v) else "")
    head = "| " + " | ".join(map(str, shown.columns)) + " |"
    sep = "|" + "---|" * len(shown.columns)
    body = ["| " + " | ".join(map(str, r)) + " |" for r in shown.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def summary_lines(
    diag: pd.DataFrame, answers: pd.DataFrame, corr: pd.DataFrame, draws: int
) -> list[str]:
    """Findings computed from the tables (so they stay true when the inputs change)."""
    a = answers.assign(raw_abs=answers["raw error"].abs(), w_abs=answers["weighted error"].abs())
    by_tier = a.groupby("tier", sort=False)[["raw_abs", "w_abs"]].mean()
    worst = a.loc[a["raw_abs"].idxmax()]
    big = corr[corr["n_gold"] == corr["n_gold"].max()]
    lines = [
        "- Mean absolute error of the raw silicon answers, by tier (percentage points): "
        + "; ".join(f"{t} {100 * r.raw_abs:.1f}" for t, r in by_tier.iterrows())
        + ". After weighting: "
        + "; ".join(f"{t} {100 * r.w_abs:.1f}" for t, r in by_tier.iterrows())
        + ".",
        f"- Largest raw error: {worst['tier']} / {worst['question']}, "
        f"{100 * worst['raw error']:+.1f} points (real {100 * worst['real']:.1f}%).",
        "- Weighting brings the 1-way margins to the reference (mean 1-way TVD "
        f"{diag['TVD 1-way raw'].mean():.3f} -> {diag['TVD 1-way weighted'].mean():.3f}) and "
        f"the 2-way tables closer ({diag['TVD 2-way raw'].mean():.3f} -> "
        f"{diag['TVD 2-way weighted'].mean():.3f}) and moves the answers by "
        f"{100 * (a['weighted'] - a['raw']).abs().mean():.1f} points on average, while the "
        f"raw errors average {100 * a['raw_abs'].mean():.1f} points: most of the error is in "
        "what the LLM answers for a given kind of person, not in who the personas are.",
        f"- With {int(corr['n_gold'].max())} gold respondents, PPI++ intervals cover the real "
        f"value in {100 * big['ppi++ coverage'].min():.1f}-"
        f"{100 * big['ppi++ coverage'].max():.1f}% of draws (nominal 95%; each rate has a "
        f"Monte Carlo SE of about {100 * np.sqrt(0.95 * 0.05 / draws):.1f} points); the ratio "
        "of the gold sample's mean squared error to PPI++'s is "
        f"{big['MSE ratio gold/ppi++'].min():.2f}-{big['MSE ratio gold/ppi++'].max():.2f}"
        + (
            ": correction removes the silicon bias, but the personas add little information "
            "beyond the gold sample here."
            if big["MSE ratio gold/ppi++"].max() < 1.1
            else ": the personas add information beyond the gold sample."
        ),
    ]
    return lines


def figure(answers: pd.DataFrame, corr: pd.DataFrame, path: Path) -> None:
    """Errors (percentage points) per tier: raw, weighted, PPI++ RMSE at the largest gold size."""
    from matplotlib.figure import Figure

    qs = [*QUESTIONS, "vote2012_obama"]
    fig = Figure(figsize=(11, 3.2))
    big = corr[corr["n_gold"] == corr["n_gold"].max()]
    for i, q in enumerate(qs):
        ax = fig.add_subplot(1, len(qs), i + 1)
        a = answers[answers["question"] == q].set_index("tier").reindex(list(TIERS))
        x = np.arange(len(TIERS))
        ax.bar(x - 0.27, 100 * a["raw error"].abs(), 0.27, label="raw |error|")
        ax.bar(x, 100 * a["weighted error"].abs(), 0.27, label="weighted |error|")
        if q in QUESTIONS:
            c = big[big["question"] == q].set_index("tier").reindex(list(TIERS))
            ax.bar(x + 0.27, 100 * c["ppi++ RMSE"], 0.27, label="PPI++ RMSE")
        ax.set_xticks(x)
        ax.set_xticklabels(["meta", "obj", "subj", "desc"], fontsize=8)
        ax.set_title(q, fontsize=9)
        if i == 0:
            ax.set_ylabel("percentage points")
    fig.axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200, help="gold draws per gold size")
    parser.add_argument("--gold", type=int, nargs="+", default=[100, 300], help="gold sizes")
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--data-dir", default=None, help="raw data (default ../shared/data)")
    args = parser.parse_args()
    start = time.time()
    people = pew(shared_data_dir(args.data_dir) / "pewmethods_pew_acs")
    diag, answers, corr, parties = [], [], [], []
    for tier in TIERS:
        print(f"tier {tier}", file=sys.stderr, flush=True)
        s = tier_setup(tier)
        diag.append(diagnostics_row(tier, s))
        party = persona_party_row(tier, people)
        if party is not None:
            parties.append(party)
        answers += answers_rows(tier, s)
        corr += correction_rows(tier, s, people, args.gold, args.draws, args.seed)
    diag_f, ans_f, corr_f = pd.DataFrame(diag), pd.DataFrame(answers), pd.DataFrame(corr)
    RESULTS.mkdir(parents=True, exist_ok=True)
    figure(ans_f, corr_f, RESULTS / "persona_tiers.png")
    pct = ("real", "raw", "weighted", "raw error", "weighted error")
    cpct = tuple(c for c in corr_f.columns if c.endswith(("bias", "RMSE", "width")))
    text = [
        "# Persona tiers: distance, raw answers, and what weighting and correction recover",
        "",
        f"Command: `python experiments/persona_tiers/run.py --draws {args.draws} --gold "
        f"{' '.join(map(str, args.gold))} --seed {args.seed}` ({time.time() - start:.0f} s).",
        "",
        "Inputs: the recorded silicon sample `silicon_pew2013` (400 LLM personas x 4 tiers, "
        "answers written by an LLM as each persona in a December 2013 setting; "
        "`data/demo/silicon_personas.csv`), the Pew-weighted reference cells "
        "(`data/demo/reference_pew2013.csv`), and the Pew Research Center December 2013 "
        "respondents (`../shared/data/pewmethods_pew_acs`) for the gold draws and the real values "
        "(weighted shares among those answering). 2012 vote: official result, Obama 51.1% of "
        "votes cast (Romney 47.2%); Pew did not ask it, so it has no gold sample and no "
        "correction. Weighting as in `calib demo`: bounded raking (0.1-10) to race, education "
        "(tiers that have it) and a sex x age x region table implied by a Gaussian copula fitted "
        "to the reference's margins and 2-way tables. Correction: PPI++ (power-tuned) with the "
        "weighted personas as the unlabeled sample and, as the gold prediction, the weighted "
        "persona answer share in the respondent's sex x age x race cell (shrunk to the overall "
        "share with 2 pseudo-personas). Gold samples: drawn with replacement with probability "
        f"proportional to the Pew weight; {args.draws} draws per size, seeds [{args.seed}, draw].",
        "",
        "## Summary",
        "",
        *summary_lines(diag_f, ans_f, corr_f, args.draws),
        "",
        "## 1. How far each tier is from the real population (total variation distance)",
        "",
        _md(diag_f),
        "",
        "The meta and descriptive tiers share the same sampled demographics (sex, age, race, "
        "region); the table tiers add an LLM-written education, which is where they are "
        "furthest from the population (college graduates over-represented). `1-way margins "
        "above null` counts variables whose distance exceeds what sampling 400 people from the "
        "reference would give on average; the classifier two-sample test (gradient boosting, "
        "permutation p-value) asks whether personas and population can be told apart on these "
        "variables jointly.",
        "",
        "The subjective tier also gives each persona a party, written by the LLM; against the "
        "real party identification (Pew, weighted, among Democrats, Republicans and "
        "independents; personas with 'Other or none' left out):",
        "",
        _md(
            pd.DataFrame(parties),
            tuple(
                c
                for c in pd.DataFrame(parties).columns
                if " " in c and c.endswith(("persona", "real"))
            ),
        ),
        "",
        "## 2. Raw and weighted silicon answers vs the real answers (percent)",
        "",
        _md(ans_f, pct),
        "",
        "## 3. Correction with a gold human sample (percentage points; coverage of 95% intervals)",
        "",
        _md(corr_f, (*cpct, "gold coverage", "ppi++ coverage")),
        "",
        "`MSE ratio gold/ppi++` above 1 means PPI++ with the personas beats the gold sample "
        "alone (the ratio is the factor by which the personas multiply the gold sample's "
        "effective size); `mean lambda` near 0 means PPI++ found the persona predictions "
        "uninformative and fell back on the gold sample. The gold draws (seeds) are the same "
        "for every tier, so the gold-only columns repeat. The gold respondents were not "
        "themselves simulated by the LLM, so the prediction for a respondent is the personas' "
        "answer share in the respondent's sex x age x race cell: the gain is bounded by how "
        "much those cells explain the answer. Individual-level predictions (the LLM answering "
        "as each gold respondent) would be needed for larger gains.",
        "",
        "![errors by tier](persona_tiers.png)",
        "",
    ]
    (RESULTS / "persona_tiers.md").write_text("\n".join(text))
    print(f"wrote {RESULTS / 'persona_tiers.md'} in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
