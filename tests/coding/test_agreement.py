"""Agreement rounds: the sample, blind coding, who may see what, kappa, and settling into real codes."""

from __future__ import annotations

import random
import re

import pytest
import sqlalchemy as sa

from dialogue.coding import agreement
from dialogue.coding.agreement import Table
from dialogue.coding.models import AgreementCode, AgreementItem, AgreementRound, Coding, Contribution
from dialogue.coding.services import set_codes
from dialogue.core.models import AuditEvent, User
from dialogue.extensions import db
from dialogue.vision.models import Vision, VisionNode
from tests.conftest import csrf_token, login
from tests.questionnaires.helpers import answer_all

NEW = "/staff/coding/agreement/new?lang=en"


# -- kappa, by hand and against scikit-learn (no database) ---------------------------------------------

def test_kappa_of_a_textbook_table():
    # 50 decisions: 20 both yes, 5 only A, 10 only B, 15 both no.
    # p_o = 35/50 = 0.7; A says yes 25/50, B 30/50; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4
    table = Table(both=20, only_a=5, only_b=10, neither=15)
    assert float(table.observed()) == pytest.approx(0.7)
    assert float(table.expected()) == pytest.approx(0.5)
    assert table.kappa() == pytest.approx(0.4)
    assert agreement.interpretation(table.kappa()) == "fair"


def test_kappa_perfect_chance_and_undefined():
    assert Table(both=3, neither=7).kappa() == pytest.approx(1.0)
    # every decision "no" by both: chance agreement is 1, so kappa is not defined (observed still is)
    assert Table(neither=9).kappa() is None and Table(neither=9).observed() == 1
    assert Table().kappa() is None and Table().observed() is None
    # total disagreement with balanced marginals gives -1
    assert Table(only_a=5, only_b=5).kappa() == pytest.approx(-1.0)
    assert agreement.interpretation(-0.3) == "poor (less than chance)"
    assert agreement.interpretation(0) == "slight"
    assert agreement.interpretation(0.85) == "almost perfect"
    assert agreement.interpretation(None) == ""


@pytest.mark.parametrize("seed", range(25))
def test_kappa_matches_scikit_learn(seed):
    from sklearn.metrics import cohen_kappa_score

    rng = random.Random(seed)
    n = rng.randint(2, 60)
    bias = rng.random()
    a = [rng.random() < bias for _ in range(n)]
    b = [x if rng.random() < 0.7 else rng.random() < 0.5 for x in a]
    table = Table()
    for x, y in zip(a, b, strict=True):
        table.add(x, y)
    if len(set(a) | set(b)) == 1:
        assert table.kappa() is None
    else:
        assert table.kappa() == pytest.approx(cohen_kappa_score(a, b))


def test_pooled_kappa_is_the_kappa_of_all_decisions_together():
    from sklearn.metrics import cohen_kappa_score

    rng = random.Random(7)
    tables, all_a, all_b = [], [], []
    for _block in range(4):
        table = Table()
        for _item in range(30):
            x, y = rng.random() < 0.3, rng.random() < 0.3
            table.add(x, y)
            all_a.append(x)
            all_b.append(y)
        tables.append(table)
    pooled = Table()
    for table in tables:
        pooled += table
    assert pooled.n == 120
    assert pooled.kappa() == pytest.approx(cohen_kappa_score(all_a, all_b))


def test_sample_size_is_the_percent_rounded_up_and_at_least_one():
    assert agreement.sample_size(200, 10) == 20
    assert agreement.sample_size(15, 10) == 2
    assert agreement.sample_size(3, 1) == 1
    assert agreement.sample_size(7, 100) == 7
    assert agreement.sample_size(0, 10) == 0


# -- helpers for the database tests ---------------------------------------------------------------------

def _contributions(app, count: int = 8) -> list[int]:
    """*count* contributions from questionnaire answers (four free-text answers per response)."""
    client = app.test_client()
    for n in range((count + 3) // 4):
        answer_all(app, client, texts=tuple(f"Svar {n}-{i}" for i in range(4)))
        client = app.test_client()
    with app.app_context():
        return list(db.session.scalars(sa.select(Contribution.id).order_by(Contribution.id)))


def _blocks(app) -> list[int]:
    from dialogue.coding.services import codable_nodes

    with app.app_context():
        vision = db.session.scalar(sa.select(Vision).order_by(Vision.id))
        return [node.id for node in codable_nodes(vision)]


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.email == email))


