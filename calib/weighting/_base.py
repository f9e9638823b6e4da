"""Shared estimator plumbing: parameter round-trip and the "not fitted" guard.

Every weighting estimator stores its keyword arguments unchanged in ``__init__`` and learns
state in trailing-underscore attributes during ``fit``. :class:`WeightingEstimator` gives them
``get_params`` / ``set_params`` (the scikit-learn contract, without importing scikit-learn) and
raises :class:`~calib.errors.NotFittedError` when a fitted attribute is read before ``fit``.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any

import numpy as np

from calib.errors import NotFittedError, SchemaError

if TYPE_CHECKING:
    from calib.weighting.result import WeightResult


@functools.cache
def _init_params(cls: type) -> tuple[str, ...]:
    sig = inspect.signature(cls.__init__)  # type: ignore[misc]
    return tuple(
        p.name
        for p in sig.parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )


class WeightingEstimator:
    """Base class of :class:`Raker`, :class:`Calibrator`, :class:`PostStratifier`, ...

    Subclasses implement ``fit(population, target)`` which sets ``result_`` and returns self.
    """

    @classmethod
    def _param_names(cls) -> tuple[str, ...]:
        return _init_params(cls)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters, as given."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> WeightingEstimator:
        """Set constructor parameters; unknown names raise :class:`SchemaError`."""
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise SchemaError(
                    f"{type(self).__name__} has no parameter {name!r}; valid: {sorted(valid)}"
                )
            setattr(self, name, value)
        return self

    def clone(self) -> WeightingEstimator:
        """An unfitted copy with the same parameters."""
        return type(self)(**self.get_params())

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: a fitted attribute read before fit.
        if name.endswith("_") and not name.startswith("_"):
            raise NotFittedError(
                f"{type(self).__name__}.{name} is not available: call fit(population, target) first"
            )
        raise AttributeError(name)

    # --- fitted attributes shared by every weighting estimator ---------------------------

    @property
    def weights_(self) -> np.ndarray:
        """Final weights, one per input row."""
        return self.result_.weights

    @property
    def g_weights_(self) -> np.ndarray:
        """Adjustment factors (final / design weight), one per input row."""
        return self.result_.g_weights

    @property
    def converged_(self) -> bool:
        """Whether the fit met its tolerance."""
        return self.result_.converged

    @property
    def n_iter_(self) -> int:
        """Iterations used."""
        return self.result_.n_iter

    @property
    def history_(self) -> list[float]:
        """Largest relative margin deviation after each iteration."""
        return self.result_.history

    def _set_result(self, result: WeightResult) -> None:
        self.result_ = result


__all__ = ["WeightingEstimator"]
