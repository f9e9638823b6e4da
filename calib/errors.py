"""Typed errors raised by calib.

Every error derives from :class:`CalibError`, so ``except CalibError`` catches anything calib
raises on purpose. Each subclass also derives from the closest built-in exception
(``ValueError``, ``FileNotFoundError``, ...) so generic handlers keep working. Messages name the
variable, level, margin, file or request at fault and say what to do about it.

Examples
--------
>>> from calib.errors import CalibError, UnknownLevelError
>>> try:
...     raise UnknownLevelError("sex", ["M"], allowed=["Male", "Female"])
... except CalibError as err:
...     print(err.variable, err.values)
sex ('M',)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class CalibError(Exception):
    """Base class of every error calib raises on purpose."""


# --- schema -------------------------------------------------------------------------------


class SchemaError(CalibError, ValueError):
    """A variable, level or schema definition is wrong or does not match the data."""


class UnknownVariableError(SchemaError, KeyError):
    """A variable name is not part of the schema (or a column is missing from a table)."""

    def __init__(self, names: Iterable[str], where: str = "the schema", known: Sequence[str] = ()):
        self.names = tuple(names)
        self.where = where
        hint = f"; known variables: {', '.join(known)}" if known else ""
        super().__init__(f"unknown variable(s) {', '.join(map(repr, self.names))} in {where}{hint}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class UnknownLevelError(SchemaError):
    """Values that are not levels of a categorical variable (and no policy maps them)."""

    def __init__(
        self,
        variable: str,
        values: Iterable[object],
        allowed: Sequence[str] = (),
        counts: Sequence[int] | None = None,
        hint: str = "",
    ):
        self.variable = variable
        self.values = tuple(values)
        self.allowed = tuple(allowed)
        shown = ", ".join(
            f"{v!r} (x{c})" if counts is not None else repr(v)
            for v, c in zip(
                self.values[:20], counts if counts is not None else [0] * 20, strict=False
            )
        )
        more = f" and {len(self.values) - 20} more" if len(self.values) > 20 else ""
        allowed_txt = f"; allowed levels: {', '.join(map(repr, self.allowed))}" if allowed else ""
        remedy = hint or (
            "map them with a recoder, or pass unknown='missing' (or a level name) to record "
            "them explicitly"
        )
        super().__init__(
            f"variable {variable!r} has value(s) that are not levels: {shown}{more}"
            f"{allowed_txt}. To fix: {remedy}."
        )


# --- data ---------------------------------------------------------------------------------


class DataError(CalibError, ValueError):
    """Input data are unusable: empty, missing values, bad weights, wrong shape."""


class MissingDataFileError(DataError, FileNotFoundError):
    """A file a reader needs is absent; the message says where it comes from and what to do."""

    def __init__(self, path: object, dataset: str, origin: str = "", remedy: str | None = None):
        self.path = path
        self.dataset = dataset
        where = f" It comes from: {origin}." if origin else ""
        if remedy is None:
            remedy = (
                "Set the data directory with the CALIB_DATA_DIR environment variable or the "
                "data_dir= argument."
            )
        super().__init__(
            f"file {str(path)!r} for dataset {dataset!r} was not found.{where} {remedy}"
        )


class WeightError(DataError):
    """Weights are negative, non-finite, all zero, or of the wrong length."""


# --- problems without a solution ----------------------------------------------------------


class InfeasibleError(CalibError, ValueError):
    """A weighting or fitting problem has no solution (inconsistent margins, empty cells,
    bounds that cannot be met, a matrix that cannot be repaired)."""


class InconsistentMarginsError(InfeasibleError):
    """Two margins disagree on a total or on a shared sub-margin."""


class EmptyCellError(InfeasibleError):
    """A target cell or level has positive mass but the population has no rows there."""


# --- numerical work -----------------------------------------------------------------------


class ConvergenceError(CalibError, RuntimeError):
    """An iterative fit or a sampler did not converge or failed its diagnostics."""


class NotFittedError(CalibError, AttributeError):
    """A fitted attribute was asked for before ``fit`` was called."""


# --- LLM layer ----------------------------------------------------------------------------


class LLMError(CalibError, RuntimeError):
    """Base class of errors talking to, or parsing answers from, a language model."""


class LLMTransportError(LLMError):
    """The endpoint could not be reached or kept failing after the allowed retries."""


class LLMResponseError(LLMError):
    """The model's answer could not be parsed or validated."""


__all__ = [
    "CalibError",
    "ConvergenceError",
    "DataError",
    "EmptyCellError",
    "InconsistentMarginsError",
    "InfeasibleError",
    "LLMError",
    "LLMResponseError",
    "LLMTransportError",
    "MissingDataFileError",
    "NotFittedError",
    "SchemaError",
    "UnknownLevelError",
    "UnknownVariableError",
    "WeightError",
]
