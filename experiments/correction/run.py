"""Correction experiments on real paired data: ANES x GPT-3 and the recorded Pew 2013 silicon
sample, plus the coverage-simulation harness across bias patterns.

Run (from the repository root):

    python experiments/correction/run.py --draws 500 --bayes-draws 40 --seed 20261126

writes ``experiments/results/correction.md``. Inputs come from ``../shared/data`` through
``calib.sources`` (never copied). Seeds: one ``numpy.random.default_rng(seed)`` stream per
study, derived from ``--seed``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from calib.correct import (  # noqa: E402
    CoverageStudy,
    Design,
    HierarchicalCorrector,
    classical_mean,
    ppi_mean,
    silicon_mean,
)

OUT = Path(__file__).resolve().parents[1] / "results" / "correction.md"
N_GOLDS = (100, 200, 500)


def row(study, n_gold, method, point, lower, upper, truth) -> dict:
    """One draw's record."""
    return {"study": study, "n_gold": n_gold, "method": method, "point": point,
            "lower": lower, "upper": upper, "truth": truth}  # fmt: skip


def summarise(rows: list[dict], truth_col: str = "truth") -> pd.DataFrame:
    """Bias, RMSE, width and coverage per (study, n_gold, method)."""
    f = pd.DataFrame(rows)
    f["covered"] = (f.lower <= f[truth_col]) & (f[truth_col] <= f.upper)
    f["width"] = f.upper - f.lower
    f["error"] = f.point - f[truth_col]
    keys = [c for c in ("study", "n_gold", "method") if c in f.columns]
    out = f.groupby(keys, sort=False).agg(
        draws=("covered", "size"),
        bias=("error", "mean"),
        rmse=("error", lambda e: float(np.sqrt(np.mean(e**2)))),
        width=("width", "mean"),
        coverage=("covered", "mean"),
    )
    return out.reset_index()


def add_bias_removed(table: pd.DataFrame, raw_method: str) -> pd.DataFrame:
    """Share of the LLM-alone bias removed: 1 - |bias| / |raw bias| (same study)."""
    out = table.copy()
    raw = out[out.method == raw_method].groupby("study")["bias"].first()
    out["bias_removed"] = [
        np.nan if m == raw_method else 1 - abs(b) / abs(raw[s])
        for s, m, b in zip(out.study, out.method, out.bias, strict=True)
    ]
    return out


# ----------------------------------------------------------------------------------- ANES
def anes_population(year: int) -> pd.DataFrame:
    from calib.sources.anes import read_argyle_anes

    d = read_argyle_anes(year).data
    d = d[d.vote_pres.isin(["Democrat", "Republican"]) & d.race5.notna()]
    return pd.DataFrame(
        {
            "y": d.vote_dem.to_numpy(float),
            "p": d.gpt3_p_dem_two_party.to_numpy(float),
            "region": d.region.astype(str).to_numpy(),
            "race5": d.race5.astype(str).to_numpy(),
        }
    )


def anes_study(year: int, draws: int, bayes_draws: int, rng: np.random.Generator) -> list[dict]:
    pop = anes_population(year)
    truth = float(pop.y.mean())
    rows = []
    study = f"ANES {year}"
    n_bayes_failed = 0
    for n in N_GOLDS:
        for i in tqdm(range(draws), desc=f"{study} n={n}", disable=True):
            gold_idx = rng.choice(len(pop), n, replace=False)
            mask = np.zeros(len(pop), dtype=bool)
            mask[gold_idx] = True
            gold, rest = pop[mask], pop[~mask]
            ests = {
                "GPT-3 alone": silicon_mean(pop.p),
                "humans alone": classical_mean(gold.y),
                "PPI": ppi_mean(gold.y, gold.p, rest.p, lam=1),
                "PPI++": ppi_mean(gold.y, gold.p, rest.p),
                "PPI++ (finite pop.)": ppi_mean(gold.y, gold.p, rest.p, finite_population=True),
            }
            if i < bayes_draws:
                hc = HierarchicalCorrector(
                    "y", "p", groups=["region", "race5"], seed=i, on_failure="flag",
                    draws=1000, tune=1000, target_accept=0.95,
                )  # fmt: skip
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est = hc.fit(gold, rest).estimate(rest)[0]
                n_bayes_failed += not est.diagnostics["converged"]
                # population = gold + rest: gold answers are known exactly
                point = (n * gold.y.mean() + len(rest) * est.draws) / len(pop)
                lo, hi = np.quantile(point, [0.025, 0.975])
                rows.append(row(study, n, "hierarchical Bayes", float(point.mean()), lo, hi, truth))
            for m, e in ests.items():
                lo, hi = e.conf_int(0.05)
                rows.append(row(study, n, m, e.point, lo, hi, truth))
    rows.append({"study": study, "bayes_not_converged": n_bayes_failed})
    return rows


