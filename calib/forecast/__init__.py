"""Calibrated election forecasts: state frames, MRP with silicon predictors, scoring.

- :mod:`calib.forecast.census` reads the ACS 2018 state tables;
- :mod:`calib.forecast.frames` builds the post-stratification frames (50 states + DC);
- :mod:`calib.forecast.ipf` fits dense tables to published margins.
"""

from calib.forecast.frames import StateFrame, build_state_frames

__all__ = ["StateFrame", "build_state_frames"]
