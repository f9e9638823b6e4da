"""Copula seeds for the state frames: a joint from each state's published summaries.

For every state a :class:`~calib.copula.GaussianCopula` is fitted to the 1-way margins and the
six 2-way tables the ACS tables give (race x sex, race x age and sex x age from B01001A-I;
sex x educ and age x educ from B15001; race x educ from B15002A-I, whose 25+ association stands
in for adults 18+), and its implied race5 x sex x age x educ4 table becomes the IPF seed. IPF
then matches every published margin exactly; what the copula adds is the structure no table
publishes (e.g. how the race x education association varies with age), taken from the latent
Gaussian dependence instead of the maximum-entropy (uniform-seed) default. States whose
B15002 iterations are partly suppressed fit without the race x educ table.

Examples
--------
>>> seed = copula_seed(read_state_tables(), states=["CA"])  # doctest: +SKIP
>>> seed.shape  # doctest: +SKIP
(51, 5, 2, 5, 4)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from calib.forecast.census import StateTables
from calib.forecast.frames import VARIABLES, harmonise


def copula_seed(
    tables: StateTables,
    states: Sequence[str] | None = None,
    n_draws: int = 2**15,
    random_state: int = 0,
    floor: float = 1e-9,
) -> np.ndarray:
    """The copula-implied joint of each state, shape (51, 5, 2, 5, 4), as IPF seed.

    Parameters
    ----------
    tables : StateTables
    states : sequence of str, optional
        States to fit (others get a uniform seed); default all.
    n_draws : int, default=2**15
        Quasi-Monte Carlo points for the implied table.
    random_state : int, default=0
    floor : float, default=1e-9
        Smallest seed probability, so IPF can reach cells the simulation left empty.
    """
    from calib.copula import GaussianCopula
    from calib.standard import standard_schema

    h, _ = harmonise({k: t.estimate for k, t in tables.tables.items()})
    schema = standard_schema(list(VARIABLES))
    wanted = set(tables.states if states is None else states)
    seed = np.ones((len(tables.states), 5, 2, 5, 4))
    for s, state in enumerate(tables.states):
        if state not in wanted:
            continue
        rsa = h["adult_race_sex_age"][s]
        sae = h["adult_sex_age_educ"][s]
        rse = h["adult25_race_sex_educ"][s]
        pairs = {
            ("race5", "sex"): rsa.sum(axis=2),
            ("race5", "age_b15001_5"): rsa.sum(axis=1),
            ("sex", "age_b15001_5"): sae.sum(axis=2),
            ("sex", "educ4"): sae.sum(axis=1),
            ("age_b15001_5", "educ4"): sae.sum(axis=0),
        }
        if not np.isnan(rse).any():
            pairs[("race5", "educ4")] = rse.sum(axis=1)
        margins = {
            "race5": rsa.sum(axis=(1, 2)),
            "sex": sae.sum(axis=(1, 2)),
            "age_b15001_5": sae.sum(axis=(0, 2)),
            "educ4": sae.sum(axis=(0, 1)),
        }
        copula = GaussianCopula(list(VARIABLES), progress=False, seed=random_state)
        # margin_rtol is loose because the race x educ table covers ages 25+ only.
        copula.fit_summaries(margins=margins, tables=pairs, schema=schema, margin_rtol=0.2)
        table = copula.table(list(VARIABLES), n_draws=n_draws, n_reps=2, seed=random_state)
        seed[s] = np.maximum(table.probs.to_numpy().reshape(5, 2, 5, 4), floor)
    return seed


__all__ = ["copula_seed"]