def anes_regions(year: int, draws: int, rng: np.random.Generator, n: int = 500) -> list[dict]:
    """PPI++ by region: the gold sample's respondents in the region, the rest as personas."""
    pop = anes_population(year)
    rows = []
    for _ in range(draws):
        mask = np.zeros(len(pop), dtype=bool)
        mask[rng.choice(len(pop), n, replace=False)] = True
        for region in sorted(pop.region.unique()):
            r = (pop.region == region).to_numpy()
            truth = float(pop.y[r].mean())
            g, rest = pop[mask & r], pop[~mask & r]
            for m, e in (
                ("GPT-3 alone", silicon_mean(pop.p[r])),
                ("humans alone", classical_mean(g.y)),
                ("PPI++", ppi_mean(g.y, g.p, rest.p)),
            ):
                lo, hi = e.conf_int(0.05)
                label = f"ANES {year} {region} (n~{int(r.mean() * n)})"
                rows.append(row(label, n, m, e.point, lo, hi, truth))
    return rows


# ------------------------------------------------------------------------------------ Pew
CELL_LEVELS = (["age_pew6", "sex", "race4"], ["sex", "race4"], ["race4"], [])


def cell_prediction(
    personas: pd.DataFrame, frame: pd.DataFrame, min_personas: int = 3
) -> np.ndarray:
    """The tier's mean stated probability among personas in the row's demographic cell.

    Backs off from age x sex x race to sex x race, race, and the overall mean when a cell has
    fewer than ``min_personas`` personas.
    """
    out = np.full(len(frame), np.nan)
    for keys in CELL_LEVELS:
        if not keys:
            out[np.isnan(out)] = personas.prob.mean()
            break
        stats = personas.groupby(keys, observed=True)["prob"].agg(["mean", "size"])
        stats = stats[stats["size"] >= min_personas]["mean"]
        idx = pd.MultiIndex.from_frame(frame[keys].astype(str))
        stats.index = pd.MultiIndex.from_frame(stats.index.to_frame().astype(str))
        vals = stats.reindex(idx).to_numpy()
        fill = np.isnan(out) & ~np.isnan(vals)
        out[fill] = vals[fill]
    return out


def pew_study(draws: int, rng: np.random.Generator) -> list[dict]:
    from calib.sources.pew import read_pew_dec13
    from calib.sources.silicon import read_silicon_pew2013

    pew = read_pew_dec13().data
    sil = read_silicon_pew2013()
    rows = []
    for question in ("obama_approval", "aca_approval"):
        ans = pew[pew[question].isin(["Approve", "Disapprove"]) & pew.race4.notna()
                  & pew.age_pew6.notna()].copy()  # fmt: skip
        ans["y"] = (ans[question] == "Approve").astype(float)
        truth = float(np.average(ans.y, weights=ans.weight))
        for tier in sil.tiers:
            people = sil.personas[tier].data.set_index("persona_id")
            probs = sil.answers(tier, "probability")[question] / (
                100.0 if sil.answers(tier, "probability")[question].max() > 1 else 1.0
            )
            choice = (sil.answers(tier)[question] == "Approve").astype(float)
            personas = people.assign(prob=probs, choice=choice).dropna(subset=["prob"])
            personas = personas.reset_index()
            ans["p"] = cell_prediction(personas, ans)
            persona_p = cell_prediction(personas, personas)
            study = f"Pew {question} / {tier}"
            raw = silicon_mean(personas.choice)
            raw_p = silicon_mean(personas.prob)
            for n in N_GOLDS:
                for _ in range(draws):
                    g = ans.iloc[rng.choice(len(ans), n, replace=False)]
                    ests = {
                        "LLM alone (choices)": raw,
                        "LLM alone (probabilities)": raw_p,
                        "humans alone": classical_mean(g.y, w=g.weight),
                        "PPI": ppi_mean(g.y, g.p, persona_p, lam=1, w=g.weight),
                        "PPI++": ppi_mean(g.y, g.p, persona_p, w=g.weight),
                    }
                    for m, e in ests.items():
                        lo, hi = e.conf_int(0.05)
                        rows.append(row(study, n, m, e.point, lo, hi, truth))
    return rows


# ----------------------------------------------------------------------------- simulation
def simulation_study(worlds: int, seed: int) -> pd.DataFrame:
    frames = []
    for bias in ("none", "constant", "subgroup", "compression", "stereotype"):
        res = CoverageStudy(Design(bias=bias, silicon_size=5000)).run(worlds, seed=seed)
        frames.append(res.to_frame().assign(design=bias))
        res = CoverageStudy(
            Design(bias=bias, silicon_size=5000, gold_size=300, gold_oversample=(1, 1, 2, 4))
        ).run(worlds, seed=seed + 1)
        frames.append(res.to_frame().assign(design=bias + " (weighted gold)"))
    out = pd.concat(frames, ignore_index=True)
    return out[["design", *[c for c in out.columns if c != "design"]]]


