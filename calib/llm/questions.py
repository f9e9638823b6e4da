"""Survey questions as data, loadable from TOML or JSON.

A question has an id, its wording, its answer options (in their canonical order), whether the
options are ordered (ordinal), and an optional context date ("mid-December 2013") that the
prompt states so the model answers as of that time.

File format (TOML; JSON is the same structure)::

    [[question]]
    id = "obama_approval"
    text = "Do you approve or disapprove of the way Barack Obama is handling his job as president?"
    options = ["Approve", "Disapprove"]
    ordinal = false
    context_date = "December 2013"

Examples
--------
>>> q = Question("q1", "Is it raining?", ("Yes", "No"))
>>> q.n_options
2
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from calib.errors import DataError


@dataclass(frozen=True)
class Question:
    """One forced-choice survey question.

    Parameters
    ----------
    id : str
        Short identifier used as the ``question`` column of the responses table.
    text : str
        The wording shown to the model.
    options : tuple of str
        Answer options in canonical order (for ordinal questions: from one end to the other).
    ordinal : bool, default=False
    context_date : str, optional
        When the survey takes place ("mid-December 2013").
    """

    id: str
    text: str
    options: tuple[str, ...]
    ordinal: bool = False
    context_date: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(str(o) for o in self.options))
        if not self.id or not self.text:
            raise DataError(f"question {self.id!r}: needs a non-empty id and text")
        if len(self.options) < 2:
            raise DataError(f"question {self.id!r}: needs at least two options")
        lowered = [o.strip().lower() for o in self.options]
        if len(set(lowered)) != len(lowered) or any(not o for o in lowered):
            raise DataError(f"question {self.id!r}: options must be distinct and non-empty")
        if len(self.options) > 26:
            raise DataError(f"question {self.id!r}: at most 26 options (letters A-Z)")

    @property
    def n_options(self) -> int:
        return len(self.options)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Question:
        """Build from a mapping with keys id, text, options, ordinal, context_date."""
        unknown = set(record) - {"id", "text", "options", "ordinal", "context_date"}
        if unknown:
            raise DataError(f"question {record.get('id')!r}: unknown field(s) {sorted(unknown)}")
        try:
            return cls(
                id=str(record["id"]),
                text=str(record["text"]),
                options=tuple(record["options"]),
                ordinal=bool(record.get("ordinal", False)),
                context_date=record.get("context_date"),
            )
        except KeyError as err:
            raise DataError(f"a question lacks the field {err.args[0]!r}") from None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "options": list(self.options),
            "ordinal": self.ordinal,
        }
        if self.context_date:
            out["context_date"] = self.context_date
        return out


def questions_from_records(records: Sequence[Mapping[str, Any]]) -> list[Question]:
    """Questions from a list of mappings; ids must be unique."""
    questions = [Question.from_dict(r) for r in records]
    ids = [q.id for q in questions]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise DataError(f"question ids repeat: {dupes}")
    return questions


def load_questions(path: str | os.PathLike[str]) -> list[Question]:
    """Read questions from a ``.toml`` (``[[question]]`` tables) or ``.json`` file.

    JSON may be a list of question objects or ``{"question": [...]}`` / ``{"questions": [...]}``.

    Raises
    ------
    DataError
        If the file has another format or a question is malformed.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"question file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".toml":
        with path.open("rb") as fh:
            data: Any = tomllib.load(fh)
    elif suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
    else:
        raise DataError(f"question file {str(path)!r}: use a .toml or .json file")
    if isinstance(data, Mapping):
        data = data.get("question", data.get("questions"))
    if not isinstance(data, list) or not data:
        raise DataError(f"question file {str(path)!r} holds no [[question]] entries")
    return questions_from_records(data)


def pew2013_questions() -> list[Question]:
    """The four Pew December 2013 questions of the recorded silicon sample (bundled file)."""
    ref = resources.files("calib.llm").joinpath("templates").joinpath("pew2013_questions.toml")
    with ref.open("rb") as fh:
        return questions_from_records(tomllib.load(fh)["question"])


__all__ = ["Question", "load_questions", "pew2013_questions", "questions_from_records"]