def _create(app, client, a: str, b: str, percent: str = "50", name: str = "Första rundan"):
    with app.app_context():
        vision_id = db.session.scalar(sa.select(Vision.id).order_by(Vision.id))
    # the same form key for the same name: posting twice is a double click
    data = {"csrf_token": csrf_token(client, NEW), "name": name, "vision_id": str(vision_id),
            "sample_percent": percent, "coder_a": str(_user_id(app, a)) if a else "",
            "coder_b": str(_user_id(app, b)) if b else "", "key": "k-" + name}
    return client.post(NEW, data=data)


def _round(app) -> tuple[int, list[int]]:
    with app.app_context():
        agreement_round = db.session.scalar(sa.select(AgreementRound).order_by(AgreementRound.id.desc()))
        return agreement_round.id, [item.id for item in agreement_round.items]


def _code(client, round_id: int, item_id: int, nodes: list[int], then: str = "next"):
    url = f"/staff/coding/agreement/{round_id}/items/{item_id}"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "node": [str(n) for n in nodes],
                                  "then": then})


@pytest.fixture
def people(app, make_user, municipality):
    """An admin, coders A and B, a third analyst and an organizer, each with a signed-in client."""
    emails = {"admin": make_user("admin"), "a": make_user("analyst"), "b": make_user("analyst"),
              "third": make_user("analyst"), "organizer": make_user("organizer")}
    clients = {}
    for who, email in emails.items():
        clients[who] = app.test_client()
        login(clients[who], email)
    return emails, clients


# -- creating a round -----------------------------------------------------------------------------------

def test_admin_draws_a_sample_of_the_percent_without_duplicates_or_hidden(app, people):
    emails, clients = people
    ids = _contributions(app, 12)
    with app.app_context():
        hidden = db.session.get(Contribution, ids[0])
        hidden.hidden = True
        db.session.commit()
    response = _create(app, clients["admin"], emails["a"], emails["b"], percent="50")
    assert response.status_code == 302
    round_id, items = _round(app)
    assert response.headers["Location"].endswith(f"/staff/coding/agreement/{round_id}")
    with app.app_context():
        drawn = list(db.session.scalars(sa.select(AgreementItem.contribution_id)
                                        .where(AgreementItem.round_id == round_id)))
        assert len(drawn) == len(set(drawn)) == 6  # 50 % of the 11 visible, rounded up
        assert ids[0] not in drawn and set(drawn) <= set(ids)
        details = db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "agreement.create"))
        assert details["items"] == 6 and details["percent"] == 50
        assert emails["a"] not in str(details)  # ids, never addresses


def test_the_draw_is_random(app, make_user, municipality):
    ids = _contributions(app, 40)
    emails = make_user("analyst"), make_user("analyst")
    with app.app_context():
        vision = db.session.scalar(sa.select(Vision))
        a, b = (db.session.scalar(sa.select(User).where(User.email == email)) for email in emails)
        draws = set()
        for n in range(5):
            agreement_round = agreement.create_round(vision=vision, name=f"R{n}", percent=25, coder_a=a, coder_b=b,
                                                     created_by=a, submission_key=f"key-{n}")
            draws.add(tuple(item.contribution_id for item in agreement_round.items))
        db.session.rollback()
    assert len(draws) > 1 and all(len(d) == 10 and set(d) <= set(ids) for d in draws)


def test_a_double_click_draws_one_round(app, people):
    emails, clients = people
    _contributions(app, 4)
    _create(app, clients["admin"], emails["a"], emails["b"])
    _create(app, clients["admin"], emails["a"], emails["b"])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgreementRound)) == 1


@pytest.mark.parametrize(("percent", "same", "message"), [
    ("0", False, "between 1 and 100"), ("101", False, "between 1 and 100"), ("ten", False, "integer"),
    ("10", True, "two different people"),
])
def test_bad_round_forms_are_refused_and_kept(app, people, percent, same, message):
    emails, clients = people
    _contributions(app, 4)
    response = _create(app, clients["admin"], emails["a"], emails["a"] if same else emails["b"], percent=percent,
                       name="Behållet namn")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and 'class="error-summary"' in page and "Behållet namn" in page
    assert f'value="{percent}"' in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgreementRound)) == 0


