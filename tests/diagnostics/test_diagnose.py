"""diagnose(): values against hand computation, before/after weights, typed errors."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from calib.diagnostics import diagnose
from calib.diagnostics.distances import total_variation
from calib.errors import (
    DataError,
    SchemaError,
    UnknownVariableError,
    WeightError,
)
from calib.population import Population
from calib.schema import Schema, Variable
from calib.target import Target


def test_values_match_hand_computation_on_a_margins_target(personas, schema):
    target = Target.from_margins({"sex": [0.5, 0.5], ("age", "educ"): np.full(9, 1 / 9)}, schema)
    r = diagnose(personas, target, n_boot=50)
    m = r.to_frame("marginal").set_index(["variable", "weighting", "metric"])["value"]
    p_sex = personas.data["sex"].value_counts(normalize=True).reindex(["M", "F"]).to_numpy()
    assert m[("sex", "design", "tv")] == pytest.approx(abs(p_sex[0] - 0.5))
    joint = r.to_frame("joint")
    assert set(joint["variables"]) == {"age×educ"}  # the other pairs have no target margin
    assert any("skipped" in n for n in r.notes) and not r.classifier
    table = pd.crosstab(personas.data["age"], personas.data["educ"], dropna=False)
    hand = total_variation(table.to_numpy().ravel(), np.full(9, 1.0))
    assert joint["tv"].iloc[0] == pytest.approx(hand)


def test_microdata_target_full_report(personas, reference):
    rng = np.random.default_rng(5)
    new_w = rng.uniform(0.5, 1.5, personas.n)
    r = diagnose(
        personas,
        Target.from_microdata(reference),
        triples=[("sex", "age", "educ")],
        weights=new_w,
        n_boot=100,
        n_permutations=49,
    )
    assert r.weightings == ["design", "weighted"]
    joint = r.to_frame("joint").set_index(["variables", "weighting"])
    # personas have independent age and educ; the reference does not: the association gap
    # is negative and the classifier names age or educ
    assert joint.loc[("age×educ", "design"), "cramers_v_gap"] < -0.2
    row = joint.loc[("age×educ", "design")]
    assert row["polychoric_gap_low"] < row["polychoric_gap"] < -0.3
    assert row["polychoric_gap_high"] < 0  # the gap is clearly below zero
    assert joint.loc[("age×educ", "design"), "tv"] > joint.loc[("age×educ", "design"), "tv_null"]
    assert joint.loc[("sex×age×educ", "design"), "k"] == 3
    imp = r.classifier["design"].importance
    assert imp.idxmax() in {"age", "educ"} and r.classifier["design"].p_value < 0.05
    m = r.to_frame("marginal")
    assert {"tv", "hellinger", "js", "kl", "asmd", "ks", "wasserstein"} <= set(m["metric"])
    assert (m["low"] <= m["high"]).all()
    cells = r.to_frame("cells")
    assert set(cells.columns) >= {"cell", "difference", "interaction_difference"}
    assert len(r.to_frame("weights")) == 2 and len(r.to_frame("classifier")) == 2
    text = r.summary()
    assert "Classifier" in text and "ESS" in text
    for ax in (
        r.plot_love(),
        r.plot_levels("age"),
        r.plot_association_gaps(),
        r.plot_importance("weighted"),
    ):
        assert ax is not None
    with pytest.raises(UnknownVariableError):
        r.to_frame("nope")


def test_weights_change_the_after_view(personas, reference):
    # weights that make 'sex' exactly 50/50 remove its marginal TV after weighting
    is_m = (personas.data["sex"] == "M").to_numpy()
    w = np.where(is_m, 0.5 / is_m.mean(), 0.5 / (1 - is_m.mean()))
    target = Target.from_margins({"sex": [0.5, 0.5]}, personas.schema.subset(["sex"]))
    r = diagnose(personas, target, weights=w, n_boot=0)
    tv = r.to_frame("marginal").query("metric == 'tv'").set_index("weighting")["value"]
    assert tv["weighted"] == pytest.approx(0, abs=1e-12) and tv["design"] > 0


def test_joint_target_runs_classifier(personas, reference):
    target = Target.from_joint(reference.margin(["sex", "age", "educ"]), reference.schema)
    r = diagnose(personas, target, n_boot=20, n_permutations=19, classifier_rows=2000)
    assert "design" in r.classifier
    assert r.pathologies["duplicates"]["expected_duplicate_share"] > 0.9  # 300 rows, 18 cells


def test_support_gaps_and_missing_values(schema, reference):
    frame = reference.data[["sex", "age", "educ"]].head(200).copy()
    frame.loc[frame["age"] == "65+", "age"] = "35-64"  # no personas aged 65+
    frame.loc[frame.index[:5], "educ"] = None  # missing values dropped per table
    pop = Population(frame, schema, allow_missing=True)
    r = diagnose(pop, Target.from_microdata(reference), classifier=False, n_boot=20)
    gaps = r.to_frame("support_gaps")
    assert ("age", "65+") in set(zip(gaps["variables"], gaps["cell"], strict=True))
    lv = r.to_frame("levels").query("variable == 'educ' and weighting == 'design'")
    assert lv["population_share"].sum() == pytest.approx(1.0)


def test_typed_errors(personas, reference, schema):
    target = Target.from_microdata(reference)
    other = Schema([Variable("sex", ("Male", "Female"))])
    with pytest.raises(SchemaError):
        diagnose(personas, Target.from_margins({"sex": [1, 1]}, other))
    with pytest.raises(SchemaError):
        diagnose(personas, Target.from_margins({"x": [1, 1]}, Schema([Variable("x", ("a", "b"))])))
    kind = Schema([Variable("age", ("18-34", "35-64", "65+"))])  # nominal, not ordinal
    with pytest.raises(SchemaError):
        diagnose(personas, Target.from_margins({"age": [1, 1, 1]}, kind))
    with pytest.raises(UnknownVariableError):
        diagnose(personas, target, variables=["sex", "income"])
    with pytest.raises(UnknownVariableError):
        diagnose(personas, target, pairs=[("sex", "income")])
    with pytest.raises(WeightError):
        diagnose(personas, target, weights=np.zeros(personas.n))
    with pytest.raises(WeightError):
        diagnose(personas, target, weights=np.r_[np.nan, np.ones(personas.n - 1)])
    with pytest.raises(WeightError):
        diagnose(personas, target, weights=np.ones(3))
    with pytest.raises(DataError):
        diagnose(personas.data, target)
    with pytest.raises(DataError):  # empty population
        Population(personas.data.head(0), schema)
    with pytest.raises(DataError):  # NaNs without allow_missing
        Population(personas.data.assign(sex=None), schema)
    numeric = Schema([Variable("inc", kind="numeric")])
    pop = Population(pd.DataFrame({"inc": [1.0, 2.0]}), numeric)
    with pytest.raises(SchemaError):
        diagnose(
            pop,
            Target.from_joint(
                pd.Series([1.0], index=pd.Index(["a"], name="x")), Schema([Variable("x", ("a",))])
            ),
            variables=None,
        )


def test_numeric_variable_ks_and_wasserstein():
    numeric = Schema([Variable("inc", kind="numeric")])
    a = Population(pd.DataFrame({"inc": [0.0, 1.0, 2.0, 3.0]}), numeric)
    b = Population(pd.DataFrame({"inc": [1.0, 2.0, 3.0, 4.0]}), numeric)
    r = diagnose(a, Target.from_microdata(b), classifier=False, n_boot=0)
    m = r.to_frame("marginal").set_index("metric")["value"]
    assert m["wasserstein"] == pytest.approx(1.0)  # a shift by 1
    assert m["ks"] == pytest.approx(0.25)
    assert m["asmd"] == pytest.approx(1 / np.sqrt(1.25))


def test_target_replicate_weights_widen_intervals(personas, reference):
    rng = np.random.default_rng(9)
    data = reference.data.copy()
    for r in range(1, 9):
        data[f"rep{r}"] = reference.weights * rng.uniform(0.6, 1.4, reference.n)
    target = Target.from_microdata(Population(data, reference.schema, weights=reference.weights))
    reps = [f"rep{r}" for r in range(1, 9)]
    plain = diagnose(
        personas,
        Target.from_margins(
            {("sex", "age", "educ"): reference.margin(["sex", "age", "educ"])}, reference.schema
        ),
        pairs=None,
        classifier=False,
        seed=1,
    )
    with_reps = diagnose(
        personas,
        target,
        pairs=None,
        classifier=False,
        seed=1,
        target_replicates=reps,
        replicate_scale=4 / 8,
    )
    a = plain.to_frame("marginal").query("metric == 'tv'").set_index("variable")
    b = with_reps.to_frame("marginal").query("metric == 'tv'").set_index("variable")
    assert b["value"].to_numpy() == pytest.approx(a["value"].to_numpy())
    assert ((b["high"] - b["low"]) > (a["high"] - a["low"])).all()
    with pytest.raises(UnknownVariableError):
        diagnose(personas, target, target_replicates=["rep99"], classifier=False)
