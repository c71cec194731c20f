"""Numbers as the reader writes them, on Babel's patterns for the current locale (Flask-Babel's).

Swedish groups thousands with a no-break space and writes "12,9 %", Danish "1.234" and "12,9 %", English
"1,234" and "12.9%": only the number of decimals is chosen here, the rest is the locale's own pattern.
Shares are given as parts of one (0.129 is 12.9 %), as Babel takes them.
"""

from __future__ import annotations

import re

from flask_babel import format_decimal, format_percent, get_locale

# the integer part of a pattern such as "#,##0 %" or "#,##0.###", with its decimals if any
_DIGITS = re.compile(r"[#,]*0[0#]*(\.[0#]+)?")


def _with_decimals(pattern: str, digits: int, fixed: bool) -> str:
    decimals = ("." + ("0" if fixed else "#") * digits) if digits > 0 else ""
    return _DIGITS.sub(lambda match: match.group(0).split(".")[0] + decimals, pattern, count=1)


def number(value: float | int | None, digits: int = 2) -> str:
    """A figure with the locale's grouping and at most *digits* decimals (1 234; 93,1; 0,72). None is ""."""
    if value is None:
        return ""
    pattern = get_locale().decimal_formats[None].pattern
    return format_decimal(value, format=_with_decimals(pattern, digits, fixed=False))


def decimal(value: float | int | None, digits: int = 1) -> str:
    """A figure with exactly *digits* decimals (a ratio 0,80 beside 1,25). None is ""."""
    if value is None:
        return ""
    pattern = get_locale().decimal_formats[None].pattern
    return format_decimal(value, format=_with_decimals(pattern, digits, fixed=True))


def percent(share: float | int | None, digits: int = 0) -> str:
    """A share of one as a percentage with exactly *digits* decimals: 0.129 is "12,9 %" in Swedish. None is ""."""
    if share is None:
        return ""
    pattern = get_locale().percent_formats[None].pattern
    return format_percent(share, format=_with_decimals(pattern, digits, fixed=True))