def test_no_contributions_and_missing_coder_are_clear_errors(app, people):
    emails, clients = people
    page = _create(app, clients["admin"], emails["a"], emails["b"]).get_data(as_text=True)
    assert "no contributions to draw a sample from" in page
    _contributions(app, 4)
    page = _create(app, clients["admin"], emails["a"], "").get_data(as_text=True)
    assert "Choose coder B" in page and 'href="#coder_b"' in page


def test_only_admins_create_rounds(app, people):
    _emails, clients = people
    assert clients["a"].get(NEW).status_code == 403
    assert clients["organizer"].get(NEW).status_code == 403


# -- blind coding and permissions -----------------------------------------------------------------------

@pytest.fixture
def started(app, people):
    """A round of 4 items between coders a and b."""
    emails, clients = people
    _contributions(app, 4)
    _create(app, clients["admin"], emails["a"], emails["b"], percent="100")
    round_id, items = _round(app)
    return round_id, items, emails, clients


def _checked(page: str) -> set[int]:
    return {int(m) for m in re.findall(r'id="node-(\d+)"[^>]*checked', page)}


def test_coder_a_never_sees_coder_b_or_the_real_codes(app, started):
    round_id, items, _emails, clients = started
    block = _blocks(app)
    _code(clients["b"], round_id, items[0], [block[2], block[3]])
    b_id = _user_id(app, _emails["b"])
    with app.app_context():  # a real code from the main workspace on the same contribution
        contribution = db.session.get(Contribution, db.session.get(AgreementItem, items[0]).contribution_id)

        set_codes(contribution, {block[4]}, db.session.get(User, b_id), "Hemlig anteckning")
        db.session.commit()
    _code(clients["a"], round_id, items[0], [block[0]], then="stay")
    page = clients["a"].get(f"/staff/coding/agreement/{round_id}/items/{items[0]}").get_data(as_text=True)
    assert _checked(page) == {block[0]}
    assert "Hemlig anteckning" not in page
    page_b = clients["b"].get(f"/staff/coding/agreement/{round_id}/items/{items[0]}").get_data(as_text=True)
    assert _checked(page_b) == {block[2], block[3]}
    # nor may a coder open the results before both have finished
    response = clients["a"].get(f"/staff/coding/agreement/{round_id}/results")
    assert response.status_code == 302


def test_the_main_workspace_sends_a_coder_to_the_round_until_results_open(app, started):
    round_id, items, _emails, clients = started
    with app.app_context():
        contribution_id = db.session.get(AgreementItem, items[0]).contribution_id
    for coder in ("a", "b"):
        response = clients[coder].get(f"/staff/coding/{contribution_id}")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/agreement/{round_id}/items/{items[0]}")
    # the admin, who does not code in this round, works in the workspace as ever
    assert clients["admin"].get(f"/staff/coding/{contribution_id}").status_code == 200
    _finish(app, started)
    assert clients["a"].get(f"/staff/coding/{contribution_id}").status_code == 200


def test_third_analyst_and_organizer_get_403(app, started):
    round_id, items, _emails, clients = started
    for who in ("third", "organizer"):
        for url in (f"/staff/coding/agreement/{round_id}", f"/staff/coding/agreement/{round_id}/items/{items[0]}",
                    f"/staff/coding/agreement/{round_id}/results"):
            assert clients[who].get(url).status_code == 403, (who, url)
    url = f"/staff/coding/agreement/{round_id}/items/{items[0]}"
    token = csrf_token(clients["a"], url)
    assert clients["third"].post(url, data={"csrf_token": token, "node": [str(_blocks(app)[0])]}).status_code in (
        400, 403)
    assert "Första rundan" not in clients["third"].get("/staff/coding/agreement/").get_data(as_text=True)
    assert clients["organizer"].get("/staff/coding/agreement/").status_code == 403
    for who in ("third", "a"):
        assert clients[who].get(f"/staff/coding/agreement/{round_id}/items/{items[0]}/settle").status_code == 403


