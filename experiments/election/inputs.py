"""Inputs of the election experiment, from calib.sources (ANES x GPT-3, MEDSL, electors).

- :func:`read_silicon_gold` returns one row per ANES respondent with ``state``, ``race5``,
  ``sex``, ``age_b15001_5``, the GPT-3 probability of a Democratic vote (``p_silicon``:
  p_dem / (p_dem + p_rep)), the real vote (``vote_dem``: 1/0 for two-party voters, NaN
  otherwise) and ``voted`` (1 = reported a presidential vote, 0 = did not vote, NaN = no
  post-election interview).
- :func:`real_results` returns the real Democratic two-party share by state, nationally, and
  the real Democratic electoral votes (pledged electors, ME/NE splits as certified).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from calib.sources.anes import read_argyle_anes
from calib.sources.electoral import electoral_votes
from calib.sources.medsl import read_medsl_president
from calib.standard import STATE_POSTALS

CELL_VARIABLES = ("state", "race5", "sex", "age_b15001_5")


def read_silicon_gold(
    year: int, path: str | Path | None = None, data_dir: str | Path | None = None
) -> pd.DataFrame:
    """ANES respondents of ``year`` with GPT-3 probabilities (rows missing a cell variable
    are dropped; their count is in ``attrs["dropped"]``)."""
    pop = read_argyle_anes(year, data_dir=data_dir, path=path)
    data = pop.data
    out = pd.DataFrame({v: data[v].astype(str).where(data[v].notna()) for v in CELL_VARIABLES})
    out["p_silicon"] = data["gpt3_p_dem_two_party"].to_numpy(float)
    out["vote_dem"] = data["vote_dem"].to_numpy(float)
    vote = data["vote_pres"].astype("object")
    out["voted"] = np.where(vote.isna(), np.nan, (vote != "Did not vote").astype(float))
    keep = out[list(CELL_VARIABLES)].notna().all(axis=1) & out["p_silicon"].notna()
    out = out[keep].reset_index(drop=True)
    out.attrs["dropped"] = int((~keep).sum())
    out.attrs["source"] = pop.provenance.path if pop.provenance else ""
    return out


def real_results(year: int, data_dir: str | Path | None = None) -> dict:
    """Real two-party shares (``share`` by state, ``national``) and ``ev_dem`` for ``year``."""
    table = read_medsl_president(years=[year], data_dir=data_dir).set_index("state")
    share = table["dem_share_two_party"].reindex(list(STATE_POSTALS)).astype(float)
    national = float(table["dem_votes"].sum() / (table["dem_votes"] + table["rep_votes"]).sum())
    ev_dem = table["ev_dem"].astype("float").sum() if "ev_dem" in table else np.nan
    return {"share": share, "national": national, "ev_dem": float(ev_dem)}


def electors(year: int) -> dict[str, int]:
    """Electoral votes by state for ``year`` (calib.sources.electoral)."""
    return electoral_votes(year)


__all__ = ["electors", "read_silicon_gold", "real_results"]
