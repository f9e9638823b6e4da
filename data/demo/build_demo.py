"""Build the demo's bundled inputs (data/demo/*.csv) from ../shared/data.

Run from the repository root: ``python data/demo/build_demo.py [--data-dir ../shared/data]``.

Inputs (never copied): ``silicon_pew2013`` (the project's own recorded silicon sample) and
``pewmethods_pew_acs`` (Pew Research Center Dec 2013 survey excerpt and ACS 2017 raking cells).
Outputs (aggregates and the project's own silicon sample, recoded):

- ``silicon_personas.csv``: 1,600 rows, the 400 personas x 4 tiers with their standard
  variables (sex, age_pew6, race4, region, educ3 where the tier has it) and LLM answers.
- ``reference_pew2013.csv``: Pew-weighted population shares by sex x age_pew6 x race4 x region
  x educ3 (respondents with all five known), the reference the personas are compared with.
- ``gold_cells.csv``: the gold human sample as cell counts: ``N_GOLD`` Pew respondents drawn
  with replacement, probability proportional to the Pew weight (seed ``SEED``), counted by
  question x sex x age_pew6 x race4 x answer. No respondent rows, ids or weights.
- ``truth.csv``: the real values (Pew full sample, final weight, among those answering; 2012
  vote from the official result).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20131201
N_GOLD = 300
OUT = Path(__file__).resolve().parent
TIERS = ("meta", "objective_table", "subjective_table", "descriptive")

RACE_SILICON = {
    "White, non-Hispanic": "White",
    "Black, non-Hispanic": "Black",
    "Hispanic, born in the US": "Hispanic",
    "Hispanic, born outside the US": "Hispanic",
    "Other race, non-Hispanic": "Other",
}
RACE_PEW = {
    "White~Hisp": "White",
    "Black~Hisp": "Black",
    "Hisp, born in US": "Hispanic",
    "Hisp, born outside US": "Hispanic",
    "Other": "Other",
}
EDUC_SILICON = {
    "Less than high school": "HS or less",
    "High school graduate": "HS or less",
    "Some college or associate degree": "Some college",
    "Bachelor's degree": "College+",
    "Graduate degree": "College+",
}
EDUC_PEW = {
    "HS grad or less": "HS or less",
    "Some coll/Assoc degree": "Some college",
    "Coll+": "College+",
}
VOTE = {
    "Barack Obama": "Obama",
    "Mitt Romney": "Romney",
    "Someone else": "Other",
    "Did not vote": "Did not vote",
}
PARTY_PERSONA = {"Democrat": "Democrat", "Republican": "Republican", "Independent": "Independent"}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def silicon(base: Path) -> pd.DataFrame:
    """The four tiers' personas and answers in standard variables."""
    meta = pd.read_csv(base / "meta_personas.csv")
    meta = pd.DataFrame(
        {
            "persona_id": meta["persona_id"],
            "sex": meta["SEX"],
            "age_pew6": meta["AGE"],
            "race4": meta["RACE"].map(RACE_SILICON),
            "region": meta["REGION"],
        }
    )
    frames = []
    for tier in TIERS:
        sims = pd.concat([pd.DataFrame(_jsonl(base / f"sim_{tier}_{i}.jsonl")) for i in (1, 2)])
        rows = meta.copy()
        rows.insert(1, "tier", tier)
        rows["educ3"] = pd.NA
        rows["party_persona"] = pd.NA
        if tier in ("objective_table", "subjective_table"):
            gen = [
                r | r.pop("persona") for i in (1, 2) for r in _jsonl(base / f"gen_{tier}_{i}.jsonl")
            ]
            gen = pd.DataFrame(gen).set_index("persona_id")
            rows["educ3"] = rows["persona_id"].map(gen["EDUCATION"].map(EDUC_SILICON))
            if "PARTY" in gen:
                rows["party_persona"] = rows["persona_id"].map(gen["PARTY"].map(PARTY_PERSONA))
        sims = sims.set_index("persona_id")
        rows["obama_approval"] = rows["persona_id"].map(sims["obama_approval"])
        rows["aca_approval"] = rows["persona_id"].map(sims["aca_approval"])
        rows["party"] = rows["persona_id"].map(sims["party"])
        rows["vote2012"] = rows["persona_id"].map(sims["vote2012"].map(VOTE))
        rows["obama_p_approve"] = rows["persona_id"].map(sims["obama_p_approve"]) / 100
        rows["aca_p_approve"] = rows["persona_id"].map(sims["aca_p_approve"]) / 100
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def pew(base: Path) -> pd.DataFrame:
    """Pew respondents in standard variables (kept in memory only)."""
    d = pd.read_csv(base / "dec13_excerpt.csv")
    return pd.DataFrame(
        {
            "sex": d["sex"],
            "age_pew6": d["recage"].where(d["recage"] != "DK/Ref"),
            "race4": d["racethn2"].map(RACE_PEW),
            "region": d["cregion"],
            "educ3": d["receduc"].map(EDUC_PEW),
            "obama_approval": d["q1"].where(d["q1"].isin(["Approve", "Disapprove"])),
            "aca_approval": d["q45"].where(d["q45"].isin(["Approve", "Disapprove"])),
            "party": d["party"].where(d["party"].isin(["Democrat", "Republican", "Independent"])),
            "weight": d["weight"],
        }
    )


