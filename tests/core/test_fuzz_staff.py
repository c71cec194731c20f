"""Every staff form against generated input (Hypothesis), signed in as an admin, on both engines: never a
server error.

The fields of each form are read from the pages, the way a browser sees them: every staff page is fetched
once with real objects behind its address (tests/routes.py), and each form found is filed under the route
its action leads to, so a button on another page (publish, check in, delete) counts as well as a form on its
own page. Each field then gets generated values besides the page's own: the adversarial values of the public
walk (tests/fuzz_values.py), values of the wrong kind for its type (impossible dates, a decimal comma, huge
and negative numbers), choices the form does not offer, a name sent twice or left out, and files where one is
expected (empty, not an image, truncated, large within the limits). The CSRF token is always the real one,
so that the form is parsed and checked. The number of examples is fixed and the run derandomized.
"""

from __future__ import annotations

import inspect
import re
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urljoin, urlsplit

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import AnyConverter
from werkzeug.test import encode_multipart

from dialogue.core import services
from dialogue.extensions import db
from tests.conftest import PASSWORD, csrf_token, load_demo, login
from tests.fuzz_values import EDGES, urlencoded, value_strategy
from tests.routes import NO_PAGE, sample_args, staff_rules, url

EXAMPLES = 6  # generated, per route (besides the explicit examples below)

NUMBERS = ["-1", "-99999999999999999999", "99999999999999999999", "1e400", "1,5", "3,14", "0,0001", "1 000",
           "-0", "0.000000000001", "1_000", "٣"]
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "0000-00-00", "26-1-1", "2026-02-28T10:00",
         "31.12.2026", "10000-01-01"]
DATETIMES = ["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "2026-01-01T25:61", "2026-01-01",
             "T", "2026-01-01 10:00", "2026-01-01T10:00:00+05:00", "9999-12-31T23:59:59.999999"]
BLANK = ["", " ", "\t", " \r\n ", "\u00a0", "\u3000"]
LONG = ["x" * 100_000, ("word " * 20_000).strip(), "a\n" * 20_000]
UNKNOWN_CHOICES = ["__none__", "0", "-1", str(2**31), "None", "true", "on"]
STAFF_ODD = NUMBERS + DATES + DATETIMES + BLANK + LONG + UNKNOWN_CHOICES

PNG = b"\x89PNG\r\n\x1a\n"
FILES = [(b"", "empty.png"), (b"not an image at all", "logo.png"), (PNG + b"\x00" * 64, "truncated.png"),
         (b"\xff\xd8\xff" + b"\x00" * 64, "truncated.jpg"), (b"GIF89a" + b"\x00" * 64, "image.gif"),
         (b"\xff\xfe\x00b\x00a\x00d", "utf16.csv"), (b"\xc0\x80\xff;,\n\x00", "binary.csv"),
         (b"- [\n  {a: ", "broken.yaml"), (b"!!python/object/apply:os.system ['true']", "unsafe.yaml"),
         (b"a,b,c\n" + b"1,2\n" * 10, "ragged.csv"), (b"x" * 1_100_000, "large.csv"),
         (b"[" * 100_000, "deep.json"), (b"slug: x\nname: {sv: X}\nnodes: " + b"[" * 5000, "deep.yaml"),
         (b'{"values": [{"kpi": "\\u0000", "municipality": 1e999, "period": [], "values": [{"gender": "T", '
          b'"value": "NaN"}]}]}', "odd.json"),
         (b'{"values": [{"kpi": "X1", "municipality": "0685", "period": 2024, "values": [{"gender": "T", '
          b'"value": [1]}]}]}', "list.json"),
         (b'slug: "a\\0b"\nname: {sv: "\\0"}\nnodes: [{kind: vision, title: {sv: "\\0"}}]', "nul.yaml"),
         (b"indicator;period;value\n\x00;2024;1\n1;9999Q9;1e999\n", "odd.csv"),
         (b'locality;age_band;count\n"' + b"x;" * 100_000, "quote.csv"),  # a quotation mark never closed
         (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "logo.svg")]
