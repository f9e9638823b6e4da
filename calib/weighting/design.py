"""A calibration design matrix kept as index blocks plus dense continuous columns.

Categorical margins are indicator blocks: each unit belongs to exactly one margin cell per
block, so ``X λ`` is a gather, ``X'v`` a ``bincount`` and the Gram matrix ``X' diag(v) X`` a
set of 2-D ``bincount`` calls. No sparse or dense n x p matrix is built, so a Newton step on a
million units with 50 constraints costs a few ``bincount`` passes.

Examples
--------
>>> import numpy as np
>>> X = Design([(np.array([0, 1, 1]), 2)], np.array([[1.0], [2.0], [3.0]]))
>>> X.rmatvec(np.ones(3)).tolist()
[1.0, 2.0, 6.0]
>>> X.to_dense().tolist()
[[1.0, 0.0, 1.0], [0.0, 1.0, 2.0], [0.0, 1.0, 3.0]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Design:
    """Design matrix ``[indicator blocks | dense columns]`` of shape (n_units, p).

    Parameters
    ----------
    blocks : sequence of (index, size)
        Per categorical margin: the margin cell of every unit and the number of cells.
    dense : ndarray of shape (n_units, q), optional
        Continuous calibration variables.
    """

    def __init__(self, blocks: Sequence[tuple[np.ndarray, int]], dense: np.ndarray | None = None):
        self.blocks = [(np.asarray(i, dtype=np.int64), int(s)) for i, s in blocks]
        n = self.blocks[0][0].shape[0] if self.blocks else (0 if dense is None else len(dense))
        self.dense = np.zeros((n, 0)) if dense is None else np.asarray(dense, dtype=float)
        self.n = n
        self.offsets = np.cumsum([0] + [s for _, s in self.blocks])
        self.p = int(self.offsets[-1]) + self.dense.shape[1]

    def matvec(self, eta: np.ndarray) -> np.ndarray:
        """``X @ eta`` (one value per unit)."""
        out = np.zeros(self.n)
        for (idx, _), start in zip(self.blocks, self.offsets[:-1], strict=True):
            out += eta[start:][idx]
        if self.dense.shape[1]:
            out += self.dense @ eta[self.offsets[-1] :]
        return out

    def rmatvec(self, v: np.ndarray) -> np.ndarray:
        """``X.T @ v`` (one value per column)."""
        parts = [np.bincount(idx, weights=v, minlength=s) for idx, s in self.blocks]
        if self.dense.shape[1]:
            parts.append(self.dense.T @ v)
        return np.concatenate(parts) if parts else np.zeros(0)

    def gram(self, v: np.ndarray) -> np.ndarray:
        """``X.T @ diag(v) @ X`` as a dense (p, p) matrix."""
        out = np.zeros((self.p, self.p))
        k = len(self.blocks)
        offs = self.offsets
        for a in range(k):
            ia, sa = self.blocks[a]
            out[offs[a] : offs[a + 1], offs[a] : offs[a + 1]] = np.diag(
                np.bincount(ia, weights=v, minlength=sa)
            )
            for b in range(a + 1, k):
                ib, sb = self.blocks[b]
                cross = np.bincount(ia * sb + ib, weights=v, minlength=sa * sb).reshape(sa, sb)
                out[offs[a] : offs[a + 1], offs[b] : offs[b + 1]] = cross
                out[offs[b] : offs[b + 1], offs[a] : offs[a + 1]] = cross.T
            for c in range(self.dense.shape[1]):
                col = np.bincount(ia, weights=v * self.dense[:, c], minlength=sa)
                out[offs[a] : offs[a + 1], offs[-1] + c] = col
                out[offs[-1] + c, offs[a] : offs[a + 1]] = col
        if self.dense.shape[1]:
            q0 = offs[-1]
            out[q0:, q0:] = (self.dense * v[:, None]).T @ self.dense
        return out

    def to_dense(self) -> np.ndarray:
        """The full matrix (for tests and small problems only)."""
        out = np.zeros((self.n, self.p))
        for (idx, _), start in zip(self.blocks, self.offsets[:-1], strict=True):
            out[np.arange(self.n), start + idx] = 1.0
        out[:, self.offsets[-1] :] = self.dense
        return out


__all__ = ["Design"]