def truth(people: pd.DataFrame) -> pd.DataFrame:
    """Weighted full-sample shares among those answering, plus the 2012 result."""
    rows = []
    for question, level in (
        ("obama_approval", "Approve"),
        ("aca_approval", "Approve"),
        ("party", "Democrat"),
        ("party", "Republican"),
    ):
        ok = people[question].notna()
        w = people.loc[ok, "weight"]
        value = float((w * (people.loc[ok, question] == level)).sum() / w.sum())
        rows.append(
            (question, level, round(value, 6), "Pew Research Center Dec 2013, final weight")
        )
    rows.append(("vote2012", "Obama", 0.511, "official 2012 result, share of votes cast"))
    rows.append(("vote2012", "Romney", 0.472, "official 2012 result, share of votes cast"))
    return pd.DataFrame(rows, columns=["question", "level", "value", "source"])


def draw_gold(people: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` respondents drawn with replacement, probability proportional to the Pew weight.

    With replacement, the unweighted mean of a draw is unbiased for the weighted mean of the
    survey, so the gold sample needs no weights.
    """
    known = people.dropna(subset=["sex", "age_pew6", "race4"]).reset_index(drop=True)
    p = known["weight"].to_numpy() / known["weight"].sum()
    return known.iloc[rng.choice(len(known), size=n, replace=True, p=p)]


def gold_cells(take: pd.DataFrame) -> pd.DataFrame:
    """Question x sex x age_pew6 x race4 x answer counts of drawn respondents."""
    counts = []
    for question in ("obama_approval", "aca_approval", "party"):
        c = (
            take.dropna(subset=[question])
            .groupby(["sex", "age_pew6", "race4", question], observed=True)
            .size()
        )
        c = c.rename("count").reset_index().rename(columns={question: "answer"})
        c.insert(0, "question", question)
        counts.append(c)
    return pd.concat(counts, ignore_index=True)


def reference(people: pd.DataFrame) -> pd.DataFrame:
    """Pew-weighted shares of the sex x age x race x region x education cells."""
    cols = ["sex", "age_pew6", "race4", "region", "educ3"]
    known = people.dropna(subset=cols)
    shares = known.groupby(cols, observed=True)["weight"].sum() / known["weight"].sum()
    return shares.round(8).rename("share").reset_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data")
    args = parser.parse_args()
    base = Path(args.data_dir)
    people = pew(base / "pewmethods_pew_acs")
    silicon(base / "silicon_pew2013").to_csv(OUT / "silicon_personas.csv", index=False)
    reference(people).to_csv(OUT / "reference_pew2013.csv", index=False)
    take = draw_gold(people, N_GOLD, np.random.default_rng(SEED))
    gold_cells(take).to_csv(OUT / "gold_cells.csv", index=False)
    truth(people).to_csv(OUT / "truth.csv", index=False)
    print(f"wrote demo inputs to {OUT}")


if __name__ == "__main__":
    main()
