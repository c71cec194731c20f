"""Spreadsheet safety: cells that Excel and LibreOffice would run as a formula.

A cell that begins with = + - @, a tab or a carriage return would be run as a formula by a spreadsheet
program (CSV injection); such cells get a leading apostrophe. Only text meant for a spreadsheet, the
exports' CSV and XLSX files (dialogue.exports), goes through this; files for programs keep their values
as stored (the README's "Exports" section gives the rule per format).
"""

from __future__ import annotations

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> object:
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value
