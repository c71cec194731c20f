"""The catalogs against a fresh extraction: every message of every template and module is translated.

The extraction runs pybabel as `make extract-messages` does (babel.cfg and the Makefile's keywords) into a
temporary file, so a text added since the last `make update-messages`, or a file the directory walk skips
(pybabel does not enter folders whose names start with "_"), fails here rather than showing English to a
Swedish or Danish reader.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from dialogue.config import ROOT

LOCALES = ["sv", "da", "en"]

# A Swedish or Danish text that is just its English source was, most often, never translated. These words
# are spelt the same in English and in the language (loanwords and terms of the trade), so a text made only
# of them, of abbreviations in capitals (CSV, API, JSON), of single letters (coder "A:"), of the names below,
# of placeholders and of punctuation may stay as it is. Keep the lists short: a word belongs here only when
# a municipality would write it so.
SAME_WORDS = {
    "sv": {"export", "format", "kappa", "period", "process", "representation", "status", "text", "token",
           "vision", "workshop"},
    "da": {"administrator", "e-mail", "format", "kappa", "logo", "note", "seminar", "status", "token", "vision", "web",
           "workshop", "workshops"},
}
NAMES = {"Excel", "LibreOffice", "Kolada"}

PLACEHOLDER = re.compile(r"%(\(\w+\))?[-#0 +]*\d*(\.\d+)?[sdifr%]")


def _keywords() -> list[str]:
    """The -k options of the Makefile's extract-messages recipe (one place says which functions translate)."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^extract-messages:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    return re.findall(r"-k\s+(\S+)", recipe.replace("\\\n", " "))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> tuple[Catalog, str]:
    """A fresh template of every message, and pybabel's account of the files it read."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    command = [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "-o", str(pot), "."]
    for keyword in _keywords():
        command += ["-k", keyword]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    with open(pot, "rb") as handle:
        return read_po(handle), run.stdout + run.stderr


def _catalog(locale: str) -> Catalog:
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def _forms(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _name(message: Message) -> str:
    text = _forms(message.id)[0]
    return f"{message.context}|{text}" if message.context else text


def _may_read_as_english(text: str, locale: str) -> bool:
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", PLACEHOLDER.sub(" ", text))
    return all(word.lower() in SAME_WORDS[locale] or word.isupper() or len(word) == 1 or word in NAMES
               for word in words)


def test_extraction_reads_every_template_and_module(extracted):
    _template, log = extracted
    read = set(re.findall(r"^extracting messages from (\S+)", log, re.MULTILINE))
    wanted = {str(path.relative_to(ROOT)) for pattern in ("templates/**/*.html", "templates/**/*.txt",
                                                         "dialogue/**/*.py") for path in ROOT.glob(pattern)}
    assert wanted - read == set(), "pybabel skips these (a folder starting with '_'?)"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(extracted, locale):
    template, _log = extracted
    catalog = _catalog(locale)
    missing, fuzzy, forms = [], [], []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        if translated is None or not any(_forms(translated.string)):
            missing.append(_name(message))
        elif translated.fuzzy:
            fuzzy.append(_name(message))
        elif message.pluralizable and (len(_forms(translated.string)) != catalog.num_plurals
                                       or not all(_forms(translated.string))):
            forms.append(_name(message))
    assert not missing, f"{locale}: {len(missing)} not translated (make update-messages), e.g. {missing[:10]}"
    assert not fuzzy, f"{locale}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:10]}"
    assert not forms, f"{locale}: plural forms missing in {forms[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders(extracted, locale):
    template, _log = extracted
    catalog = _catalog(locale)
    for message in template:
        translated = catalog.get(message.id, context=message.context) if message.id else None
        if translated is None:
            continue
        wanted = {match.group(0) for source in _forms(message.id) for match in PLACEHOLDER.finditer(source)
                  if match.group(1)}
        for text in _forms(translated.string):
            if text:
                named = {match.group(0) for match in PLACEHOLDER.finditer(text) if match.group(1)}
                # a singular may say "one" instead of %(num)d, never use a name the source does not give
                assert named <= wanted, (locale, _name(message), text)


@pytest.mark.parametrize("locale", ["sv", "da"])
def test_no_text_is_left_in_english(extracted, locale):
    template, _log = extracted
    catalog = _catalog(locale)
    english = []
    for message in template:
        translated = catalog.get(message.id, context=message.context) if message.id else None
        if translated is None:
            continue
        sources = _forms(message.id)
        english += [(_name(message), text) for text in _forms(translated.string)
                    if text in sources and not _may_read_as_english(text, locale)]
    assert not english, f"{locale}: still in English: {english[:10]}"