def test_my_rounds_and_my_items(app, started):
    round_id, items, emails, clients = started
    listing = clients["b"].get("/staff/coding/agreement/?lang=en").get_data(as_text=True)
    assert "Första rundan" in listing and "you are coder B" in listing
    _code(clients["b"], round_id, items[0], [])
    page = clients["b"].get(f"/staff/coding/agreement/{round_id}?lang=en").get_data(as_text=True)
    assert "You have coded 1 of 4." in page and "Svar 0-0" in page
    assert f'href="/staff/coding/agreement/{round_id}/items/{items[1]}">Continue coding' in page.replace(
        'class="button" ', "")


def test_admin_watches_progress_but_does_not_code(app, started):
    round_id, items, _emails, clients = started
    _code(clients["a"], round_id, items[0], [_blocks(app)[0]])
    page = clients["admin"].get(f"/staff/coding/agreement/{round_id}?lang=en").get_data(as_text=True)
    assert "Coder A" in page and "<td>1</td>" in page
    response = clients["admin"].get(f"/staff/coding/agreement/{round_id}/items/{items[0]}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/agreement/{round_id}")


def test_save_and_next_marks_done_even_with_no_block(app, started):
    round_id, items, _emails, clients = started
    response = _code(clients["a"], round_id, items[0], [])
    assert response.headers["Location"].endswith(f"/items/{items[1]}")
    with app.app_context():
        item = db.session.get(AgreementItem, items[0])
        assert item.a_done_at is not None and item.b_done_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgreementCode)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)) == 0  # never real codes
    for item_id in items[1:]:
        response = _code(clients["a"], round_id, item_id, [])
    assert response.headers["Location"].endswith(f"/staff/coding/agreement/{round_id}")


def test_blocks_outside_the_vision_are_ignored(app, started):
    round_id, items, _emails, clients = started
    _code(clients["a"], round_id, items[0], [999999])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgreementCode)) == 0


def test_unknown_round_or_item_of_another_round_is_404(app, started):
    round_id, items, _emails, clients = started
    assert clients["a"].get("/staff/coding/agreement/999999").status_code == 404
    assert clients["a"].get(f"/staff/coding/agreement/{round_id}/items/999999").status_code == 404


# -- results, settling, closing -------------------------------------------------------------------------

def _finish(app, started):
    """A codes block 0 on every item; B agrees on items 0 and 1, chooses block 1 on item 2 and nothing on item 3."""
    round_id, items, _emails, clients = started
    block = _blocks(app)
    for item_id in items:
        _code(clients["a"], round_id, item_id, [block[0]])
    for item_id, nodes in zip(items, ([block[0]], [block[0]], [block[1]], []), strict=True):
        _code(clients["b"], round_id, item_id, nodes)
    return block


def test_results_show_kappa_and_the_disagreements(app, started):
    round_id, items, _emails, clients = started
    block = _finish(app, started)
    with app.app_context():
        outcome = agreement.results(db.session.get(AgreementRound, round_id))
    tables = {node.id: table for node, table in outcome.blocks}
    # block 0: A yes on all 4, B yes on 2: both 2, only A 2; p_e = 1*0.5 + 0 = 0.5, p_o = 0.5 -> kappa 0
    assert (tables[block[0]].both, tables[block[0]].only_a, tables[block[0]].neither) == (2, 2, 0)
    assert tables[block[0]].kappa() == pytest.approx(0.0)
    # block 1: only B once; A never; p_o = 3/4, p_e = 0*0.25 + 1*0.75 = 0.75 -> kappa 0
    assert tables[block[1]].kappa() == pytest.approx(0.0)
    # blocks nobody chose: not defined
    assert tables[block[5]].kappa() is None
    assert sorted(outcome.disagreements) == sorted(items[2:])
    page = clients["a"].get(f"/staff/coding/agreement/{round_id}/results?lang=en").get_data(as_text=True)
    assert "not defined" in page and "Landis" in page and "Disagreements to settle" in page
    assert "Settle</a>" not in page.replace("<span", "\n<span")  # coders see, but only admins settle
    admin_page = clients["admin"].get(f"/staff/coding/agreement/{round_id}/results?lang=en").get_data(as_text=True)
    assert admin_page.count(f"/staff/coding/agreement/{round_id}/items/") == 2


