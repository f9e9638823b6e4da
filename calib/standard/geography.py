"""US states (50 + DC): postal code, FIPS code, name, Census region and division, ANES codes.

The table is the single source of state facts in calib. ``STATES`` lists the 51 states in FIPS
order; the ``state`` variable of the standard schema uses the postal codes as levels in that
order and the full names as labels.

Sources: FIPS state codes (ANSI INCITS 38:2009, FIPS 5-2); Census regions and divisions (US Census
Bureau, "Census Regions and Divisions of the United States"); ICPSR state codes (the two-digit
codes ANES studies before 2016 and the ANES Cumulative Data File use for the respondent's state,
ICPSR "State and country codes"). The ANES 2012 and 2016 Time Series files used by Argyle et al.
(``sample_stfips``, ``V161010d``) carry FIPS codes.

Examples
--------
>>> state_from_fips(6)
'CA'
>>> STATE_REGION["MA"], STATE_DIVISION["MA"]
('Northeast', 'New England')
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from calib.errors import UnknownLevelError


class State(NamedTuple):
    """One state: postal code, FIPS code, name, Census region and division, ICPSR code."""

    postal: str
    fips: int
    name: str
    region: str
    division: str
    icpsr: int


_NE, _MW, _S, _W = "Northeast", "Midwest", "South", "West"
_NEN, _MA = "New England", "Middle Atlantic"
_ENC, _WNC = "East North Central", "West North Central"
_SA, _ESC, _WSC = "South Atlantic", "East South Central", "West South Central"
_MT, _PAC = "Mountain", "Pacific"

#: The 50 states and DC in FIPS order.
STATES: tuple[State, ...] = (
    State("AL", 1, "Alabama", _S, _ESC, 41),
    State("AK", 2, "Alaska", _W, _PAC, 81),
    State("AZ", 4, "Arizona", _W, _MT, 61),
    State("AR", 5, "Arkansas", _S, _WSC, 42),
    State("CA", 6, "California", _W, _PAC, 71),
    State("CO", 8, "Colorado", _W, _MT, 62),
    State("CT", 9, "Connecticut", _NE, _NEN, 1),
    State("DE", 10, "Delaware", _S, _SA, 11),
    State("DC", 11, "District of Columbia", _S, _SA, 55),
    State("FL", 12, "Florida", _S, _SA, 43),
    State("GA", 13, "Georgia", _S, _SA, 44),
    State("HI", 15, "Hawaii", _W, _PAC, 82),
    State("ID", 16, "Idaho", _W, _MT, 63),
    State("IL", 17, "Illinois", _MW, _ENC, 21),
    State("IN", 18, "Indiana", _MW, _ENC, 22),
    State("IA", 19, "Iowa", _MW, _WNC, 31),
    State("KS", 20, "Kansas", _MW, _WNC, 32),
    State("KY", 21, "Kentucky", _S, _ESC, 51),
    State("LA", 22, "Louisiana", _S, _WSC, 45),
    State("ME", 23, "Maine", _NE, _NEN, 2),
    State("MD", 24, "Maryland", _S, _SA, 52),
    State("MA", 25, "Massachusetts", _NE, _NEN, 3),
    State("MI", 26, "Michigan", _MW, _ENC, 23),
    State("MN", 27, "Minnesota", _MW, _WNC, 33),
    State("MS", 28, "Mississippi", _S, _ESC, 46),
    State("MO", 29, "Missouri", _MW, _WNC, 34),
    State("MT", 30, "Montana", _W, _MT, 64),
    State("NE", 31, "Nebraska", _MW, _WNC, 35),
    State("NV", 32, "Nevada", _W, _MT, 65),
    State("NH", 33, "New Hampshire", _NE, _NEN, 4),
    State("NJ", 34, "New Jersey", _NE, _MA, 12),
    State("NM", 35, "New Mexico", _W, _MT, 66),
    State("NY", 36, "New York", _NE, _MA, 13),
    State("NC", 37, "North Carolina", _S, _SA, 47),
    State("ND", 38, "North Dakota", _MW, _WNC, 36),
    State("OH", 39, "Ohio", _MW, _ENC, 24),
    State("OK", 40, "Oklahoma", _S, _WSC, 53),
    State("OR", 41, "Oregon", _W, _PAC, 72),
    State("PA", 42, "Pennsylvania", _NE, _MA, 14),
    State("RI", 44, "Rhode Island", _NE, _NEN, 5),
    State("SC", 45, "South Carolina", _S, _SA, 48),
    State("SD", 46, "South Dakota", _MW, _WNC, 37),
    State("TN", 47, "Tennessee", _S, _ESC, 54),
    State("TX", 48, "Texas", _S, _WSC, 49),
    State("UT", 49, "Utah", _W, _MT, 67),
    State("VT", 50, "Vermont", _NE, _NEN, 6),
    State("VA", 51, "Virginia", _S, _SA, 40),
    State("WA", 53, "Washington", _W, _PAC, 73),
    State("WV", 54, "West Virginia", _S, _SA, 56),
    State("WI", 55, "Wisconsin", _MW, _ENC, 25),
    State("WY", 56, "Wyoming", _W, _MT, 68),
)

#: Census regions in Census order.
REGIONS: tuple[str, ...] = (_NE, _MW, _S, _W)
#: Census divisions in Census order (division codes 1-9).
DIVISIONS: tuple[str, ...] = (_NEN, _MA, _ENC, _WNC, _SA, _ESC, _WSC, _MT, _PAC)
#: Region of each division.
DIVISION_REGION: Mapping[str, str] = MappingProxyType(
    {_NEN: _NE, _MA: _NE, _ENC: _MW, _WNC: _MW, _SA: _S, _ESC: _S, _WSC: _S, _MT: _W, _PAC: _W}
)

STATE_POSTALS: tuple[str, ...] = tuple(s.postal for s in STATES)
STATE_NAMES: Mapping[str, str] = MappingProxyType({s.postal: s.name for s in STATES})
STATE_FIPS: Mapping[str, int] = MappingProxyType({s.postal: s.fips for s in STATES})
STATE_ICPSR: Mapping[str, int] = MappingProxyType({s.postal: s.icpsr for s in STATES})
STATE_REGION: Mapping[str, str] = MappingProxyType({s.postal: s.region for s in STATES})
STATE_DIVISION: Mapping[str, str] = MappingProxyType({s.postal: s.division for s in STATES})
FIPS_STATE: Mapping[int, str] = MappingProxyType({s.fips: s.postal for s in STATES})
ICPSR_STATE: Mapping[int, str] = MappingProxyType({s.icpsr: s.postal for s in STATES})
_NAME_STATE = {s.name.lower(): s.postal for s in STATES}
_NAME_STATE.update({"washington dc": "DC", "washington, d.c.": "DC", "d.c.": "DC"})


def state_from_fips(code: int | str) -> str:
    """Postal code of the state with FIPS code ``code`` (``1`` or ``"01"``).

    Raises
    ------
    UnknownLevelError
        If ``code`` is not the FIPS code of one of the 50 states or DC (e.g. 72, Puerto Rico).
    """
    try:
        return FIPS_STATE[int(code)]
    except (KeyError, ValueError, TypeError):
        raise UnknownLevelError("state (FIPS code)", [code], tuple(map(str, FIPS_STATE))) from None


def state_from_icpsr(code: int | str) -> str:
    """Postal code of the state with ICPSR (older ANES) state code ``code``."""
    try:
        return ICPSR_STATE[int(code)]
    except (KeyError, ValueError, TypeError):
        raise UnknownLevelError(
            "state (ICPSR code)", [code], tuple(map(str, ICPSR_STATE))
        ) from None


def state_from_name(name: str) -> str:
    """Postal code from a state's name or postal code, ignoring case and surrounding spaces.

    Examples
    --------
    >>> state_from_name(" new york "), state_from_name("dc")
    ('NY', 'DC')
    """
    text = " ".join(str(name).split())
    if text.upper() in STATE_FIPS:
        return text.upper()
    try:
        return _NAME_STATE[text.lower()]
    except KeyError:
        raise UnknownLevelError("state (name)", [name], STATE_POSTALS) from None


__all__ = [
    "DIVISIONS",
    "DIVISION_REGION",
    "FIPS_STATE",
    "ICPSR_STATE",
    "REGIONS",
    "STATES",
    "STATE_DIVISION",
    "STATE_FIPS",
    "STATE_ICPSR",
    "STATE_NAMES",
    "STATE_POSTALS",
    "STATE_REGION",
    "State",
    "state_from_fips",
    "state_from_icpsr",
    "state_from_name",
]
