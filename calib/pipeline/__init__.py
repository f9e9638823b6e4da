"""The end-to-end pipeline: TOML configuration -> diagnose -> weight -> correct -> report.

Examples
--------
>>> from calib.pipeline import STEPS
>>> STEPS
('diagnose', 'weight', 'correct', 'report')
"""

from calib.pipeline.config import ConfigError, PipelineConfig, load_config, parse_config
from calib.pipeline.run import (
    STEPS,
    PipelineResult,
    add_to_report,
    load_result,
    run_correct,
    run_diagnose,
    run_pipeline,
    run_report,
    run_weight,
)

__all__ = [
    "STEPS",
    "ConfigError",
    "PipelineConfig",
    "PipelineResult",
    "add_to_report",
    "load_config",
    "load_result",
    "parse_config",
    "run_correct",
    "run_diagnose",
    "run_pipeline",
    "run_report",
    "run_weight",
]
