"""No page a Swede or a Dane reads shows an interface text in English.

The catalogs can be complete while a page still shows English: a label made into text once, when its
module was imported (a form's choices built from an enum's ``label``), is the English source for ever.
This walk asks for every page of the URL map in Swedish and in Danish, signed in as an admin for the
staff pages, with real objects behind the parameters (tests/routes.py), and fails on any piece of text
(an element's text, an option, a label for assistive technology, a placeholder, a title) that is exactly
an English source text the language's catalog translates differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from dialogue.config import ROOT
from tests.conftest import load_demo, login
from tests.routes import NO_PAGE, public_rules, sample_args, staff_rules, url

# Texts a person types or an attribute holds data in are not interface text.
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
SKIPPED_ELEMENTS = {"script", "style", "textarea"}


PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


@dataclass
class Sources:
    """The English source texts a catalog translates into something else: whole texts, and the texts with
    placeholders as patterns (each found through its longest fixed part, to keep the walk quick)."""

    whole: set[str] = field(default_factory=set)
    patterns: dict[str, list[re.Pattern]] = field(default_factory=dict)

    def add(self, source: str) -> None:
        if "%" not in source:
            self.whole.add(source)
            return
        fixed = [part.strip() for part in PLACEHOLDER.split(source)]
        if sum(char.isalpha() for char in "".join(fixed)) < 5:  # "%(name)s (%(role)s)" is no English
            return
        pattern, last = [], 0
        for placeholder in PLACEHOLDER.finditer(source):
            pattern += [re.escape(source[last:placeholder.start()]),
                        "%" if placeholder.group() == "%%" else ".+?"]
            last = placeholder.end()
        pattern.append(re.escape(source[last:]))
        self.patterns.setdefault(max(fixed, key=len), []).append(re.compile("".join(pattern)))

    def english(self, text: str) -> bool:
        return text in self.whole or any(
            fixed in text and any(p.fullmatch(text) for p in patterns) for fixed, patterns in self.patterns.items())


def untranslated_sources(locale: str) -> Sources:
    """The English source texts the catalog of *locale* translates into something else."""
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    sources = Sources()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for source, text in zip(ids, strings, strict=False):
            if source and text and text != source:
                sources.add(" ".join(source.split()))
    return sources


class Texts(HTMLParser):
    """Every piece of text of a page, whitespace made single."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self._skipping += 1
        self.texts.extend(" ".join(value.split()) for name, value in attrs if name in ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS:
            self._skipping = max(0, self._skipping - 1)

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(" ".join(data.split()))


def english_on(body: str, sources: Sources) -> set[str]:
    parser = Texts()
    parser.feed(body)
    return {text for text in parser.texts if sources.english(text)}


@pytest.mark.parametrize("backend", ["sqlite"])  # the pages are the same on both engines
@pytest.mark.parametrize("locale", ["sv", "da"])
def test_every_page_speaks_the_reader_s_language(app, make_user, locale):
    load_demo(app)
    with app.app_context():
        args = sample_args()
    sources = untranslated_sources(locale)
    client = app.test_client()
    found: dict[str, set[str]] = {}
    walked = 0

    def walk(rules) -> None:
        nonlocal walked
        for rule in rules:
            if "GET" not in rule.methods or rule.endpoint in NO_PAGE:
                continue
            response = client.get(url(rule, args), headers={"Accept-Language": locale})
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            walked += 1
            body = response.get_data(as_text=True)
            assert f'lang="{locale}"' in body, rule.rule
            if english := english_on(body, sources):
                found[rule.rule] = english

    walk(public_rules(app))
    login(client, make_user("admin"))
    walk(staff_rules(app))
    assert walked > 60  # the walk reached the pages, not a sign-in page
    assert not found, "\n".join(f"{rule}: {sorted(texts)}" for rule, texts in sorted(found.items()))


def test_the_walk_sees_english_where_it_is():
    """The check itself: a frozen English option is caught, its translation and user data are not."""
    sources = untranslated_sources("sv")
    page = ('<select><option value="open_meeting">Open meeting</option><option>Öppet möte</option></select>'
            '<button aria-label="Close">x</button><textarea>Open meeting</textarea><input value="Close">'
            '<p>Page 2 of 3</p><p>Sida 2 av 3</p>')
    assert english_on(page, sources) == {"Open meeting", "Close", "Page 2 of 3"}
