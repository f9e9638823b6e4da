"""Calibrated election forecasts: state frames, MRP with a silicon predictor, scoring.

- :mod:`calib.forecast.census` reads the ACS 2018 state tables (estimates and MOEs);
- :mod:`calib.forecast.frames` builds the post-stratification frames (50 states + DC, CVAP or
  adults, race5 x sex x age_b15001_5 x educ4) by two-stage IPF, with MOE replicates;
- :mod:`calib.forecast.copula_seed` gives a Gaussian-copula seed for the frames;
- :mod:`calib.forecast.ipf` fits dense tables to published margins;
- :mod:`calib.forecast.poststrat` is the post-stratification arithmetic;
- :mod:`calib.forecast.silicon` holds the silicon-only baselines (raw counts, post-stratified);
- :mod:`calib.forecast.mrp` is the PyMC MRP of gold votes with the silicon predictor;
- :mod:`calib.forecast.result` holds :class:`StateForecast`;
- :mod:`calib.forecast.scoring` scores forecasts against real results.

PyMC is imported only when a model is fitted.
"""

from calib.forecast.frames import StateFrame, build_state_frames
from calib.forecast.mrp import SiliconMRP, turnout_by_cell
from calib.forecast.poststrat import cell_table, national_share, poststratify
from calib.forecast.result import StateForecast
from calib.forecast.scoring import paper_states, score_forecast, score_table
from calib.forecast.silicon import (
    SiliconCellModel,
    poststratified_silicon_forecast,
    raw_silicon_forecast,
)

__all__ = [
    "SiliconCellModel",
    "SiliconMRP",
    "StateForecast",
    "StateFrame",
    "build_state_frames",
    "cell_table",
    "national_share",
    "paper_states",
    "poststratified_silicon_forecast",
    "poststratify",
    "raw_silicon_forecast",
    "score_forecast",
    "score_table",
    "turnout_by_cell",
]
