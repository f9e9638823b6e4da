"""Coverage simulation: many worlds with known truth, every method's coverage and width.

A :class:`Design` describes the user's setting: population size, gold and persona sample sizes,
demographic groups, the true answer rates, how the LLM is biased, and whether the gold sample is
drawn with unequal probabilities (and so weighted). :class:`CoverageStudy` simulates
``n_worlds`` worlds, runs each method, and reports empirical coverage (with its Monte Carlo
standard error), mean interval width, bias and RMSE.

Bias patterns (the LLM's probability ``p_i`` for a person with true propensity ``pi_i`` in group
``g``; ``d`` = ``bias_size``, ``e_i`` logit-scale noise with sd ``noise``):

- ``"constant"``: ``logit p = logit pi + 4 d + e`` (a shift, ~``d`` on the probability scale)
- ``"subgroup"``: ``logit p = logit pi + 4 d_g + e``, ``d_g`` from ``-d/2`` to ``2 d`` across
  groups
- ``"compression"``: ``logit p = (1 - 2 d) logit pi + e`` (answers pulled towards 50/50)
- ``"stereotype"``: ``logit p = (1 + 4 d) logit(rate_g) + e`` (individual signal lost, group
  differences exaggerated)

Examples
--------
>>> study = CoverageStudy(Design(gold_size=150, bias="subgroup"), ["classical", "ppi++"])
>>> result = study.run(n_worlds=50, seed=1)
>>> sorted(result.to_frame()["method"])
['classical', 'ppi++']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from calib.correct.ppi_mean import classical_mean, ppi_mean, silicon_mean
from calib.errors import DataError
from calib.estimate import Estimate

_PATTERNS = ("none", "constant", "subgroup", "compression", "stereotype")


@dataclass(frozen=True)
class Design:
    """A simulation design.

    Parameters
    ----------
    population_size : int, default=20000
    gold_size : int, default=200
        Expected gold sample size.
    silicon_size : int, default=2000
        Number of personas (drawn from the population; the LLM answers for them).
    group_shares : sequence of float, default=(0.4, 0.3, 0.2, 0.1)
        Population shares of the demographic groups.
    group_rates : sequence of float, default=(0.35, 0.45, 0.55, 0.7)
        True answer rate in each group.
    heterogeneity : float, default=1.0
        Logit-scale sd of individual propensities within a group (the signal the LLM sees).
    bias : {"none", "constant", "subgroup", "compression", "stereotype"}, default="constant"
    bias_size : float, default=0.1
    noise : float, default=0.5
        Logit-scale noise of the LLM's predictions.
    gold_oversample : sequence of float, optional
        Relative inclusion probabilities of the groups in the gold sample (weighted by their
        inverse); default equal probability.
    """

    population_size: int = 20000
    gold_size: int = 200
    silicon_size: int = 2000
    group_shares: Sequence[float] = (0.4, 0.3, 0.2, 0.1)
    group_rates: Sequence[float] = (0.35, 0.45, 0.55, 0.7)
    heterogeneity: float = 1.0
    bias: str = "constant"
    bias_size: float = 0.1
    noise: float = 0.5
    gold_oversample: Sequence[float] | None = None

    def validate(self) -> None:
        """Raise :class:`DataError` naming the first bad setting."""
        if self.bias not in _PATTERNS:
            raise DataError(f"bias must be one of {_PATTERNS}, got {self.bias!r}")
        if len(self.group_shares) != len(self.group_rates):
            raise DataError("group_shares and group_rates must have the same length")
        if not np.isclose(sum(self.group_shares), 1.0):
            raise DataError(f"group_shares must sum to 1, got {sum(self.group_shares)}")
        if not all(0 < r < 1 for r in self.group_rates):
            raise DataError("group_rates must lie strictly between 0 and 1")
        if not 10 <= self.gold_size <= self.population_size:
            raise DataError("gold_size must be between 10 and population_size")
        if self.gold_oversample is not None and len(self.gold_oversample) != len(self.group_rates):
            raise DataError("gold_oversample needs one value per group")


@dataclass
class World:
    """One simulated world: gold and persona arrays and the true population value."""

    truth: float
    y_gold: np.ndarray
    yhat_gold: np.ndarray
    w_gold: np.ndarray | None
    group_gold: np.ndarray
    yhat_silicon: np.ndarray
    group_silicon: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)


def _predict(
    design: Design, rng: np.random.Generator, eta: np.ndarray, g: np.ndarray
) -> np.ndarray:
    d, k = design.bias_size, len(design.group_rates)
    e = rng.normal(0, design.noise, eta.size)
    rates = logit(np.asarray(design.group_rates))
    if design.bias == "none":
        out = eta
    elif design.bias == "constant":
        out = eta + 4 * d
    elif design.bias == "subgroup":
        out = eta + 4 * np.linspace(-0.5 * d, 2 * d, k)[g]
    elif design.bias == "compression":
        out = (1 - 2 * d) * eta
    else:
        out = (1 + 4 * d) * rates[g]
    return expit(out + e)


def simulate_world(design: Design, rng: np.random.Generator) -> World:
    """Draw one world from ``design``."""
    k = len(design.group_rates)
    g = rng.choice(k, design.population_size, p=np.asarray(design.group_shares))
    eta = logit(np.asarray(design.group_rates))[g] + rng.normal(0, design.heterogeneity, g.size)
    y = rng.binomial(1, expit(eta)).astype(float)
    if design.gold_oversample is None:
        gold = rng.choice(design.population_size, design.gold_size, replace=False)
        w = None
    else:
        rel = np.asarray(design.gold_oversample, dtype=float)[g]
        prob = np.minimum(rel * design.gold_size / rel.sum(), 1.0)
        gold = np.flatnonzero(rng.uniform(size=g.size) < prob)
        w = 1.0 / prob[gold]
    sil = rng.choice(design.population_size, design.silicon_size, replace=True)
    p = _predict(design, rng, eta, g)  # the LLM's probability for every member
    return World(
        truth=float(y.mean()),
        y_gold=y[gold],
        yhat_gold=p[gold],
        w_gold=w,
        group_gold=g[gold],
        yhat_silicon=p[sil],
        group_silicon=g[sil],
    )


def _builtin(name: str) -> Callable[[World], Estimate]:
    if name == "silicon":
        return lambda wd: silicon_mean(wd.yhat_silicon)
    if name == "classical":
        return lambda wd: classical_mean(wd.y_gold, w=wd.w_gold)
    if name == "ppi":
        return lambda wd: ppi_mean(wd.y_gold, wd.yhat_gold, wd.yhat_silicon, lam=1, w=wd.w_gold)
    if name == "ppi++":
        return lambda wd: ppi_mean(wd.y_gold, wd.yhat_gold, wd.yhat_silicon, w=wd.w_gold)
    if name == "hierarchical_bayes":
        return _hierarchical
    raise DataError(
        f"unknown method {name!r}: use silicon, classical, ppi, ppi++, hierarchical_bayes or "
        "pass a callable World -> Estimate"
    )


def _hierarchical(world: World) -> Estimate:
    from calib.correct.hierarchical import HierarchicalCorrector

    gold = pd.DataFrame(
        {"y": world.y_gold, "p": world.yhat_gold, "g": world.group_gold.astype(str)}
    )
    sil = pd.DataFrame({"p": world.yhat_silicon, "g": world.group_silicon.astype(str)})
    hc = HierarchicalCorrector(
        "y", "p", groups=["g"], on_failure="flag", seed=world.extra.get("seed", 0)
    )
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hc.fit(gold, sil).estimate()[0]


class CoverageResult:
    """Per-world records and per-method summaries of a :class:`CoverageStudy` run."""

    def __init__(self, records: pd.DataFrame, design: Design, alpha: float, seed: int | None):
        self.records = records
        self.design = design
        self.alpha = alpha
        self.seed = seed

    def to_frame(self) -> pd.DataFrame:
        """One row per method: coverage (and its MC standard error), width, bias, RMSE."""
        r = self.records.assign(
            covered=lambda f: (f.lower <= f.truth) & (f.truth <= f.upper),
            width=lambda f: f.upper - f.lower,
            error=lambda f: f.point - f.truth,
        )
        out = r.groupby("method", sort=False).agg(
            n_worlds=("covered", "size"),
            coverage=("covered", "mean"),
            mean_width=("width", "mean"),
            bias=("error", "mean"),
            rmse=("error", lambda e: float(np.sqrt(np.mean(e**2)))),
        )
        out.insert(2, "coverage_mc_se", np.sqrt(out.coverage * (1 - out.coverage) / out.n_worlds))
        out.insert(0, "nominal", 1 - self.alpha)
        return out.reset_index()

    def summary(self) -> str:
        """A fixed-width text table with the design."""
        d = self.design
        head = (
            f"Coverage study: bias={d.bias} (size {d.bias_size}), gold n={d.gold_size}, "
            f"personas N={d.silicon_size}, seed={self.seed}"
        )
        return (
            head + "\n" + self.to_frame().to_string(index=False, float_format=lambda v: f"{v:.4f}")
        )


class CoverageStudy:
    """Simulate worlds from a :class:`Design` and check each method's intervals.

    Parameters
    ----------
    design : Design
    methods : sequence of str or mapping of str to callable
        Built-in names (``"silicon"``, ``"classical"``, ``"ppi"``, ``"ppi++"``,
        ``"hierarchical_bayes"``: slow, a PyMC fit per world) or ``{name: World -> Estimate}``.
    alpha : float, default=0.05
    """

    def __init__(
        self,
        design: Design,
        methods: Sequence[str] | Mapping[str, Callable[[World], Estimate]] = (
            "silicon",
            "classical",
            "ppi",
            "ppi++",
        ),
        alpha: float = 0.05,
    ):
        self.design = design
        self.methods = methods
        self.alpha = alpha

    def run(
        self, n_worlds: int = 1000, seed: int | None = 0, progress: bool = False
    ) -> CoverageResult:
        """Simulate ``n_worlds`` worlds (seeded) and collect every method's interval."""
        from tqdm.auto import tqdm

        self.design.validate()
        if n_worlds < 1:
            raise DataError(f"n_worlds must be positive, got {n_worlds}")
        if isinstance(self.methods, Mapping):
            fns = dict(self.methods)
        else:
            fns = {name: _builtin(name) for name in self.methods}
        rng = np.random.default_rng(seed)
        rows = []
        for i in tqdm(range(n_worlds), disable=not progress, desc="worlds"):
            world = simulate_world(self.design, rng)
            world.extra["seed"] = i
            for name, fn in fns.items():
                est = fn(world)
                lo, hi = est.conf_int(self.alpha)
                rows.append((i, name, est.point, lo, hi, world.truth))
        records = pd.DataFrame(
            rows, columns=["world", "method", "point", "lower", "upper", "truth"]
        )
        return CoverageResult(records, self.design, self.alpha, seed)

    def get_params(self) -> dict[str, Any]:
        """The study's parameters."""
        return {"design": asdict(self.design), "methods": self.methods, "alpha": self.alpha}


__all__ = ["CoverageResult", "CoverageStudy", "Design", "World", "simulate_world"]
