"""Adversarial values for the walks that send generated input to every route (Hypothesis): the public site
(tests/core/test_fuzz.py) and the staff forms (tests/core/test_fuzz_staff.py)."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import strategies as st


class Raw(str):
    """Goes into the address or body as it is, not percent-encoded: for invalid escapes."""


ESCAPES = ["%", "%0", "%zz", "%%", "%00", "%0D%0A", "%C0%80", "%FF", "%E2%82", "%ED%A0%80", "%u0041", "%2F", "%2e%2e"]
DANGEROUS = ["\x00", "a\x00b", "\r\n", "x\ry", "\n", Raw("%00"), Raw("a%00"), Raw("%0D%0A")]
ODD = [
    "\x00", "a\x00b", "\r", "\n", "\r\n", "x\r\nSet-Cookie: a=b", "\t", "\x1b", "\x7f", "\u0085", "\u2028",
    "²", "١٢", "٣", "߃", "𝟗", "〇", "Ⅻ",  # digits (and numerals) that are not ASCII
    "9" * 20, str(2**63), str(2**63 - 1), str(2**64), str(2**31), "-1", "0", "-0", "+1", " 1 ", "1.5", "1e309",
    "NaN", "inf", "0x10",
    "x" * 10_000, "9" * 10_000, "é" * 10_000,
    "9999-12", "0001-01", "0000-00", "2026-13", "2026-1", "-2026-01", "99999-01",
    "<script>", "../..", "//evil.example", "javascript:alert(1)", "\u202e", "\ufeff", "\U0010ffff", "",
]


# sent in every parameter at once and in every part of the path too, so that they are never left to chance:
# a NUL (PostgreSQL refuses it), a month the calendar cannot hold, an id too large for BIGINT, a digit int()
# refuses, a long text, escapes that decode to nothing valid
EDGES = ["a\x00b", "9999-12", "0001-01", "9" * 20, "²", "x" * 10_000, Raw("%zz%C0%80%0D%0A")]


def encode(value: str) -> str:
    return str(value) if isinstance(value, Raw) else quote(value, safe="")


def urlencoded(fields: list[tuple[str, str]]) -> str:
    """A form body with the fields in order (a name may come twice), a Raw value left as it is."""
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in fields)


def value_strategy(real: list[str]) -> st.SearchStrategy[str]:
    text = st.text(max_size=30)
    return st.one_of(
        st.sampled_from(DANGEROUS),
        st.sampled_from(ODD),
        st.sampled_from(ESCAPES).map(Raw),
        st.tuples(text, st.sampled_from(ESCAPES), text).map(lambda t: Raw(encode(t[0]) + t[1] + encode(t[2]))),
        text,
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=25),
        st.sampled_from(real),
    )
