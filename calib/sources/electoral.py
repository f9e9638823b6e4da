"""Electoral votes by state and apportionment, and the split electoral votes of Maine and Nebraska.

Sources: US National Archives and Records Administration, "Distribution of Electoral Votes"
(archives.gov/electoral/allocation) and the Census apportionment counts of 1990, 2000, 2010 and
2020 (each state's electors = House seats + 2; DC has 3 under the 23rd Amendment). The
apportionment of census year C applies to the elections of C+2 .. C+10: the 1990 census to 2000,
2000 to 2004-2008, 2010 to 2012-2020, 2020 to 2024.

Maine and Nebraska award two electors to the statewide winner and one per congressional district.
``SPLIT_ELECTORAL_VOTES`` records the elections 2000-2024 in which they split (certified results):
Nebraska 2008 (NE-2 to Obama), 2020 (NE-2 to Biden), 2024 (NE-2 to Harris); Maine 2016, 2020 and
2024 (ME-2 to Trump). Faithless electors (2000 DC: 1 abstention; 2004 MN: 1; 2016: 7) are not
modelled: the tables give pledged electors.

Examples
--------
>>> electoral_votes(2024)["TX"], electoral_votes(2020)["TX"], sum(electoral_votes(2000).values())
(40, 38, 538)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from calib.errors import DataError
from calib.standard import STATE_POSTALS

# Electors under the 2010 census apportionment (elections 2012, 2016, 2020), FIPS order.
_EV_2010 = dict(
    zip(
        STATE_POSTALS,
        (9, 3, 11, 6, 55, 9, 7, 3, 3, 29, 16, 4, 4, 20, 11, 6, 6, 8, 8, 4, 10, 11, 16, 10, 6, 10,
         3, 5, 6, 4, 14, 5, 29, 15, 3, 18, 7, 7, 20, 4, 9, 3, 11, 38, 6, 3, 13, 12, 5, 10, 3),
        strict=True,
    )
)  # fmt: skip
# Each later (earlier) apportionment as changes from the next (previous) one.
_CHANGES_2020_FROM_2010 = {"TX": 2, "FL": 1, "CO": 1, "MT": 1, "NC": 1, "OR": 1, "CA": -1,
                           "IL": -1, "MI": -1, "NY": -1, "OH": -1, "PA": -1, "WV": -1}  # fmt: skip
_CHANGES_2010_FROM_2000 = {"TX": 4, "FL": 2, "AZ": 1, "GA": 1, "NV": 1, "SC": 1, "UT": 1, "WA": 1,
                           "NY": -2, "OH": -2, "IL": -1, "IA": -1, "LA": -1, "MA": -1, "MI": -1,
                           "MO": -1, "NJ": -1, "PA": -1}  # fmt: skip
_CHANGES_2000_FROM_1990 = {"AZ": 2, "FL": 2, "GA": 2, "TX": 2, "CA": 1, "CO": 1, "NV": 1, "NC": 1,
                           "NY": -2, "PA": -2, "CT": -1, "IL": -1, "IN": -1, "MI": -1, "MS": -1,
                           "OH": -1, "OK": -1, "WI": -1}  # fmt: skip


def _apply(base: dict[str, int], changes: dict[str, int], sign: int) -> dict[str, int]:
    return {s: v + sign * changes.get(s, 0) for s, v in base.items()}


_EV_2020 = _apply(_EV_2010, _CHANGES_2020_FROM_2010, +1)
_EV_2000 = _apply(_EV_2010, _CHANGES_2010_FROM_2000, -1)
_EV_1990 = _apply(_EV_2000, _CHANGES_2000_FROM_1990, -1)

#: Electors by state for each census apportionment year.
APPORTIONMENT: Mapping[int, Mapping[str, int]] = MappingProxyType(
    {c: MappingProxyType(t) for c, t in ((1990, _EV_1990), (2000, _EV_2000),
                                         (2010, _EV_2010), (2020, _EV_2020))}
)  # fmt: skip
#: Presidential election years covered.
ELECTION_YEARS: tuple[int, ...] = (2000, 2004, 2008, 2012, 2016, 2020, 2024)
#: (year, state) -> (Democratic electors, Republican electors) where ME or NE split.
SPLIT_ELECTORAL_VOTES: Mapping[tuple[int, str], tuple[int, int]] = MappingProxyType(
    {(2008, "NE"): (1, 4), (2020, "NE"): (1, 4), (2024, "NE"): (1, 4),
     (2016, "ME"): (3, 1), (2020, "ME"): (3, 1), (2024, "ME"): (3, 1)}
)  # fmt: skip
#: States that allocate electors by congressional district.
DISTRICT_STATES: tuple[str, ...] = ("ME", "NE")


def apportionment_census(year: int) -> int:
    """The census whose apportionment set the electors of election ``year`` (2000-2024)."""
    if year not in ELECTION_YEARS:
        raise DataError(
            f"no electoral-vote table for {year}: calib covers the elections {ELECTION_YEARS}"
        )
    return ((year - 2) // 10) * 10


def electoral_votes(year: int) -> dict[str, int]:
    """Electors by state (postal code) for presidential election ``year``.

    Raises
    ------
    DataError
        If ``year`` is not a presidential election year in 2000-2024.
    """
    return dict(APPORTIONMENT[apportionment_census(year)])


__all__ = [
    "APPORTIONMENT",
    "DISTRICT_STATES",
    "ELECTION_YEARS",
    "SPLIT_ELECTORAL_VOTES",
    "apportionment_census",
    "electoral_votes",
]