# the same edge in every field at once, so that none is left to chance (besides the public walk's EDGES)
STAFF_EDGES = ["2026-02-30", "1,5", "-99999999999999999999", " "]
# and in the page's own request, every field of a kind at once at the ends of what it may hold (each file in
# every file field), where the rest of the form is as a browser sends it and passes its checks
KIND_EDGES = {"date": ["0001-01-01", "9999-12-31"], "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"],
              "number": ["1e400", "NaN", "-99999999999999999999", "1,5"], "file": FILES}


class Forms(HTMLParser):
    """The POST forms of a page: action and fields (name, type, the values the page offers)."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.current: dict | None = None
        self.select: tuple[dict, str] | None = None

    def field(self, form: dict | None, name: str | None, kind: str, value: str | None, required=False) -> None:
        if form is None or not name:
            return
        entry = form["fields"].setdefault(name, {"kind": kind, "values": [], "required": False})
        entry["required"] |= required
        if value is not None and value not in entry["values"]:
            entry["values"].append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        form = self.by_id.get(a.get("form", ""), self.current)
        if tag == "form":
            action = urlsplit(urljoin(self.page_url, a.get("action") or self.page_url)).path
            self.current = {"action": action, "post": (a.get("method") or "").lower() == "post", "fields": {}}
            self.forms.append(self.current)
            if a.get("id"):
                self.by_id[a["id"]] = self.current
        elif tag in ("input", "button"):
            kind = (a.get("type") or ("text" if tag == "input" else "submit")).lower()
            self.field(form, a.get("name"), kind, a.get("value", "on" if kind in ("checkbox", "radio") else ""),
                       "required" in a)
        elif tag == "textarea":
            self.field(form, a.get("name"), "textarea", None, "required" in a)
        elif tag == "select":
            self.field(form, a.get("name"), "select", None)
            self.select = (form, a.get("name"))
        elif tag == "option" and self.select:
            self.field(self.select[0], self.select[1], "select", a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_by_endpoint(app, client, args) -> dict[str, dict[str, dict]]:
    """Every staff page's POST forms, their fields merged per endpoint the action leads to."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, dict[str, dict]] = {}
    for rule in staff_rules(app):
        if "GET" not in rule.methods or rule.endpoint in NO_PAGE:
            continue
        address = url(rule, args)
        page = client.get(address)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        parser = Forms(address)
        parser.feed(page.get_data(as_text=True))
        for form in parser.forms:
            try:
                endpoint, _values = adapter.match(form["action"], method="POST")
            except HTTPException:
                continue
            if not form["post"]:
                continue
            fields = found.setdefault(endpoint, {})
            for name, entry in form["fields"].items():
                merged = fields.setdefault(name, {"kind": entry["kind"], "values": [], "required": entry["required"]})
                merged["values"] += [v for v in entry["values"] if v not in merged["values"]]
    return found


READS = re.compile(r"""request\.form(?:\.get|\.getlist|\.get\(|)\(?\[?["']([^"']+)["']""")
KINDS = {"FileField": "file", "MultipleFileField": "file", "DateField": "date", "DateTimeLocalField": "datetime-local",
         "IntegerField": "number", "DecimalField": "number", "FloatField": "number", "BooleanField": "checkbox"}


