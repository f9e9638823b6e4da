"""The standard US-adult variables: one name and one level set per concept.

Every source is translated into these variables, so a persona table, the ACS and a survey can
be compared column by column. Where the field uses several codings of one concept (age brackets,
race/ethnicity, education), each coding is its own variable (``age_pew6``, ``age_acs10``...) and
:mod:`calib.standard.maps` converts between them where the levels nest.

Examples
--------
>>> STANDARD["age_pew6"].levels
('18-24', '25-34', '35-44', '45-54', '55-64', '65+')
>>> standard_schema(["sex", "educ3"]).names
('sex', 'educ3')
"""

from __future__ import annotations

from collections.abc import Iterable

from calib.schema import Schema, Variable, VariableKind
from calib.standard.geography import DIVISIONS, REGIONS, STATE_NAMES, STATE_POSTALS

_O, _N, _NUM = VariableKind.ORDINAL, VariableKind.NOMINAL, VariableKind.NUMERIC

AGE = Variable("age", kind=_NUM, description="Age in completed years (adults: 18 and over)")
AGE_PEW6 = Variable(
    "age_pew6",
    ("18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    _O,
    description="Age in the six Pew Research Center brackets",
)
AGE_ACS10 = Variable(
    "age_acs10",
    ("18-19", "20-24", "25-29", "30-34", "35-44", "45-54", "55-64", "65-74", "75-84", "85+"),
    _O,
    description="Age in the ten adult bands of ACS table B01001 (sex by age)",
)
AGE_CVAP4 = Variable(
    "age_cvap4",
    ("18-29", "30-44", "45-64", "65+"),
    _O,
    description="Age in the four bands of ACS table B29001 (citizen voting-age population by age)",
)
AGE_B15001_5 = Variable(
    "age_b15001_5",
    ("18-24", "25-34", "35-44", "45-64", "65+"),
    _O,
    description="Age in the five adult bands of ACS table B15001 (sex by age by education)",
)
SEX = Variable("sex", ("Male", "Female"), _N, description="Sex (as recorded by the source)")
RACE4 = Variable(
    "race4",
    ("White", "Black", "Hispanic", "Other"),
    _N,
    labels={
        "White": "White, non-Hispanic",
        "Black": "Black, non-Hispanic",
        "Hispanic": "Hispanic (any race)",
        "Other": "Other or multiple races, non-Hispanic",
    },
    description="Race/ethnicity in Pew's four groups; Hispanic origin takes precedence",
)
RACE5 = Variable(
    "race5",
    ("White", "Black", "Hispanic", "Asian", "Other"),
    _N,
    labels={
        "White": "White alone, non-Hispanic",
        "Black": "Black alone, non-Hispanic",
        "Hispanic": "Hispanic or Latino (any race)",
        "Asian": "Asian alone, non-Hispanic",
        "Other": "Other race or multiracial, non-Hispanic",
    },
    description="Race/ethnicity in five groups; Hispanic origin takes precedence (Census way)",
)
RACE7 = Variable(
    "race7",
    ("White", "Black", "Hispanic", "Asian", "AIAN", "NHPI", "Other"),
    _N,
    labels={
        "White": "White alone, non-Hispanic",
        "Black": "Black alone, non-Hispanic",
        "Hispanic": "Hispanic or Latino (any race)",
        "Asian": "Asian alone, non-Hispanic",
        "AIAN": "American Indian or Alaska Native alone, non-Hispanic",
        "NHPI": "Native Hawaiian or Pacific Islander alone, non-Hispanic",
        "Other": "Some other race alone or two or more races, non-Hispanic",
    },
    description="Race/ethnicity in seven groups; Hispanic origin takes precedence (Census way)",
)
HISPANIC = Variable("hispanic", ("Hispanic", "Not Hispanic"), _N, description="Hispanic origin")
EDUC3 = Variable(
    "educ3",
    ("HS or less", "Some college", "College+"),
    _O,
    labels={
        "HS or less": "High school graduate or less",
        "Some college": "Some college or associate degree",
        "College+": "Bachelor's degree or higher",
    },
    description="Educational attainment, three levels (Pew receduc)",
)
EDUC4 = Variable(
    "educ4",
    ("HS or less", "Some college", "Bachelor's", "Postgrad"),
    _O,
    labels={
        "HS or less": "High school graduate or less",
        "Some college": "Some college or associate degree",
        "Bachelor's": "Bachelor's degree",
        "Postgrad": "Graduate or professional degree",
    },
    description="Educational attainment, four levels",
)
EDUC5 = Variable(
    "educ5",
    ("Less than HS", "HS grad", "Some college", "Bachelor's", "Postgrad"),
    _O,
    labels={
        "Less than HS": "Less than high school",
        "HS grad": "High school graduate (incl. GED)",
        "Some college": "Some college or associate degree",
        "Bachelor's": "Bachelor's degree",
        "Postgrad": "Graduate or professional degree",
    },
    description="Educational attainment, five levels",
)
INCOME_PERSONAL = Variable(
    "income_personal",
    ("<10k", "10-25k", "25-50k", "50-75k", "75-100k", "100-150k", "150k+"),
    _O,
    labels={
        "<10k": "Less than $10,000 (incl. none or a loss)",
        "10-25k": "$10,000 to $24,999",
        "25-50k": "$25,000 to $49,999",
        "50-75k": "$50,000 to $74,999",
        "75-100k": "$75,000 to $99,999",
        "100-150k": "$100,000 to $149,999",
        "150k+": "$150,000 or more",
    },
    description="Annual personal income (dollars of the survey year)",
)
INCOME_HOUSEHOLD = Variable(
    "income_household",
    ("<25k", "25-50k", "50-75k", "75-100k", "100-150k", "150-200k", "200k+"),
    _O,
    labels={
        "<25k": "Less than $25,000",
        "25-50k": "$25,000 to $49,999",
        "50-75k": "$50,000 to $74,999",
        "75-100k": "$75,000 to $99,999",
        "100-150k": "$100,000 to $149,999",
        "150-200k": "$150,000 to $199,999",
        "200k+": "$200,000 or more",
    },
    description="Annual household income (dollars of the survey year)",
)
REGION = Variable("region", REGIONS, _N, description="Census region")
DIVISION = Variable("division", DIVISIONS, _N, description="Census division")
STATE = Variable(
    "state",
    STATE_POSTALS,
    _N,
    labels=dict(STATE_NAMES),
    description="State of residence: postal codes in FIPS order (50 states + DC)",
)
PARTY3 = Variable(
    "party3",
    ("Democrat", "Independent", "Republican"),
    _N,
    labels={"Independent": "Independent, other party or no preference"},
    description="Party identification, three groups (leaners counted as independents)",
)
PARTY7 = Variable(
    "party7",
    (
        "Strong Democrat",
        "Weak Democrat",
        "Lean Democrat",
        "Independent",
        "Lean Republican",
        "Weak Republican",
        "Strong Republican",
    ),
    _O,
    labels={
        "Weak Democrat": "Not very strong Democrat",
        "Lean Democrat": "Independent-Democrat",
        "Lean Republican": "Independent-Republican",
        "Weak Republican": "Not very strong Republican",
    },
    description="Party identification, ANES seven-point scale (ANES pid_x codes 1-7)",
)
IDEOLOGY5 = Variable(
    "ideology5",
    ("Very liberal", "Liberal", "Moderate", "Conservative", "Very conservative"),
    _O,
    description="Self-placed ideology, five points (Pew/Gallup)",
)
IDEOLOGY7 = Variable(
    "ideology7",
    (
        "Extremely liberal",
        "Liberal",
        "Slightly liberal",
        "Moderate",
        "Slightly conservative",
        "Conservative",
        "Extremely conservative",
    ),
    _O,
    labels={"Moderate": "Moderate; middle of the road"},
    description="Self-placed ideology, ANES seven-point scale (codes 1-7)",
)
VOTE_PRES = Variable(
    "vote_pres",
    ("Democrat", "Republican", "Other", "Did not vote"),
    _N,
    labels={
        "Democrat": "Voted for the Democratic candidate",
        "Republican": "Voted for the Republican candidate",
        "Other": "Voted for another candidate",
        "Did not vote": "Did not vote for president",
    },
    description="Presidential vote, by the candidate's party (year given by the source)",
)
RELIGION = Variable(
    "religion",
    (
        "Protestant",
        "Catholic",
        "Mormon",
        "Orthodox Christian",
        "Jewish",
        "Muslim",
        "Buddhist",
        "Hindu",
        "Other religion",
        "Atheist",
        "Agnostic",
        "Nothing in particular",
    ),
    _N,
    description="Religious affiliation (Pew Religious Landscape categories)",
)
ATTENDANCE = Variable(
    "attendance",
    (
        "More than once a week",
        "Once a week",
        "Once or twice a month",
        "A few times a year",
        "Seldom",
        "Never",
    ),
    _O,
    description="Attendance at religious services (Pew six-point)",
)
EMPLOYMENT = Variable(
    "employment",
    ("Full-time", "Part-time", "Unemployed", "Retired", "Student", "Homemaker", "Other NILF"),
    _N,
    labels={
        "Full-time": "Employed full-time",
        "Part-time": "Employed part-time",
        "Other NILF": "Not in labor force, other",
    },
    description="Employment status",
)
MARITAL = Variable(
    "marital",
    ("Married", "Widowed", "Divorced", "Separated", "Never married"),
    _N,
    description="Marital status (ACS MAR/MSP order; married includes spouse absent)",
)
URBANICITY = Variable("urbanicity", ("Urban", "Suburban", "Rural"), _O, description="Urbanicity")
CITIZEN = Variable(
    "citizen",
    ("Citizen", "Not a citizen"),
    _N,
    labels={"Citizen": "US citizen (by birth or naturalized)"},
    description="US citizenship",
)

#: Every standard variable, in the order tables show them.
STANDARD: Schema = Schema(
    [
        AGE,
        AGE_PEW6,
        AGE_ACS10,
        AGE_CVAP4,
        AGE_B15001_5,
        SEX,
        RACE4,
        RACE5,
        RACE7,
        HISPANIC,
        EDUC3,
        EDUC4,
        EDUC5,
        INCOME_PERSONAL,
        INCOME_HOUSEHOLD,
        REGION,
        DIVISION,
        STATE,
        PARTY3,
        PARTY7,
        IDEOLOGY5,
        IDEOLOGY7,
        VOTE_PRES,
        RELIGION,
        ATTENDANCE,
        EMPLOYMENT,
        MARITAL,
        URBANICITY,
        CITIZEN,
    ]
)


def standard_schema(names: Iterable[str]) -> Schema:
    """The standard variables ``names``, in the order given.

    Raises
    ------
    UnknownVariableError
        If a name is not a standard variable; the message lists the standard names.

    Examples
    --------
    >>> standard_schema(["state"])["state"].label("CA")
    'California'
    """
    return STANDARD.subset(list(names))


__all__ = ["STANDARD", "standard_schema"]
