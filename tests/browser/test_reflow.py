"""Reflow (WCAG 2.1 AA 1.4.10): no page scrolls sideways at 360 CSS pixels.

One browser page walks every GET route of the URL map, with real objects behind its parameters (the
access walk's samples, tests/routes.py): the public pages first, then the staff pages signed in as an
admin. A route that is not in NO_PAGE (tests/routes.py) is walked, so a new page is checked without anyone listing it.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from dialogue.core import services
from dialogue.extensions import db
from tests.browser.conftest import check_a11y, sign_in
from tests.conftest import PASSWORD, load_demo
from tests.routes import NO_PAGE, public_rules, sample_args, staff_rules, url

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 740}

# The width the page scrolls to, the elements that stick out past its right edge (outermost only), and
# whether a box on the page scrolls sideways by itself.
OVERFLOW = """() => {
  const edge = Math.min(window.innerWidth, document.documentElement.clientWidth);
  // inside a box that scrolls or clips by itself (a focusable .table-scroll region): the box that
  // contains a positioned element is its nearest positioned ancestor, which may be outside such a box
  const clipped = el => {
    for (let box = el; box && box !== document.body;) {
      const position = getComputedStyle(box).position;
      if (position === 'fixed') return false;
      let parent = box.parentElement;
      while (position === 'absolute' && parent && parent !== document.body &&
             getComputedStyle(parent).position === 'static') parent = parent.parentElement;
      if (!parent || parent === document.body) return false;
      if (getComputedStyle(parent).overflowX !== 'visible') return true;
      box = parent;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].map(c => '.' + c).join('');
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().right <= edge + 0.5 || clipped(el)) continue;
    if (wide.some(outer => outer.contains(el))) continue;
    wide.push(el);
  }
  const scrolls = [...document.body.querySelectorAll('*')].some(el => el.scrollWidth > el.clientWidth + 1 &&
    ['auto', 'scroll'].includes(getComputedStyle(el).overflowX));
  return {edge, scrolls, scroll: document.documentElement.scrollWidth,
          wide: wide.slice(0, 4).map(el => `${name(el)} (${Math.round(el.getBoundingClientRect().right)} px)`)};
}"""


@pytest.fixture
def walk(live_server) -> dict:
    """The demo with the access walk's sample objects, an admin, an export job of the admin's own, and the
    admin as a coder of the sample agreement round, which both coders have finished (so that its coding and
    settling pages open)."""
    from dialogue.coding.models import AgreementRound
    from dialogue.core.base import utcnow
    from dialogue.exports.models import ExportJob

    load_demo(live_server.app, sample_responses=60)  # answers fill the report and results pages
    with live_server.app.app_context():
        args = sample_args()
        admin = services.create_user("admin@test.example", PASSWORD, "admin")
        db.session.flush()
        job = ExportJob(user_id=admin.id, submission_key="reflow-job", dataset="codebook", format="csv",
                        filename="codebook.csv")
        db.session.add(job)
        db.session.commit()
        args["job_id"] = job.id  # the sample job is another user's, a 404 page
        agreement_round = db.session.get(AgreementRound, args["round_id"])
        agreement_round.coder_a_id = admin.id
        for item in agreement_round.items:
            item.a_done_at = item.b_done_at = utcnow()
        db.session.commit()
    return args


def _pages(rules) -> list:
    return [rule for rule in rules if "GET" in rule.methods and rule.endpoint not in NO_PAGE]


def _check(page, address: str, failures: list[str], axe: bool) -> None:
    response = page.goto(address)
    if response is None or response.status != 200 or urlsplit(page.url).path != urlsplit(address).path:
        status = response.status if response else "no answer"
        failures.append(f"{address}: {status} at {page.url} (give it a real page or add it to NO_PAGE)")
        return
    found = page.evaluate(OVERFLOW)
    if found["scroll"] > found["edge"] or found["wide"]:
        failures.append(f"{address}: {found['scroll']} px wide for {found['edge']}: {', '.join(found['wide'])}")
    if found["scrolls"] and (stuck := _unreachable_scrolling(page)):
        failures.append(f"{address}: scrolls by itself but no key reaches it: {', '.join(stuck)}")
    if axe:
        try:
            check_a11y(page)
        except AssertionError as violations:
            failures.append(f"{address}: {violations}")


def _unreachable_scrolling(page) -> list[str]:
    """axe's rule for a box that scrolls by itself (a wide table's region): the keyboard must reach it."""
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    return page.evaluate("""() => axe.run(document, {runOnly: ['scrollable-region-focusable'],
                                                    resultTypes: ['violations']})
        .then(results => results.violations.flatMap(v => v.nodes.map(n => n.target.join(' '))))""")


@pytest.mark.parametrize("locale", ["sv-SE", "da-DK"])
def test_no_page_scrolls_sideways_at_360_px(playwright_browser, live_server, walk, locale):
    """In Swedish and in Danish, whose long compound words are what a narrow column has to break; in
    Swedish every page also goes through axe (the markup is the same in every language), so that a page
    no other browser test opens is checked too."""
    axe = locale == "sv-SE"
    context = playwright_browser.new_context(base_url=live_server.url, locale=locale, viewport=NARROW,
                                             device_scale_factor=1)
    page = context.new_page()
    app = live_server.app
    failures: list[str] = []
    started = time.monotonic()
    try:
        public = _pages(public_rules(app))
        for rule in public:
            _check(page, url(rule, walk), failures, axe)
        sign_in(page, "admin@test.example")
        staff = _pages(staff_rules(app))
        for rule in staff:
            _check(page, url(rule, walk), failures, axe)
        assert page.locator("html").get_attribute("lang") == locale[:2]  # the walk was in that language
    finally:
        context.close()
    print(f"reflow walk ({locale}): {len(public)} public and {len(staff)} staff pages in "
          f"{time.monotonic() - started:.1f} s")
    assert len(public) > 10 and len(staff) > 40
    assert not failures, f"{len(failures)} of the pages fail at {NARROW['width']} px:\n" + "\n".join(failures)