def test_codes_freeze_once_both_have_finished(app, started):
    round_id, items, _emails, clients = started
    block = _finish(app, started)
    response = _code(clients["a"], round_id, items[3], [block[5]])
    assert response.status_code == 302
    a_id = _user_id(app, _emails["a"])
    with app.app_context():
        assert agreement.own_codes(db.session.get(AgreementItem, items[3]), a_id) == {block[0]}


def test_settling_writes_real_codes_and_is_audited(app, started):
    round_id, items, _emails, clients = started
    block = _finish(app, started)
    url = f"/staff/coding/agreement/{round_id}/items/{items[2]}/settle"
    page = clients["admin"].get(url).get_data(as_text=True)
    assert _checked(page) == set()  # nothing both chose
    with app.app_context():
        contribution_id = db.session.get(AgreementItem, items[2]).contribution_id
    response = clients["admin"].post(url, data={"csrf_token": csrf_token(clients["admin"], url),
                                                "node": [str(block[0]), str(block[1]), "junk"]})
    assert response.status_code == 302
    with app.app_context():
        assert agreement.real_codes(contribution_id) == {block[0], block[1]}
        assert db.session.get(AgreementItem, items[2]).settled_at is not None
        assert db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "agreement.settle")) == {
            "contribution": contribution_id, "added": 2, "removed": 0}
    # an item with no disagreement that a coder has not finished cannot be settled
    assert clients["admin"].post(url.replace(str(items[2]), str(items[0])), data={
        "csrf_token": csrf_token(clients["admin"], url)}).status_code == 302


def test_settling_needs_both_coders_done(app, started):
    round_id, items, _emails, clients = started
    _code(clients["a"], round_id, items[0], [_blocks(app)[0]])
    url = f"/staff/coding/agreement/{round_id}/items/{items[0]}/settle"
    response = clients["admin"].post(url, data={"csrf_token": csrf_token(clients["admin"], "/staff/"),
                                                "node": [str(_blocks(app)[0])]})
    assert response.status_code == 302 and "/results" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)) == 0


def test_closing_freezes_the_round(app, started):
    round_id, items, _emails, clients = started
    url = f"/staff/coding/agreement/{round_id}/close"
    assert clients["a"].post(url, data={"csrf_token": csrf_token(clients["a"], "/staff/")}).status_code == 403
    clients["admin"].post(url, data={"csrf_token": csrf_token(clients["admin"], "/staff/")})
    _code(clients["a"], round_id, items[0], [_blocks(app)[0]])
    with app.app_context():
        assert db.session.get(AgreementRound, round_id).closed_at is not None
        assert db.session.get(AgreementItem, items[0]).a_done_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "agreement.close")) == 1
    # once closed, the coders may read the results
    assert clients["a"].get(f"/staff/coding/agreement/{round_id}/results").status_code == 200


def test_post_without_csrf_is_refused(app, started):
    round_id, items, _emails, clients = started
    response = clients["a"].post(f"/staff/coding/agreement/{round_id}/items/{items[0]}", data={"node": ["1"]})
    assert response.status_code == 400


def test_an_admin_who_codes_stays_blind(app, people):
    emails, clients = people
    _contributions(app, 4)
    _create(app, clients["admin"], emails["admin"], emails["b"], percent="100")
    round_id, items = _round(app)
    block = _blocks(app)
    _code(clients["b"], round_id, items[0], [block[3]])
    _code(clients["admin"], round_id, items[0], [block[0]])
    base = f"/staff/coding/agreement/{round_id}"
    for url in (f"{base}/results", f"{base}/items/{items[0]}/settle"):
        response = clients["admin"].get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/agreement/{round_id}"), url
    page = clients["admin"].get(f"/staff/coding/agreement/{round_id}/items/{items[0]}").get_data(as_text=True)
    assert _checked(page) == {block[0]}


def test_blocks_archived_since_still_count(app, started):
    round_id, items, _emails, clients = started
    block = _finish(app, started)
    with app.app_context():
        db.session.get(VisionNode, block[1]).archived = True
        db.session.commit()
        agreement_round = db.session.get(AgreementRound, round_id)
        nodes = agreement.round_nodes(agreement_round)
        assert nodes[-1].id == block[1] and block[1] not in [n.id for n in nodes[:-1]]
        tables = {node.id: table for node, table in agreement.results(agreement_round).blocks}
        assert tables[block[1]].only_b == 1
