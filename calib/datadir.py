"""Where raw data files live: the shared data directory and bundled tables.

The raw-data directory is chosen by, in order: the ``data_dir`` argument, the ``CALIB_DATA_DIR``
environment variable, then ``../shared/data`` next to the working directory or next to the
project checkout, when it exists.

Bundled tables (derived aggregates the package ships) are found inside the installed package
(``calib/_bundled``) or, in a source checkout, in the top-level ``data/`` folder.

Examples
--------
>>> import os
>>> path = shared_data_dir(required=False)
>>> path is None or path.is_dir()
True
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from calib.errors import MissingDataFileError

ENV_VAR = "CALIB_DATA_DIR"
_PACKAGE_ROOT = Path(__file__).resolve().parent


def _candidates() -> list[Path]:
    return [
        Path.cwd() / ".." / "shared" / "data",
        Path.cwd() / "shared" / "data",
        _PACKAGE_ROOT.parent / ".." / "shared" / "data",
    ]


def shared_data_dir(
    data_dir: str | os.PathLike[str] | None = None, required: bool = True
) -> Path | None:
    """The directory holding raw source folders (``nist_acs_excerpts``, ``medsl_president``...).

    Raises
    ------
    MissingDataFileError
        If ``required`` and no directory is found.
    """
    if data_dir is not None:
        path = Path(data_dir)
        if path.is_dir() or not required:
            return path.resolve() if path.is_dir() else None
        raise MissingDataFileError(path, "raw data directory", "the data_dir argument")
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
        if path.is_dir():
            return path.resolve()
        if required:
            raise MissingDataFileError(path, "raw data directory", f"${ENV_VAR}")
        return None
    for cand in _candidates():
        if cand.is_dir():
            return cand.resolve()
    if required:
        raise MissingDataFileError(
            "../shared/data",
            "raw data directory",
            f"the project's shared data folder (or set ${ENV_VAR})",
        )
    return None


def raw_file(
    relative: str, dataset: str, origin: str = "", data_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Path of a raw file inside the data directory; raises naming the file if it is absent."""
    base = shared_data_dir(data_dir, required=False)
    path = (base / relative) if base is not None else Path(relative)
    if base is None or not path.is_file():
        raise MissingDataFileError(path, dataset, origin)
    return path


def bundled_file(name: str) -> Path:
    """Path of a bundled table by file name (e.g. ``"president_by_state.csv"``).

    Raises
    ------
    MissingDataFileError
        If the table is neither installed with the package nor in the checkout's ``data/``.
    """
    packaged = resources.files("calib").joinpath("_bundled", name)
    if packaged.is_file():
        return Path(str(packaged))
    local = _PACKAGE_ROOT.parent / "data" / name
    if local.is_file():
        return local
    raise MissingDataFileError(name, "bundled table", "data/build.py in the calib repository")


__all__ = ["ENV_VAR", "bundled_file", "raw_file", "shared_data_dir"]