def fields_of_the_view(app, endpoint: str) -> dict[str, dict]:
    """The names a view reads: the fields of the WTForms forms it uses and what it reads from request.form.
    For forms no page shows in the demo's state (a draft's publish button, a coder's own round) and for
    fields a page leaves out in that state."""
    view = inspect.unwrap(app.view_functions[endpoint])
    fields = {name: {"kind": "text", "values": [], "required": False}
              for name in READS.findall(inspect.getsource(view))}
    found = [view.__globals__.get(name) for name in view.__code__.co_names]
    with app.test_request_context():
        for cls in found:
            if isinstance(cls, type) and issubclass(cls, FlaskForm):
                for field in cls(meta={"csrf": False}):
                    choices = [str(c[0]) for c in getattr(field, "choices", None) or [] if isinstance(c, tuple)]
                    fields[field.name] = {"kind": KINDS.get(field.type, "select" if choices else "text"),
                                          "values": choices, "required": bool(field.flags.required)}
    return fields


def field_values(name: str, kind: str, offered: list[str], generic) -> st.SearchStrategy:
    """What one field may get; a file input gets files (and now and then text instead)."""
    if kind == "file":
        return st.one_of(st.sampled_from(FILES), st.binary(max_size=300).map(lambda b: (b, "generated.csv")),
                         generic)
    own = {"number": NUMBERS, "range": NUMBERS, "date": DATES, "datetime-local": DATETIMES,
           "month": DATES, "time": DATETIMES}.get(kind, BLANK)
    strategies = [st.sampled_from(own), st.sampled_from(STAFF_ODD), generic]
    if offered:
        strategies.insert(0, st.sampled_from(offered))
    return st.one_of(*strategies)


# what a person would type where the page offers nothing (a new object's empty form), so that a form can pass
# its checks and the generated values reach the code behind them
PLAUSIBLE = {"email": "prov@example.se", "number": "1", "date": "2026-06-01", "datetime-local": "2026-06-01T10:00",
             "url": "https://example.se", "color": "#005a8c", "month": "2026-06", "textarea": "Prov"}


def as_the_page_has_it(fields: dict[str, dict]) -> dict[str, list]:
    """A browser's own request: each field with the first value the page offers (a checkbox ticked), a
    plausible one where the page requires a value, or nothing typed."""
    own = {}
    for name, entry in fields.items():
        offered = [v for v in entry["values"] if v]
        if entry["kind"] == "file":
            own[name] = [FILES[1]]
        elif offered or entry["kind"] not in ("submit", "radio", "checkbox", "hidden", "select"):
            own[name] = offered[:1] or [PLAUSIBLE.get(entry["kind"], "prov") if entry.get("required") else ""]
    return own


@st.composite
def mutations(draw, fields: dict[str, dict], generic) -> dict[str, list]:
    """The page's own request with one to three fields changed: left out, sent twice, or given odd values."""
    sent = as_the_page_has_it(fields)
    names = sorted(name for name in fields if name != "csrf_token")
    if not names:
        return sent
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)):
        entry = fields[name]
        sent[name] = draw(st.lists(field_values(name, entry["kind"], entry["values"], generic), max_size=3))
    return sent


# Buttons that end or remove the sample objects other forms use (a cancelled event has no check-in, a closed
# round takes no codes) and imports, which replace them (a vision's nodes): they go last, imports at the
# very end. The walk's admin never signs out (core.logout is not a staff rule) and deactivates only the
# sample user, never itself.
ENDING = ("cancel", "close", "delete", "archive", "revoke", "deactivate", "remove", "import")


def addresses(adapter, rule, args) -> list[str]:
    """The route's address with the sample objects, once for each of its words (publish, unpublish)."""
    _endpoint, values = adapter.match(url(rule, args), method="POST")
    combinations = [values]
    for name in rule.arguments:
        if isinstance(rule._converters[name], AnyConverter):
            combinations = [c | {name: word} for c in combinations for word in sorted(rule._converters[name].items)]
    return [rule.build(c, append_unknown=False)[1] for c in combinations]


def order(address: str) -> int:
    last = address.rstrip("/").rpartition("/")[2]
    return ENDING.index(last) + 1 if last in ENDING else 0


