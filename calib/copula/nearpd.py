"""Nearest positive-definite correlation matrix with fixed entries, and a record of the change.

Pairwise-fitted latent correlations need not form a positive-definite matrix. The repair is
Higham's (2002) alternating projections with Dykstra's correction, between the matrices with
eigenvalues >= ``eig_floor`` and the matrices whose fixed entries (the unit diagonal and, in a
copula, the zero correlations inside each nominal block) hold their values. The result is the
nearest such matrix in Frobenius norm; :class:`RepairRecord` says how far it moved.

Examples
--------
>>> import numpy as np
>>> bad = np.array([[1, .9, -.9], [.9, 1, .9], [-.9, .9, 1]])
>>> fixed, rec = nearest_correlation(bad)
>>> rec.changed, bool(np.linalg.eigvalsh(fixed).min() > 0)
(True, True)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from calib.errors import InfeasibleError

__all__ = ["RepairRecord", "nearest_correlation"]


@dataclass(frozen=True)
class RepairRecord:
    """How much a correlation matrix had to change to become positive definite.

    Attributes
    ----------
    changed : bool
        Whether any entry moved.
    min_eigenvalue_before, min_eigenvalue_after : float
    max_abs_change : float
        Largest absolute change of one entry.
    frobenius_change : float
        Frobenius norm of the change (each off-diagonal pair counted twice).
    n_iter : int
        Alternating-projection iterations.
    worst_entry : tuple of int
        Row and column of the largest change.
    """

    changed: bool
    min_eigenvalue_before: float
    min_eigenvalue_after: float
    max_abs_change: float
    frobenius_change: float
    n_iter: int
    worst_entry: tuple[int, int] = (0, 0)

    def to_dict(self) -> dict:
        return asdict(self)


def _check(matrix: np.ndarray) -> np.ndarray:
    a = np.asarray(matrix, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InfeasibleError(f"a correlation matrix must be square; got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        bad = np.argwhere(~np.isfinite(a))[0]
        raise InfeasibleError(
            f"correlation matrix entry {tuple(int(i) for i in bad)} is not finite: supply a "
            "value or leave the pair out (assumed independent)"
        )
    if np.abs(a - a.T).max() > 1e-8:
        raise InfeasibleError("the correlation matrix is not symmetric")
    off = a - np.diag(np.diag(a))
    if np.abs(off).max() > 1 + 1e-12:
        i, j = np.unravel_index(np.abs(off).argmax(), a.shape)
        raise InfeasibleError(
            f"correlation entry ({i}, {j}) = {a[i, j]:.4f} is outside [-1, 1]: it is not a "
            "correlation and cannot be repaired"
        )
    return (a + a.T) / 2


def nearest_correlation(
    matrix: np.ndarray,
    fixed: np.ndarray | None = None,
    *,
    eig_floor: float = 1e-6,
    max_change: float | None = None,
    repair: bool = True,
    max_iter: int = 2000,
    tol: float = 1e-10,
) -> tuple[np.ndarray, RepairRecord]:
    """Return the nearest correlation matrix with eigenvalues >= ``eig_floor``.

    Parameters
    ----------
    matrix : ndarray of shape (d, d)
        Symmetric matrix with unit diagonal and entries in [-1, 1].
    fixed : ndarray of bool, optional
        Entries to keep at their value (the diagonal is always fixed at 1).
    eig_floor : float, default=1e-6
        Smallest eigenvalue accepted.
    max_change : float, optional
        Largest absolute change of one entry accepted; a larger repair raises.
    repair : bool, default=True
        With False, a matrix that is not positive definite raises instead of being repaired.

    Returns
    -------
    (ndarray, RepairRecord)

    Raises
    ------
    InfeasibleError
        Non-finite, asymmetric or out-of-range entries; a matrix that is not positive definite
        when ``repair=False``; a repair larger than ``max_change``; or fixed entries that admit
        no positive-definite completion.
    """
    a = _check(matrix)
    d = a.shape[0]
    keep = (
        np.eye(d, dtype=bool)
        if fixed is None
        else (np.asarray(fixed, bool) | np.eye(d, dtype=bool))
    )
    target = a.copy()
    np.fill_diagonal(target, 1.0)
    lam0 = float(np.linalg.eigvalsh(target).min()) if d else 1.0
    if lam0 >= eig_floor:
        return target, RepairRecord(False, lam0, lam0, 0.0, 0.0, 0)
    if not repair:
        raise InfeasibleError(
            f"the latent correlation matrix is not positive definite (smallest eigenvalue "
            f"{lam0:.3g}) and repair=False: pass repair=True, or fix the correlations given"
        )
    y = target.copy()
    ds = np.zeros_like(y)
    x = y
    it = 0
    while it < max_iter:
        it += 1
        r = y - ds
        vals, vecs = np.linalg.eigh(r)
        x = (vecs * np.maximum(vals, eig_floor)) @ vecs.T
        x = (x + x.T) / 2
        ds = x - r
        y_new = np.where(keep, target, x)
        step = np.abs(y_new - y).max()
        y = y_new
        if step < tol and np.linalg.eigvalsh(y).min() >= eig_floor * 0.5:
            break
    lam1 = float(np.linalg.eigvalsh(y).min())
    if lam1 < eig_floor * 0.5:
        raise InfeasibleError(
            f"the fixed entries (unit diagonal, zero correlations inside nominal blocks, values "
            f"declared fixed) admit no positive-definite correlation matrix (smallest "
            f"eigenvalue {lam1:.3g} after {it} iterations): relax the fixed correlations"
        )
    diff = y - target
    worst = np.unravel_index(np.abs(diff).argmax(), diff.shape)
    record = RepairRecord(
        True,
        lam0,
        lam1,
        float(np.abs(diff).max()),
        float(np.linalg.norm(diff)),
        it,
        (int(worst[0]), int(worst[1])),
    )
    if max_change is not None and record.max_abs_change > max_change:
        raise InfeasibleError(
            f"making the latent correlation matrix positive definite would change entry "
            f"{record.worst_entry} by {record.max_abs_change:.4f} > max_change={max_change}: the "
            "pairwise correlations contradict each other; check the tables or raise max_change"
        )
    return y, record
