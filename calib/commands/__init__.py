"""Subcommands of the ``calib`` command line (one module each)."""