@pytest.fixture
def signed_in(app_factory):
    """An admin's session on the demo (rate limits off: the walk sends hundreds of forms a minute)."""
    app = app_factory(RATELIMIT_ENABLED=False)
    load_demo(app)
    with app.app_context():
        args = sample_args()
        services.create_user("fuzz-admin@kommun.example", PASSWORD, "admin")
        db.session.commit()
    client = app.test_client()
    login(client, "fuzz-admin@kommun.example")
    return app, client, args


def test_staff_forms_never_answer_with_a_server_error(signed_in):
    app, client, args = signed_in
    forms = forms_by_endpoint(app, client, args)
    rules = [rule for rule in staff_rules(app) if "POST" in rule.methods]
    assert len(rules) > 50
    for rule in rules:
        forms[rule.endpoint] = fields_of_the_view(app, rule.endpoint) | forms.get(rule.endpoint, {})
    generic = value_strategy(["1", str(args["vision_id"]), str(args["node_id"]), "analyst", "admin", "sv"])
    seen: dict[int, int] = {}

    def send(address: str, sent: dict[str, list], token: str) -> None:
        fields = [("csrf_token", token)] + [(n, v) for n, values in sent.items() if n != "csrf_token" for v in values]
        shown = [(n, f"<file {v[1]}: {v[0][:60]!r}, {len(v[0])} bytes>" if isinstance(v, tuple) else v)
                 for n, v in fields]
        note(f"POST {address} {shown!r:.3000}")
        files = any(isinstance(v, tuple) for _n, v in fields)
        try:
            if files:
                # encoded here, in memory: the test client would spool a large body to a file it never closes
                boundary, body = encode_multipart(MultiDict([
                    (n, FileStorage(BytesIO(v[0]), filename=v[1]) if isinstance(v, tuple) else str(v))
                    for n, v in fields]))
                response = client.post(address, data=body, content_type=f"multipart/form-data; boundary={boundary}")
            else:
                response = client.post(address, data=urlencoded([(n, str(v)) for n, v in fields]),
                                       content_type="application/x-www-form-urlencoded")
        except Exception as error:  # the test app lets a view's exception through
            raise AssertionError(f"POST {address} failed with {shown!r:.3000}") from error
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code < 500, (address, shown)
        assert "/staff/login" not in response.headers.get("Location", ""), f"{address} ended the session"

    def fuzz(rule, address: str) -> None:
        token = csrf_token(client, "/staff/")
        fields = forms[rule.endpoint]
        everything = st.fixed_dictionaries({
            name: st.lists(field_values(name, entry["kind"], entry["values"], generic), max_size=3)
            for name, entry in fields.items() if name != "csrf_token"})
        strategy = st.one_of(mutations(fields, generic), everything)

        @given(sent=strategy)
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        def check(sent):
            send(address, sent, token)

        names = [name for name in fields if name != "csrf_token"]
        check = example(sent=as_the_page_has_it(fields))(check)
        check = example(sent={})(check)  # every field left out
        for value in EDGES + STAFF_EDGES:
            check = example(sent={name: [value] for name in names})(check)
        # each radio button's choice once (a file's format: CSV or Kolada), so that each edge reaches each reader
        own = as_the_page_has_it(fields)
        variants = [own] + [own | {name: [value]} for name in names if fields[name]["kind"] == "radio"
                            for value in fields[name]["values"][1:]]
        for kind, edges in KIND_EDGES.items():
            of_kind = [name for name in names if fields[name]["kind"] == kind]
            for value in edges if of_kind else []:
                for variant in variants:
                    check = example(sent=variant | {name: [value] for name in of_kind})(check)
        check()

    adapter = app.url_map.bind("localhost")
    walk = [(rule, address) for rule in rules for address in addresses(adapter, rule, args)]
    for rule, address in sorted(walk, key=lambda pair: (order(pair[1]), pair[1])):
        fuzz(rule, address)
    # the walk reached real forms: some were saved (a redirect), some answered with their errors
    assert seen.get(302) and (seen.get(200) or seen.get(400) or seen.get(422)), seen
