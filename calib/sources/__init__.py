"""Readers and recoders for real sources, translated into the standard schema.

=============================  ==================================================================
reader                         returns
=============================  ==================================================================
``read_pums``                  Census ACS PUMS person file (csv or zip) -> Population (PWGTP)
``read_nist_excerpt``          NIST ACS excerpt -> Population (PWGTP, not nationally representative)
``read_medsl_president``       MEDSL returns -> state x year DataFrame (votes, shares, electors)
``read_argyle_anes``           ANES 2012/2016 x GPT-3 -> Population (+ GPT-3 probabilities, vote)
``read_argyle_task3``          ANES 2016 items vs GPT-3's predictions (Study 3) -> long DataFrame
``read_pew_dec13``             Pew December 2013 survey -> Population (Pew weight)
``read_pew_acs2017_target``    ACS 2017 sex x age x education shares -> relative joint Target
``read_silicon_pew2013``       recorded silicon sample -> SiliconSample (per-tier Populations,
                               tidy responses)
``read_silicon_2024_states``   recorded 48-state silicon sample -> SiliconSample
``normalize_values``           LLM free text -> standard levels, with an explicit unknown policy
=============================  ==================================================================

Every reader takes ``data_dir=`` (default: ``$CALIB_DATA_DIR`` or ``../shared/data``) and raises
:class:`~calib.errors.MissingDataFileError` naming the file and where it comes from. Bundled
tables (shipped with the package) are loaded with :mod:`calib.sources.bundled`.
"""

from calib.sources.acs import read_nist_excerpt, read_pums
from calib.sources.acs_codes import pums_to_standard, replicate_weight_matrix
from calib.sources.anes import read_argyle_anes, read_argyle_task3
from calib.sources.bundled import (
    bundled_tables,
    load_acs2017_target,
    load_nist_cells,
    load_president_results,
)
from calib.sources.catalog import dataset_catalog
from calib.sources.medsl import read_medsl_president
from calib.sources.normalize import match_value, normalize_values
from calib.sources.pew import read_pew_acs2017_target, read_pew_dec13
from calib.sources.silicon import (
    SiliconSample,
    read_silicon_2024_states,
    read_silicon_pew2013,
)

__all__ = [
    "SiliconSample",
    "bundled_tables",
    "dataset_catalog",
    "load_acs2017_target",
    "load_nist_cells",
    "load_president_results",
    "match_value",
    "normalize_values",
    "pums_to_standard",
    "read_argyle_anes",
    "read_argyle_task3",
    "read_medsl_president",
    "read_nist_excerpt",
    "read_pew_acs2017_target",
    "read_pew_dec13",
    "read_pums",
    "read_silicon_2024_states",
    "read_silicon_pew2013",
    "replicate_weight_matrix",
]
