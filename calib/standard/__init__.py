"""The standard US-adult schema: one vocabulary every source is translated into.

- :data:`STANDARD` (a :class:`~calib.schema.Schema`) and :func:`standard_schema` (a subset);
- state facts (postal, FIPS, name, region, division, ICPSR/ANES codes) in
  :mod:`calib.standard.geography`;
- maps between codings (age brackets, education, race/ethnicity, party, ideology, geography,
  income) in :mod:`calib.standard.maps`.

Examples
--------
>>> import pandas as pd
>>> from calib.standard import STANDARD, convert
>>> STANDARD["race5"].levels
('White', 'Black', 'Hispanic', 'Asian', 'Other')
>>> convert(pd.Series(["Asian"]), "race5", "race4").tolist()
['Other']
"""

from calib.standard.geography import (
    DIVISIONS,
    REGIONS,
    STATE_DIVISION,
    STATE_FIPS,
    STATE_ICPSR,
    STATE_NAMES,
    STATE_POSTALS,
    STATE_REGION,
    STATES,
    state_from_fips,
    state_from_icpsr,
    state_from_name,
)
from calib.standard.maps import AGE_BOUNDS, age_bracket, convert, income_bracket, level_map
from calib.standard.variables import STANDARD, standard_schema

__all__ = [
    "AGE_BOUNDS",
    "DIVISIONS",
    "REGIONS",
    "STANDARD",
    "STATES",
    "STATE_DIVISION",
    "STATE_FIPS",
    "STATE_ICPSR",
    "STATE_NAMES",
    "STATE_POSTALS",
    "STATE_REGION",
    "age_bracket",
    "convert",
    "income_bracket",
    "level_map",
    "standard_schema",
    "state_from_fips",
    "state_from_icpsr",
    "state_from_name",
]
