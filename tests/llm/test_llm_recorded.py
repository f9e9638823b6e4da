"""The recorded silicon_pew2013 sample as a ResponsesTable, checked against the raw JSONL."""

from __future__ import annotations

import json

import numpy as np
import pytest

from calib.llm.recorded import read_silicon_responses
from calib.llm.responses import COLUMNS


def test_recorded_pew2013_matches_the_raw_files(shared_data):
    table = read_silicon_responses("pew2013", shared_data)
    frame = table.to_frame()
    assert list(frame.columns) == list(COLUMNS)
    choices = table.choices()
    assert len(choices) == 400 * 4 * 4 and choices["valid"].all()
    raw = [
        json.loads(line)
        for part in (1, 2)
        for line in (shared_data / "silicon_pew2013" / f"sim_meta_{part}.jsonl").open()
    ]
    assert len(raw) == 400
    got = choices[(choices.tier == "meta") & (choices.question == "vote2012")]
    assert got.set_index("persona_id")["option"].to_dict() == {
        r["persona_id"]: r["vote2012"] for r in raw
    }
    # hand check of the first persona: Disapprove, stated P(approve) = 40
    first = frame[
        (frame.persona_id == "p0001")
        & (frame.tier == "meta")
        & (frame.question == "obama_approval")
    ]
    stated = first[first.method == "stated"].set_index("option")["probability"]
    assert stated["Approve"] == pytest.approx(0.40) and stated["Disapprove"] == pytest.approx(0.6)
    recorded = first[first.method == "recorded"].set_index("option")["probability"]
    assert recorded.to_dict() == {"Approve": 0.0, "Disapprove": 1.0}
    # shares of recorded answers equal the raw counts; methods are never mixed
    shares = table.option_shares(method="recorded")
    meta_vote = shares[(shares.tier == "meta") & (shares.question == "vote2012")]
    counts = {o: sum(r["vote2012"] == o for r in raw) / 400 for o in meta_vote["option"]}
    np.testing.assert_allclose(meta_vote["share"], [counts[o] for o in meta_vote["option"]])
    assert "method" in table.option_shares().columns
    # party has no stated probability: only recorded rows
    assert set(frame.loc[frame.question == "party", "method"]) == {"recorded"}