def fmt(frame: pd.DataFrame) -> str:
    """A Markdown table (no tabulate dependency)."""

    def cell(v):
        return f"{v:.4f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |",
             "|" + "---|" * len(frame.columns)]  # fmt: skip
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in frame.itertuples(index=False)]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--bayes-draws", type=int, default=40)
    ap.add_argument("--worlds", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    t0 = time.time()
    seeds = np.random.SeedSequence(args.seed).spawn(5)
    anes_rows: list[dict] = []
    for year, ss in zip((2012, 2016), seeds[:2], strict=True):
        anes_rows += anes_study(year, args.draws, args.bayes_draws, np.random.default_rng(ss))
        print(f"ANES {year} done at {time.time() - t0:.0f}s", flush=True)
    failed = {r["study"]: r["bayes_not_converged"] for r in anes_rows if "bayes_not_converged" in r}
    anes = add_bias_removed(summarise([r for r in anes_rows if "method" in r]), "GPT-3 alone")
    regions = []
    for year, ss in zip((2012, 2016), seeds[2:4], strict=True):
        regions += anes_regions(year, args.draws, np.random.default_rng(ss))
    region_table = summarise(regions)
    pew = add_bias_removed(
        summarise(pew_study(args.draws, np.random.default_rng(seeds[4]))), "LLM alone (choices)"
    )
    print(f"Pew done at {time.time() - t0:.0f}s", flush=True)
    sim = simulation_study(args.worlds, args.seed)
    elapsed = time.time() - t0
    command = (
        f"python experiments/correction/run.py --draws {args.draws} --bayes-draws "
        f"{args.bayes_draws} --worlds {args.worlds} --seed {args.seed}"
    )
    text = f"""# Correction experiments: PPI, PPI++ and hierarchical Bayes on real paired data

Command: `{command}`
(run time {elapsed / 60:.1f} min on the shared 2-core machine). Nominal level 95%.

## ANES 2012 / 2016 x GPT-3 (Argyle et al. 2023)

Population: ANES respondents who reported a two-party presidential vote (respondents with
missing race dropped). Truth = the full sample's Democratic two-party share. Each draw takes a
simple random gold sample of `n_gold` respondents (their real vote and GPT-3's probability); the
other respondents play the persona population (GPT-3 probability only). GPT-3 alone = mean
GPT-3 two-party probability over all respondents (its interval has persona sampling error only).
PPI / PPI++ target the superpopulation mean (their intervals ignore that the gold sample is
4-19% of a finite population whose other members are the personas, so they over-cover at
n_gold = 500); "PPI++ (finite pop.)" is `ppi_mean(..., finite_population=True)`, the
difference estimator of the finite sample's share with the finite-population correction.
Hierarchical Bayes: `HierarchicalCorrector("y", "p", groups=["region", "race5"])` (binary, logit
of GPT-3's probability as predictor, partially pooled region and race shifts; nutpie,
2 chains x 1000 draws after 1000 tuning steps, target_accept 0.95: with the library default of
2 x 500 some fits missed the bulk/tail ESS >= 200 or R-hat < 1.01 bar for the group sd's),
fitted on the first **{args.bayes_draws}** gold draws of each `n_gold` only (a PyMC fit per
draw); its coverage therefore has a Monte Carlo standard error of about
{100 * np.sqrt(0.95 * 0.05 / max(args.bayes_draws, 1)):.1f} points. Fits that failed the
convergence checks (kept, flagged): {failed}. `bias_removed` = 1 - |bias| / |GPT-3 alone
bias| (the corrected methods' remaining "bias" is Monte Carlo noise around zero).

{fmt(anes)}

### By region (n_gold = 500 overall; the region's share of it)

{fmt(region_table)}

## Pew December 2013 x recorded silicon sample (`silicon_pew2013`)

Truth = Pew-weighted share approving among respondents answering Approve/Disapprove (Obama job
approval; the 2010 health care law). Gold draws: simple random samples of Pew respondents, with
their Pew final weights as survey weights (weighted PPI and weighted classical mean). The
personas are not the Pew respondents, so the LLM's "prediction for a gold respondent" is the
tier's mean stated approval probability among personas in the respondent's demographic cell
(age x sex x race; backing off to sex x race, race, overall when a cell has fewer than 3
personas). The same cell function applied to the 400 personas (drawn from the Pew-weighted
demographic joint) gives the persona-side predictions. "LLM alone (choices)" is the tier's share
of simulated Approve answers, "(probabilities)" its mean stated probability.

{fmt(pew)}

## Coverage-simulation harness (`calib.correct.CoverageStudy`)

{args.worlds} worlds per design; population 20,000, gold 200 (or 300 drawn with group
inclusion probabilities 1:1:2:4 and weighted), 5,000 personas; bias size 0.1, prediction noise
0.5 (logit scale). Hierarchical Bayes is not run here (a PyMC fit per world).

{fmt(sim)}
"""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {args.out} in {elapsed:.0f}s")


if __name__ == "__main__":
    main()
