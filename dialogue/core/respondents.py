"""Who residents say they are: respondent groups and age bands.

Kept in core, not in questionnaires, because several features describe residents with them: a
response and a contribution carry a group, reports compare age bands with population figures, and
coding and exports filter on both.
"""

from __future__ import annotations

from dialogue.i18n import _l

# Age bands line up with the population statistics officials compare participation with.
AGE_BANDS = {
    "0-15": _l("15 or younger"),
    "16-19": _l("16–19"),
    "20-29": _l("20–29"),
    "30-44": _l("30–44"),
    "45-64": _l("45–64"),
    "65-79": _l("65–79"),
    "80-": _l("80 or older"),
}

GROUPS = {
    "resident": _l("I live in the municipality"),
    "association": _l("I represent an association"),
    "business": _l("I represent a business"),
    "young": _l("I am a young person"),
    "employee": _l("I work for the municipality"),
    "visitor": _l("I am a visitor"),
}
