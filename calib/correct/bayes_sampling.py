"""Running and checking the PyMC samplers behind the Bayesian correctors.

nutpie is used when installed (``sampler="auto"``), PyMC's own NUTS otherwise. Compiled nutpie
models are cached per process by model structure (outcome kind, number of categories, number of
levels of each grouping factor), and refitting on new data swaps the data in
(``CompiledModel.with_data``) instead of recompiling: the PyTensor/numba compile is the slow part
(tens of seconds), sampling a few thousand rows takes seconds.

Convergence is checked on the key quantities (global parameters, hyperparameters and the
estimand's draws): split rank-normalised R-hat below ``max_rhat`` (1.01), bulk and tail ESS at
least ``min_ess``, and no divergent transitions. :func:`check_convergence` raises
:class:`~calib.errors.ConvergenceError` or, with ``on_failure="flag"``, warns and returns the
report with ``converged=False`` so the caller can mark its estimates.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np

from calib.errors import ConvergenceError, DataError

_COMPILED: dict[Hashable, Any] = {}


def nutpie_available() -> bool:
    """Whether nutpie can be imported."""
    return importlib.util.find_spec("nutpie") is not None


def resolve_sampler(sampler: str) -> str:
    """``"nutpie"`` or ``"pymc"`` for ``sampler`` in {"auto", "nutpie", "pymc"}."""
    if sampler == "auto":
        return "nutpie" if nutpie_available() else "pymc"
    if sampler not in ("nutpie", "pymc"):
        raise DataError(f"sampler must be 'auto', 'nutpie' or 'pymc', got {sampler!r}")
    if sampler == "nutpie" and not nutpie_available():
        raise DataError("sampler='nutpie' but nutpie is not installed: pip install nutpie")
    return sampler


def sample_model(
    build: Callable[[Mapping[str, np.ndarray]], Any],
    data: Mapping[str, np.ndarray],
    key: Hashable,
    draws: int = 500,
    tune: int = 500,
    chains: int = 2,
    seed: int | None = 0,
    sampler: str = "auto",
    progress: bool = False,
    target_accept: float = 0.9,
) -> Any:
    """Sample the model ``build(data)`` and return its ArviZ InferenceData.

    Parameters
    ----------
    build : callable
        Builds the PyMC model from ``data``; the data must enter through ``pm.Data`` containers
        named like the keys of ``data`` so a cached compiled model can be refitted.
    data : mapping of str to ndarray
    key : hashable
        Model structure key of the compile cache (same key = same graph, other data).
    draws, tune, chains : int
        Sampler settings (defaults: 2 chains x 500 draws after 500 tuning steps).
    seed : int, optional
    sampler : {"auto", "nutpie", "pymc"}
    progress : bool, default=False
    target_accept : float, default=0.9
    """
    engine = resolve_sampler(sampler)
    if engine == "nutpie":
        import nutpie

        compiled = _COMPILED.get(key)
        if compiled is None:
            compiled = nutpie.compile_pymc_model(build(data))
            _COMPILED[key] = compiled
        else:
            compiled = compiled.with_data(**data)
        return nutpie.sample(
            compiled,
            draws=draws,
            tune=tune,
            chains=chains,
            seed=seed,
            progress_bar=progress,
            cores=min(chains, 2),
            target_accept=target_accept,
        )
    import pymc as pm

    with build(data):
        return pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=1,
            random_seed=seed,
            progressbar=progress,
            target_accept=target_accept,
            nuts_sampler="pymc",
            compute_convergence_checks=False,
        )


def convergence_report(
    idata: Any,
    var_names: Sequence[str],
    extra_draws: Mapping[str, np.ndarray] | None = None,
    max_rhat: float = 1.01,
    min_ess: float = 200.0,
) -> dict[str, Any]:
    """R-hat, bulk/tail ESS and divergences of ``var_names`` and of ``extra_draws``.

    ``extra_draws`` holds derived quantities as (chain, draw) arrays (the estimand).
    """
    import arviz as az

    post = idata.posterior[list(var_names)]
    rhat = [float(np.nanmax(az.rhat(post).to_array().values))]
    ess_bulk = [float(np.nanmin(az.ess(post, method="bulk").to_array().values))]
    ess_tail = [float(np.nanmin(az.ess(post, method="tail").to_array().values))]
    for arr in (extra_draws or {}).values():
        a = np.asarray(arr, dtype=float)
        if np.ptp(a) == 0:
            continue
        rhat.append(float(az.rhat(a)))
        ess_bulk.append(float(az.ess(a, method="bulk")))
        ess_tail.append(float(az.ess(a, method="tail")))
    divergences = int(np.asarray(idata.sample_stats["diverging"]).sum())
    report = {
        "max_rhat": max(rhat),
        "min_ess_bulk": min(ess_bulk),
        "min_ess_tail": min(ess_tail),
        "divergences": divergences,
        "chains": int(idata.posterior.sizes["chain"]),
        "draws": int(idata.posterior.sizes["draw"]),
        "thresholds": {"max_rhat": max_rhat, "min_ess": min_ess},
    }
    problems = []
    if not report["max_rhat"] < max_rhat:
        problems.append(f"R-hat {report['max_rhat']:.3f} >= {max_rhat}")
    if report["min_ess_bulk"] < min_ess:
        problems.append(f"bulk ESS {report['min_ess_bulk']:.0f} < {min_ess:.0f}")
    if report["min_ess_tail"] < min_ess:
        problems.append(f"tail ESS {report['min_ess_tail']:.0f} < {min_ess:.0f}")
    if divergences:
        problems.append(f"{divergences} divergent transition(s)")
    report["problems"] = problems
    report["converged"] = not problems
    return report


def with_estimand(report: Mapping[str, Any], draws: np.ndarray) -> dict[str, Any]:
    """``report`` (from :func:`convergence_report`) extended with an estimand's (chain, draw)
    array: R-hat and ESS of the estimand enter the maxima/minima and the verdict."""
    import arviz as az

    out = dict(report)
    a = np.asarray(draws, dtype=float)
    if np.ptp(a) > 0:
        rhat, bulk, tail = (
            float(az.rhat(a)),
            float(az.ess(a, method="bulk")),
            float(az.ess(a, method="tail")),
        )
        out["estimand_rhat"], out["estimand_ess_bulk"], out["estimand_ess_tail"] = rhat, bulk, tail
        out["max_rhat"] = max(out["max_rhat"], rhat)
        out["min_ess_bulk"] = min(out["min_ess_bulk"], bulk)
        out["min_ess_tail"] = min(out["min_ess_tail"], tail)
    th = out["thresholds"]
    problems = []
    if not out["max_rhat"] < th["max_rhat"]:
        problems.append(f"R-hat {out['max_rhat']:.3f} >= {th['max_rhat']}")
    if out["min_ess_bulk"] < th["min_ess"]:
        problems.append(f"bulk ESS {out['min_ess_bulk']:.0f} < {th['min_ess']:.0f}")
    if out["min_ess_tail"] < th["min_ess"]:
        problems.append(f"tail ESS {out['min_ess_tail']:.0f} < {th['min_ess']:.0f}")
    if out["divergences"]:
        problems.append(f"{out['divergences']} divergent transition(s)")
    out["problems"] = problems
    out["converged"] = not problems
    return out


def check_convergence(report: Mapping[str, Any], what: str, on_failure: str = "raise") -> None:
    """Raise :class:`ConvergenceError` (or warn, with ``on_failure="flag"``) on failed checks."""
    if report["converged"]:
        return
    msg = (
        f"{what} did not converge: {'; '.join(report['problems'])}. Increase draws/tune "
        "(e.g. draws=2000, tune=1000), raise target_accept, or simplify the grouping"
    )
    if on_failure == "raise":
        raise ConvergenceError(msg)
    if on_failure != "flag":
        raise DataError(f"on_failure must be 'raise' or 'flag', got {on_failure!r}")
    warnings.warn(msg + " (returned flagged: diagnostics['converged'] is False)", stacklevel=3)


__all__ = [
    "check_convergence",
    "convergence_report",
    "nutpie_available",
    "resolve_sampler",
    "sample_model",
    "with_estimand",
]
