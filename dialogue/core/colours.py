"""Contrast of colours as WCAG 2.1 defines it, for the municipality's accent colour."""

from __future__ import annotations

import re

HEX = re.compile(r"#[0-9a-fA-F]{6}")
WHITE = "#ffffff"
#: the shipped accent colour (dialogue.css: --accent)
DEFAULT = "#005a8c"
#: the pale background of the header, footer and notices (dialogue.css: --bg-soft)
SOFT = "#f3f5f7"
#: WCAG 2.1 AA for normal text (1.4.3)
MINIMUM = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def weakest_contrast(accent: str) -> float:
    """The accent's lowest contrast where it is used: as text on the page and on the pale background,
    and as the background of buttons with white text."""
    return min(contrast(accent, WHITE), contrast(accent, SOFT))


def darker(colour: str, share: float = 0.7) -> str:
    """The colour with each channel scaled down: for hover, where it must stay readable too."""
    return "#" + "".join(f"{round(int(colour[i:i + 2], 16) * share):02x}" for i in (1, 3, 5))
