"""Spreadsheet safety: cells that Excel and LibreOffice would run as a formula.

A cell that begins with = + - @, a tab or a carriage return would be run as a formula by a spreadsheet
program (CSV injection); such cells get a leading apostrophe. The exports (dialogue.exports) write every
file through this.
"""

from __future__ import annotations

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> object:
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value
