"""Copula experiment: predict 2019 ACS joint tables from 2018 microdata or 2018 published tables.

Inputs (../shared/data, or $CALIB_DATA_DIR):
* ``nist_acs_excerpts/national2018.csv`` and ``national2019.csv`` (ACS PUMS persons in 20
  PUMAs, weighted by PWGTP), adults 18+.
* ``pewmethods_pew_acs/acs_2017_excerpt.csv`` (ACS 2017 sex x age x education, 36 cells).

Variables (all categorical):
* ``age6``: 18-24, 25-34, 35-44, 45-54, 55-64, 65+ (ordinal)
* ``sex``: Male, Female
* ``raceeth``: Hispanic (any race), White, Black, Asian, Other (non-Hispanic; Other includes
  American Indian/Alaska Native, Pacific Islander, some other race, two or more) (nominal)
* ``educ4``: <HS, HS/GED, some college/associate, BA+ (ordinal; from EDU 1-4, 5-6, 7-8, 9-12)
* ``income5``: personal income <10k (incl. zero/negative), 10-25k, 25-50k, 50-100k, 100k+
  (ordinal; PINCP in dollars)

Methods compared on every 3-way and 4-way table of 2019 (total variation distance of shares,
TV = 0.5 sum |p - q|):
1. independence: product of the 2018 1-way margins;
2. copula fitted to the 2018 1-way margins + 2-way tables only (``fit_summaries``);
3. the same, raked to exact 1-way margins and fitted 2-way tables (``joint_target``,
   ``match_tables=True``);
4. IPF of the 2018 2-way tables (the log-linear no-higher-interaction model; a classical
   baseline that uses the same published information);
5. copula fitted to the 2018 weighted microdata (``fit``);
6. 2018's own weighted empirical joint.

Seeds: QMC seed 0 everywhere. Run: ``python experiments/copula/run.py``; writes
``experiments/results/copula.md``.
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from calib.copula import GaussianCopula  # noqa: E402
from calib.copula.ipf import ipf  # noqa: E402
from calib.datadir import shared_data_dir  # noqa: E402
from calib.population import Population  # noqa: E402
from calib.schema import Schema, Variable  # noqa: E402

AGE = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
RACE = ("Hispanic", "White", "Black", "Asian", "Other")
EDUC = ("<HS", "HS/GED", "Some college/assoc", "BA+")
INC = ("<10k", "10-25k", "25-50k", "50-100k", "100k+")
SCHEMA = Schema(
    [
        Variable("age6", AGE, kind="ordinal"),
        Variable("sex", ("Male", "Female")),
        Variable("raceeth", RACE, kind="nominal"),
        Variable("educ4", EDUC, kind="ordinal"),
        Variable("income5", INC, kind="ordinal"),
    ]
)
NAMES = list(SCHEMA.names)


def load_acs(path: Path) -> Population:
    raw = pd.read_csv(path, na_values="N", dtype={"PUMA": str})
    raw = raw[raw["AGEP"] >= 18].copy()
    age = pd.cut(raw["AGEP"], [17, 24, 34, 44, 54, 64, 200], labels=AGE)
    race = np.select(
        [raw["HISP"] > 0, raw["RAC1P"] == 1, raw["RAC1P"] == 2, raw["RAC1P"] == 6],
        ["Hispanic", "White", "Black", "Asian"],
        "Other",
    )
    educ = pd.cut(raw["EDU"], [0, 4, 6, 8, 12], labels=EDUC)
    inc = pd.cut(raw["PINCP"], [-np.inf, 9999, 24999, 49999, 99999, np.inf], labels=INC)
    frame = pd.DataFrame(
        {
            "age6": age.astype(str),
            "sex": np.where(raw["SEX"] == 1, "Male", "Female"),
            "raceeth": race,
            "educ4": educ.astype(str),
            "income5": inc.astype(str),
            "weight": raw["PWGTP"].to_numpy(float),
            "age": raw["AGEP"].to_numpy(float),
            "income": raw["PINCP"].to_numpy(float),
        }
    )
    return Population(frame, SCHEMA, weights="weight")


NUMERIC_SCHEMA = Schema(
    [Variable("age", kind="numeric"), Variable("income", kind="numeric")]
    + [SCHEMA[n] for n in ("sex", "raceeth", "educ4")]
)
BINS = {"age": [25, 35, 45, 55, 65], "income": [10_000, 25_000, 50_000, 100_000]}
RENAME = {"age6": "age", "income5": "income"}


def markdown(frame: pd.DataFrame, index: bool = True, digits: int = 4) -> str:
    """A Markdown table without optional dependencies."""
    df = frame.reset_index() if index else frame
    cols = [str(c) for c in df.columns]

    def cell(v: object) -> str:
        return f"{v:.{digits}f}" if isinstance(v, float | np.floating) else str(v)

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(False)]
    return "\n".join(lines)


def shares(pop: Population, names: list[str]) -> np.ndarray:
    m = pop.margin(names)
    return (m / m.sum()).to_numpy()


def tv(p: np.ndarray, q: np.ndarray) -> float:
    return 0.5 * float(np.abs(p / p.sum() - q / q.sum()).sum())


def independence(pop: Population, names: list[str]) -> np.ndarray:
    out = np.ones(1)
    for n in names:
        out = np.multiply.outer(out, shares(pop, [n])).ravel()
    return out


def ipf_pairs(pop: Population, names: list[str]) -> np.ndarray:
    n_levels = [SCHEMA[n].n_levels for n in names]
    codes = np.array(list(itertools.product(*[range(k) for k in n_levels])))
    margins = [
        ((i, j), shares(pop, [names[i], names[j]]))
        for i, j in itertools.combinations(range(len(names)), 2)
    ]
    w = ipf(codes, np.ones(len(codes)), margins, n_levels=n_levels, tol=1e-10, max_iter=5000)
    return w / w.sum()


def acs2017_reconstruction(data: Path, age_kind: str = "ordinal") -> tuple[pd.DataFrame, dict]:
    raw = pd.read_csv(data / "pewmethods_pew_acs" / "acs_2017_excerpt.csv")
    ages = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
    educs = ("HS grad or less", "Some coll/Assoc degree", "Coll+")
    schema = Schema(
        [
            Variable("sex", ("Male", "Female")),
            Variable("recage", ages, kind=age_kind),
            Variable("receduc", educs, kind="ordinal"),
        ]
    )
    joint = raw.set_index(["sex", "recage", "receduc"])["weight"]
    joint = joint.reindex(pd.MultiIndex.from_product([schema[n].levels for n in schema]))
    p = joint.to_numpy() / joint.sum()
    arr = p.reshape(2, 6, 3)
    margins = {"sex": arr.sum((1, 2)), "recage": arr.sum((0, 2)), "receduc": arr.sum((0, 1))}
    tables = {
        ("sex", "recage"): arr.sum(2),
        ("sex", "receduc"): arr.sum(1),
        ("recage", "receduc"): arr.sum(0),
    }
    cop = GaussianCopula().fit_summaries(margins=margins, tables=tables, schema=schema)
    raw_tab = cop.table(["sex", "recage", "receduc"], n_draws=2**17).probs.to_numpy()
    target = cop.joint_target([("sex", "recage", "receduc")], total=1.0, match_tables=True)
    matched = target.margin(["sex", "recage", "receduc"]).to_numpy()
    codes = np.array(list(itertools.product(range(2), range(6), range(3))))
    ipf3 = ipf(
        codes,
        np.ones(36),
        [
            ((0, 1), tables[("sex", "recage")]),
            ((0, 2), tables[("sex", "receduc")]),
            ((1, 2), tables[("recage", "receduc")]),
        ],
        n_levels=(2, 6, 3),
    )
    indep = np.multiply.outer(
        np.multiply.outer(margins["sex"], margins["recage"]), margins["receduc"]
    ).ravel()
    cells = pd.DataFrame(
        {
            "real": p,
            "independence": indep,
            "copula (margins+pairs)": raw_tab,
            "copula raked to pairs": matched / matched.sum(),
            "IPF of pairs": ipf3 / ipf3.sum(),
        },
        index=joint.index,
    )
    rho = cop.pairs_.set_index(["var_a", "var_b"])["max_abs_corr"].round(3).to_dict()
    return cells, rho


def main() -> None:
    data = shared_data_dir()
    t0 = time.time()
    pop18 = load_acs(data / "nist_acs_excerpts" / "national2018.csv")
    pop19 = load_acs(data / "nist_acs_excerpts" / "national2019.csv")

    cop_micro = GaussianCopula().fit(pop18)
    pop18_numeric = Population(pop18.data, NUMERIC_SCHEMA, weights="weight")
    cop_numeric = GaussianCopula().fit(pop18_numeric)
    margins = {n: pop18.margin(n) for n in NAMES}
    tables = {(a, b): pop18.margin([a, b]) for a, b in itertools.combinations(NAMES, 2)}
    cop_sum = GaussianCopula().fit_summaries(margins=margins, tables=tables, schema=SCHEMA)
    nominal_age = Schema(
        [Variable("age6", AGE, kind="nominal") if n == "age6" else SCHEMA[n] for n in NAMES]
    )
    cop_age = GaussianCopula().fit_summaries(margins=margins, tables=tables, schema=nominal_age)
    fit_time = time.time() - t0

    rows = []
    for k in (3, 4, 5):
        for key in itertools.combinations(NAMES, k):
            key = list(key)
            truth = shares(pop19, key)
            target = cop_sum.joint_target([tuple(key)], total=1.0, match_tables=True)
            row = {
                "table": " x ".join(key),
                "k": k,
                "cells": truth.size,
                "independence": tv(independence(pop18, key), truth),
                "copula margins+pairs": tv(
                    cop_sum.table(key, n_draws=2**17).probs.to_numpy(), truth
                ),
                "copula m+p, age nominal": tv(
                    cop_age.table(key, n_draws=2**17).probs.to_numpy(), truth
                ),
                "copula m+p raked to pairs": tv(target.margin(key).to_numpy(), truth),
                "IPF of 2-way tables": tv(ipf_pairs(pop18, key), truth),
                "copula microdata": tv(cop_micro.table(key, n_draws=2**17).probs.to_numpy(), truth),
                "copula microdata, age & income numeric": tv(
                    cop_numeric.table(
                        [RENAME.get(n, n) for n in key], bins=BINS, n_draws=2**17
                    ).probs.to_numpy(),
                    truth,
                ),
                "2018 empirical joint": tv(shares(pop18, key), truth),
            }
            rows.append(row)
    res = pd.DataFrame(rows)
    methods = [c for c in res.columns if c not in ("table", "k", "cells")]
    mean = res.groupby("k")[methods].mean()

    cells, rho = acs2017_reconstruction(data)
    tv17 = {c: tv(cells[c].to_numpy(), cells["real"].to_numpy()) for c in cells if c != "real"}
    cells_nom, rho_nom = acs2017_reconstruction(data, age_kind="nominal")
    tv17["copula (margins+pairs), age nominal"] = tv(
        cells_nom["copula (margins+pairs)"].to_numpy(), cells["real"].to_numpy()
    )
    elapsed = time.time() - t0

    print(mean.T.to_string(float_format="{:.4f}".format))
    print(tv17)
    out = ROOT / "experiments" / "results" / "copula.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    fmt = "{:.4f}".format
    lines = [
        "# Copula experiment: joint tables from margins and pairs",
        "",
        "Command: `python experiments/copula/run.py` (QMC seed 0; "
        f"{elapsed:.0f} s total, fits {fit_time:.1f} s).",
        "",
        "Data: NIST ACS PUMS excerpts, national 2018 (fit) and 2019 (truth), adults 18+, "
        f"weighted by PWGTP ({pop18.n} and {pop19.n} persons). Variables: age6 (18-24 ... "
        "65+), sex, raceeth (Hispanic, White, Black, Asian, Other; nominal: argmax block), "
        "educ4 (<HS, HS/GED, some college/assoc, BA+), income5 (personal income <10k, 10-25k, "
        "25-50k, 50-100k, 100k+). TV = total variation distance between the predicted and the "
        "real 2019 weighted shares (0 = identical).",
        "",
        "## Mean TV to the real 2019 tables",
        "",
        markdown(mean.T.rename_axis("method")),
        "",
        "k = 3: all 10 three-way tables; k = 4: all 5 four-way tables; k = 5: the full joint "
        "(1,200 cells).",
        "",
        "* *copula margins+pairs* uses only 2018's 1-way margins and its ten 2-way tables.",
        "* *age nominal* is the same fit with age6 as a nominal (argmax) block: age's "
        "associations with education and income are not monotone (18-24 year-olds are still "
        "in school), which one threshold latent cannot express.",
        "* *raked to pairs* is the same copula's `joint_target(..., match_tables=True)`: its "
        "k-way table raked to reproduce the 1-way margins and the 2-way tables exactly.",
        "* *IPF of 2-way tables* is the classical maximum-entropy answer from the same tables.",
        "* *copula microdata* fits the same categorical variables from the 2018 rows; for "
        "categorical variables the pairwise likelihood only sees the 2-way tables, so it "
        "coincides with the margins+pairs fit (same QMC seed, same numbers). The *age & "
        "income numeric* variant fits age (AGEP) and income (PINCP) as numeric variables "
        "with exact empirical margins (polyserial / normal-scores correlations) and bins "
        "them into the same brackets only when the table is computed.",
        "* *2018 empirical joint* is the best any 2018-based model could hope for; its distance "
        "is mostly sampling noise of two samples of ~20,000 people and year-to-year change.",
        "",
        "## Reading",
        "",
        "* From only 1-way margins and 2-way tables the Gaussian copula is markedly closer to "
        "the real 2019 joint than independence (the product of margins a marginal persona "
        "sampler uses): the mean TV drops by about a third for 3-way and 4-way tables, and "
        "by about half once age is a nominal block.",
        "* The raw Gaussian copula does not reproduce the 2-way tables exactly: a single "
        "latent correlation per ordinal pair cannot express non-monotone associations (age "
        "with education and income). Raking its k-way table to the published 1-way and "
        "2-way tables (`joint_target(match_tables=True)`, the form the weighting engine "
        "consumes) closes most of the gap, to the level of 2018's own empirical joint.",
        "* Raked to the pairs, the copula is as good as, not better than, classical IPF of "
        "the 2-way tables: once every 2-way table is published and matched, the copula's "
        "added higher-order structure neither helps nor hurts on these data. Its advantages "
        "lie elsewhere: it accepts latent correlations where no table is published, gives "
        "synthetic people, and handles numeric variables with exact margins.",
        "",
        "## Every table",
        "",
        markdown(res, index=False),
        "",
        "## Latent correlations (copula from 2018 margins + pairs)",
        "",
        markdown(
            cop_sum.pairs_[["var_a", "var_b", "method", "rho", "max_abs_corr"]],
            index=False,
            digits=3,
        ),
        "",
        "rho is the latent correlation of two one-dimensional latents; for pairs with the "
        "nominal raceeth (a block of 5 utilities) max_abs_corr is the largest absolute "
        "correlation of a utility with the other latent.",
        "",
        f"PD repair: {cop_sum.repair_.to_dict()}",
        "",
        "## Copula fitted to the 2018 microdata (summary)",
        "",
        "```",
        cop_micro.summary(),
        "```",
        "",
        "Standard errors of the raceeth utility correlations (rows: utilities of Hispanic, "
        "White, Black, Asian, Other):",
        "",
        *[
            f"* {a} x {b}: {np.round(se.ravel(), 4).tolist()}"
            for (a, b), se in cop_micro.block_std_errors_.items()
        ],
        "",
        "## ACS 2017 sex x age x education from its three 2-way margins",
        "",
        "Pew's `acs_2017_excerpt` (36 cells). Each method sees only the sex x age, sex x "
        "education and age x education tables.",
        "",
        "| method | TV to the real 36 cells |",
        "|---|---|",
        *[f"| {k} | {fmt(v)} |" for k, v in tv17.items()],
        "",
        f"Latent correlations (largest absolute entry of each pair's block): {rho}; with "
        f"age as a nominal block: {rho_nom}",
        "",
        markdown(cells),
        "",
    ]
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
