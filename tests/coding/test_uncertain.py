"""The coding queue's "most uncertain first" order: the smallest margin between the first two suggestions first."""

from __future__ import annotations

import re

import sqlalchemy as sa

from dialogue.coding.models import Suggestion
from dialogue.extensions import db
from tests.coding.test_suggest import load, run_suggestions
from tests.conftest import login


def margins(app, ids: list[int]) -> dict[int, float]:
    """The first suggestion's likelihood less the second's, per contribution that has suggestions."""
    with app.app_context():
        rows = db.session.execute(sa.select(Suggestion.contribution_id, Suggestion.rank, Suggestion.score)
                                  .where(Suggestion.rank <= 2, Suggestion.contribution_id.in_(ids))).all()
    scores: dict[int, dict[int, float]] = {}
    for contribution_id, rank, score in rows:
        scores.setdefault(contribution_id, {})[rank] = score
    return {cid: ranks[1] - ranks.get(2, 0.0) for cid, ranks in scores.items()}


def test_the_queue_puts_the_most_uncertain_contributions_first(app, client, make_user, municipality):
    ids = load(app, [
        ("Skolorna behöver fler lärare och skolgården är trist.", 0),
        ("Bussen och tåget, och kanske skolan.", 0),
        ("Naturen och sjöarna, företagen, skolorna och bussarna.", 0),
        ("Det är så, och det är det.", 0),  # nothing to suggest: last
        ("Hållbar utveckling vid sjöarna i det sjörika landskapet.", 0),
    ])
    run_suggestions(app)
    margin = margins(app, ids)
    assert ids[3] not in margin and len(set(margin.values())) == 4
    expected = sorted((cid for cid in ids if cid in margin), key=lambda cid: (margin[cid], cid)) + [ids[3]]
    login(client, make_user("analyst"))
    html = client.get("/staff/coding/?order=uncertain&lang=en").get_data(as_text=True)
    shown = [int(found) for found in re.findall(r'href="/staff/coding/(\d+)\?', html)]
    assert [cid for cid in shown if cid in ids] == [cid for cid in expected if cid in shown]
    assert "Most uncertain first" in html and 'value="uncertain" selected' in html
    # the workspace walks the same order, and keeps it in its links
    middle = expected[1]
    page = client.get(f"/staff/coding/{middle}?order=uncertain&lang=en").get_data(as_text=True)
    assert f'/staff/coding/{expected[0]}?order=uncertain' in page
    assert f'/staff/coding/{expected[2]}?order=uncertain' in page
    # the default order is unchanged: oldest first
    html = client.get("/staff/coding/?lang=en").get_data(as_text=True)
    shown = [int(found) for found in re.findall(r'href="/staff/coding/(\d+)"', html)]
    assert shown == sorted(shown)
