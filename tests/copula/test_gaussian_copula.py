"""GaussianCopula: recovery, exact margins, weights, summaries, uses and typed errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from copula_sim import EDUC, LATENT, RACE, mixed_schema, simulate_frame, true_correlation

from calib.copula import GaussianCopula
from calib.copula.margins import nominal_margin, ordinal_margin
from calib.copula.nominal import nominal_ordinal_table
from calib.errors import (
    DataError,
    InconsistentMarginsError,
    InfeasibleError,
    NotFittedError,
    SchemaError,
    UnknownLevelError,
    UnknownVariableError,
)
from calib.polychoric import bvn_rectangle_probs
from calib.population import Population
from calib.schema import Schema, Variable


@pytest.fixture(scope="module")
def fitted(mixed_population) -> GaussianCopula:
    return GaussianCopula().fit(mixed_population)


def test_recovers_known_latent_correlations(fitted):
    assert fitted.latent_labels_ == LATENT
    assert not fitted.repair_.changed
    # 60,000 rows: SEs are ~0.004-0.006; allow 0.03 for the nominal blocks' QMC fit
    np.testing.assert_allclose(fitted.correlation_, true_correlation(), atol=0.03)
    assert fitted.converged_
    assert set(fitted.pair_sources_.values()) == {"microdata"}


def test_margins_exactly_reproduced(fitted, mixed_population):
    for name in ("educ", "sex", "race"):
        want = mixed_population.margin(name)
        np.testing.assert_allclose(fitted.margins_[name].probs, (want / want.sum()).to_numpy())
    target = fitted.joint_target([("educ", "sex", "race")])
    for name in ("educ", "sex", "race"):
        np.testing.assert_allclose(
            target.margin(name).to_numpy(), mixed_population.margin(name).to_numpy(), rtol=1e-8
        )
    assert target.margin(["educ", "sex", "race"]).sum() == pytest.approx(60_000)
    # the implied table's 1-way margins agree with the exact margins within QMC error
    tab = fitted.table(["race", "educ"])
    race = tab.probs.groupby(level="race", sort=False).sum().reindex(list(RACE))
    np.testing.assert_allclose(race.to_numpy(), fitted.margins_["race"].probs, atol=3e-3)


def test_weighted_fit_equals_expanded_unweighted_fit():
    frame = simulate_frame(1500, seed=3)
    w = np.random.default_rng(4).integers(1, 4, size=len(frame))
    weighted = GaussianCopula().fit(Population(frame.assign(w=w), mixed_schema(), weights="w"))
    expanded = GaussianCopula().fit(
        Population(frame.loc[np.repeat(frame.index, w)], mixed_schema())
    )
    np.testing.assert_allclose(weighted.correlation_, expanded.correlation_, atol=1e-7)
    for name in ("educ", "sex", "race"):
        np.testing.assert_allclose(weighted.margins_[name].probs, expanded.margins_[name].probs)


def test_table_matches_closed_form_with_honest_error():
    schema = Schema([Variable("a", ("0", "1", "2"), kind="ordinal"), Variable("b", ("0", "1"))])
    cop = GaussianCopula().fit_summaries(
        margins={"a": [0.2, 0.5, 0.3], "b": [0.6, 0.4]},
        correlations={("a", "b"): 0.5},
        schema=schema,
    )
    tab = cop.table(["a", "b"], n_draws=2**14, n_reps=8)
    exact = bvn_rectangle_probs(cop.margins_["a"].thresholds, cop.margins_["b"].thresholds, 0.5)
    err = np.abs(tab.probs.to_numpy() - exact.ravel())
    assert np.all(err < 5 * tab.std_error.to_numpy() + 1e-6)
    assert tab.max_std_error < 1e-3
    est = cop.probability({"a": "2", "b": "1"})
    assert est.point == pytest.approx(exact[2, 1], abs=5 * est.std_error + 1e-6)


def test_fit_summaries_recovers_pair_from_tables_and_records_sources():
    schema = Schema(
        [
            Variable("race", RACE),
            Variable("educ", EDUC, kind="ordinal"),
            Variable("sex", ("M", "F")),
        ]
    )
    race = nominal_margin("race", RACE, np.array([0.6, 0.15, 0.15, 0.1]))
    educ = ordinal_margin("educ", EDUC, np.array([0.3, 0.3, 0.25, 0.15]))
    r = np.array([0.3, -0.1, -0.25, 0.05])
    table = nominal_ordinal_table(race.utilities, educ.thresholds, r, n_draws=2**17, seed=9)
    cop = GaussianCopula().fit_summaries(
        margins={"race": race.probs, "educ": educ.probs, "sex": [0.5, 0.5]},
        tables={("race", "educ"): table},
        schema=schema,
    )
    block = cop.correlation_[cop.latent_slices_["race"], cop.latent_slices_["educ"]].ravel()
    np.testing.assert_allclose(block, r, atol=0.02)
    assert cop.pair_sources_ == {
        ("race", "educ"): "table",
        ("race", "sex"): "independent",
        ("educ", "sex"): "independent",
    }
    assert "assumed independent: race x sex; educ x sex" in cop.summary()


def test_joint_target_can_match_fitted_tables(fitted, mixed_population):
    schema = mixed_population.schema
    margins = {n: mixed_population.margin(n) for n in ("educ", "sex", "race")}
    tables = {("educ", "race"): mixed_population.margin(["educ", "race"])}
    cop = GaussianCopula().fit_summaries(margins=margins, tables=tables, schema=schema)
    target = cop.joint_target([("educ", "sex", "race")], match_tables=True)
    got = target.margin(["educ", "race"]).to_numpy()
    np.testing.assert_allclose(got, tables[("educ", "race")].to_numpy(), rtol=1e-6)


def test_sample_is_on_the_schema(fitted):
    people = fitted.sample(20_000, seed=2)
    assert list(people.columns) == ["age", "educ", "sex", "race", "inc"]
    assert list(people["race"].cat.categories) == list(RACE)
    share = people["race"].value_counts(normalize=True).reindex(list(RACE)).to_numpy()
    np.testing.assert_allclose(share, fitted.margins_["race"].probs, atol=0.01)
    assert set(np.unique(people["age"])) <= set(fitted.margins_["age"].values)
    pop = fitted.sample(100, seed=2, as_population=True)
    assert isinstance(pop, Population) and pop.n == 100
    pd.testing.assert_frame_equal(fitted.sample(50, seed=5), fitted.sample(50, seed=5))


def test_density_ratio_weights_move_personas_toward_model(fitted):
    rng = np.random.default_rng(8)
    n = 20_000
    persona = pd.DataFrame(  # independent attributes: the marginal-sampler failure mode
        {
            "educ": rng.choice(EDUC, n, p=fitted.margins_["educ"].probs),
            "sex": rng.choice(["M", "F"], n, p=fitted.margins_["sex"].probs),
            "race": rng.choice(RACE, n, p=fitted.margins_["race"].probs),
        }
    )
    schema = Schema([mixed_schema()[k] for k in ("educ", "sex", "race")])
    pop = Population(persona, schema)
    res = fitted.density_ratio_weights(pop)
    model = fitted.table(["educ", "race"]).probs.to_numpy()

    def tv(w: np.ndarray) -> float:
        m = pop.margin(["educ", "race"], weights=w).to_numpy()
        return 0.5 * float(np.abs(m / m.sum() - model).sum())

    assert tv(res.weights) < 0.25 * tv(np.ones(n))
    assert res.weights.sum() == pytest.approx(n)
    assert res.uncovered_mass < 0.01


def test_not_fitted_and_unknown_names(fitted):
    with pytest.raises(NotFittedError):
        GaussianCopula().sample(3)
    with pytest.raises(UnknownVariableError):
        fitted.table(["educ", "religion"])
    with pytest.raises(UnknownLevelError):
        fitted.probability({"sex": "X"})
    with pytest.raises(SchemaError, match="bins"):
        fitted.table(["age", "sex"])
    assert fitted.table(["age", "sex"], bins={"age": [40, 60]}).probs.size == 6


def test_unknown_level_in_table_or_population(fitted):
    schema = Schema([Variable("sex", ("M", "F")), Variable("educ", EDUC, kind="ordinal")])
    bad = pd.DataFrame({"sex": ["M", "X"], "educ": ["lo", "hi"], "n": [3.0, 4.0]})
    with pytest.raises(UnknownLevelError):
        GaussianCopula().fit_summaries(
            margins={"sex": [0.5, 0.5], "educ": [0.25] * 4},
            tables={("sex", "educ"): bad},
            schema=schema,
        )
    other = Schema([Variable("sex", ("M", "F", "Other"))])
    pop = Population(pd.DataFrame({"sex": ["M", "F", "Other"]}), other)
    with pytest.raises(UnknownLevelError, match="Other"):
        fitted.density_ratio_weights(pop, variables=["sex"])


def test_table_inconsistent_with_margins_raises():
    schema = Schema([Variable("sex", ("M", "F")), Variable("educ", ("lo", "hi"), kind="ordinal")])
    with pytest.raises(InconsistentMarginsError, match="sex"):
        GaussianCopula().fit_summaries(
            margins={"sex": [0.5, 0.5], "educ": [0.5, 0.5]},
            tables={("sex", "educ"): np.array([[0.4, 0.3], [0.1, 0.2]])},
            schema=schema,
        )


def _three_ordinals() -> Schema:
    return Schema([Variable(n, ("0", "1"), kind="ordinal") for n in "abc"])


def test_non_pd_correlations_repaired_with_record_or_refused():
    schema = _three_ordinals()
    margins = {n: [0.5, 0.5] for n in "abc"}
    bad = {("a", "b"): 0.9, ("b", "c"): 0.9, ("a", "c"): -0.9}
    cop = GaussianCopula().fit_summaries(margins=margins, correlations=bad, schema=schema)
    assert cop.repair_.changed and cop.repair_.max_abs_change > 0.1
    assert np.linalg.eigvalsh(cop.correlation_).min() > 0
    assert (cop.pairs_["repair_change"] > 0).all()
    with pytest.raises(InfeasibleError, match="repair=False"):
        GaussianCopula(repair=False).fit_summaries(margins=margins, correlations=bad, schema=schema)
    with pytest.raises(InfeasibleError, match="max_change"):
        GaussianCopula(max_repair_change=0.05).fit_summaries(
            margins=margins, correlations=bad, schema=schema
        )
    with pytest.raises(InfeasibleError, match="outside"):
        GaussianCopula().fit_summaries(
            margins=margins, correlations={("a", "b"): 1.3}, schema=schema
        )


def test_correlation_for_nominal_pair_is_refused():
    schema = Schema([Variable("race", RACE), Variable("sex", ("M", "F"))])
    with pytest.raises(SchemaError, match="2-way table"):
        GaussianCopula().fit_summaries(
            margins={"race": [0.25] * 4, "sex": [0.5, 0.5]},
            correlations={("race", "sex"): 0.2},
            schema=schema,
        )


def test_params_round_trip_deterministic_and_input_not_mutated():
    pop = Population(simulate_frame(3000, seed=12), mixed_schema())
    cop = GaussianCopula(seed=3, numeric_bins=10)
    assert cop.get_params()["numeric_bins"] == 10
    before = pop.data.copy()
    cop.fit(pop)
    pd.testing.assert_frame_equal(before, pop.data)
    again = GaussianCopula(**cop.get_params()).fit(pop)
    np.testing.assert_array_equal(cop.correlation_, again.correlation_)


def test_fit_summaries_from_a_target_object(mixed_population):
    from calib.target import Target

    keys = ["educ", "sex", "race", ("educ", "sex"), ("sex", "race")]
    target = Target.from_margins(
        {k: mixed_population.margin(k) for k in keys}, mixed_population.schema
    )
    cop = GaussianCopula().fit_summaries(target)
    assert cop.pair_sources_ == {
        ("educ", "sex"): "table",
        ("educ", "race"): "independent",
        ("sex", "race"): "table",
    }
    assert cop.total_ == pytest.approx(60_000)
    rho = cop.pairs_.set_index(["var_a", "var_b"]).loc[("educ", "sex"), "rho"]
    assert rho == pytest.approx(0.1, abs=0.03)


def test_parametric_numeric_margin_from_summaries():
    from scipy import stats

    schema = Schema(
        [Variable("inc", kind="numeric"), Variable("hi", ("no", "yes"), kind="ordinal")]
    )
    dist = stats.lognorm(s=0.8, scale=40_000)
    cop = GaussianCopula(parametric_margins={"inc": dist}).fit_summaries(
        margins={"hi": [0.7, 0.3]}, correlations={("inc", "hi"): 0.6}, schema=schema
    )
    people = cop.sample(40_000, seed=4)
    # the margin is the given distribution: compare quantiles with its own
    q = np.quantile(people["inc"], [0.1, 0.5, 0.9])
    np.testing.assert_allclose(q, dist.ppf([0.1, 0.5, 0.9]), rtol=0.03)
    # and the dependence: P(hi = yes | inc above median) > P(hi = yes | below)
    above = people["inc"] > dist.median()
    yes = people["hi"] == "yes"
    assert yes[above].mean() > yes[~above].mean() + 0.2
    with pytest.raises(SchemaError, match="parametric_margins"):
        GaussianCopula(variables=["inc", "hi"]).fit_summaries(
            margins={"hi": [0.7, 0.3]}, schema=schema
        )


def test_missing_values_raise_or_use_available_pairs():
    frame = simulate_frame(30_000, seed=21)
    rng = np.random.default_rng(22)
    frame.loc[rng.random(len(frame)) < 0.15, "inc"] = np.nan
    frame.loc[rng.random(len(frame)) < 0.1, "educ"] = None
    pop = Population(frame, mixed_schema(), allow_missing=True)
    with pytest.raises(DataError, match="pairwise"):
        GaussianCopula().fit(pop)
    cop = GaussianCopula(missing="pairwise").fit(pop)
    assert cop.missing_share_["inc"] == pytest.approx(0.15, abs=0.01)
    np.testing.assert_allclose(cop.correlation_, true_correlation(), atol=0.04)
    have = frame["educ"].notna()
    share = frame.loc[have, "educ"].value_counts(normalize=True).reindex(list(EDUC)).to_numpy()
    np.testing.assert_allclose(cop.margins_["educ"].probs, share)


def test_relabelling_nominal_levels_changes_nothing(mixed_population):
    # an integer coding would change the model when levels are reordered; the argmax block
    # only permutes its utilities
    frame = mixed_population.data[["educ", "race"]].astype(str)
    base = Schema([mixed_schema()["educ"], Variable("race", RACE)])
    perm = Schema([mixed_schema()["educ"], Variable("race", ("H", "A", "W", "B"))])
    t1 = GaussianCopula().fit(Population(frame, base)).table(["race", "educ"]).probs
    t2 = GaussianCopula().fit(Population(frame, perm)).table(["race", "educ"]).probs
    np.testing.assert_allclose(t2.reindex(t1.index).to_numpy(), t1.to_numpy(), atol=2e-3)


def test_microdata_fit_keeps_its_tables_for_matching(fitted, mixed_population):
    target = fitted.joint_target([("educ", "sex", "race")], match_tables=True, n_draws=2**17)
    want = mixed_population.margin(["educ", "race"]).to_numpy()
    np.testing.assert_allclose(target.margin(["educ", "race"]).to_numpy(), want, rtol=1e-6)
