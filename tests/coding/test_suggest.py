"""Suggestions: the blocks' own words first, then a model that learns from confirmed codes when cross-validation
says it does better; measured honestly; never codes themselves."""

from __future__ import annotations

import random

import numpy as np
import pytest
import sqlalchemy as sa

from dialogue.coding import learn, suggest
from dialogue.coding.models import Channel, Coding, Contribution, Suggestion, SuggestionRun
from dialogue.coding.trace import counts_behind
from dialogue.core.models import AuditEvent, User
from dialogue.extensions import db
from dialogue.vision.models import NodeKind, Vision, VisionNode
from tests.conftest import csrf_token, login

# Words residents might use about each of Flen's nine building blocks, in tree order. Few of them stand in
# the blocks' titles: the model has to learn the rest from the codes.
THEMES = [
    "bygglov blankett etjänst handläggning öppettider telefontid krångel byråkrati svar tillstånd enkelt leva",
    "stolthet natur orter särprägel hembygd kulturarv bruksort kyrkbyn slott identitet bygdegård gamla",
    "bostäder hyresrätt lägenhet tåg pendling buss kollektivtrafik station bredband vägar kommunikationer boende",
    "företag näringsliv entreprenör nyföretagande jobb arbetsplatser industri handel klimat upphandling lokaler",
    "skolor lärare elever betyg undervisning klassrum gymnasiet kvalitet läxhjälp skolgård rektor förskolan",
    "samverkan region grannkommuner utveckling eskilstuna katrineholm projekt eu driver samarbete omvärlden nätverk",
    "sjöar landskap hållbar miljö fiske vatten klimatet solceller återvinning skog badplats ekologisk",
    "turister besökare gästfritt vandrarhem camping evenemang marknad guidning sevärdheter vänligt turism restauranger",
    "grannar gemenskap föreningar omtanke öppenhet ensamhet träffpunkt volontär eldsjälar hjälpas varandra nära",
]
NOISE = ("jag tycker att kommunen borde tänka mer på framtiden och det är viktigt för alla som bor här "
         "många säger ofta att man gärna vill se mer av det under året och varje dag").split()


def block_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(VisionNode.id).where(VisionNode.kind == NodeKind.building_block)
                                       .order_by(VisionNode.position)))


def synthetic(count: int, seed: int = 7) -> list[tuple[str, int]]:
    """(text, block index): two theme words among five noise words; one in six also borrows another theme's word."""
    rng = random.Random(seed)
    themes = [theme.split() for theme in THEMES]
    rows = []
    for n in range(count):
        block = n % len(themes)
        words = rng.sample(themes[block], 2) + rng.sample(NOISE, 5)
        if rng.random() < 1 / 6:
            words.append(rng.choice(themes[(block + rng.randrange(1, len(themes))) % len(themes)]))
        rng.shuffle(words)
        rows.append((" ".join(words).capitalize() + ".", block))
    return rows


def load(app, rows: list[tuple[str, int]], language: str = "sv") -> list[int]:
    with app.app_context():
        result = db.session.execute(sa.insert(Contribution).returning(Contribution.id), [
            {"text": text, "channel": Channel.questionnaire, "language": language} for text, _block in rows])
        ids = list(result.scalars())
        db.session.commit()
        return ids


def code(app, pairs: list[tuple[int, int]], *, from_suggestion: bool = False) -> None:
    with app.app_context():
        coder = db.session.scalar(sa.select(User.id).limit(1))
        db.session.execute(sa.delete(Coding))
        db.session.execute(sa.insert(Coding), [{"contribution_id": c, "node_id": n, "coder_id": coder,
                                                "from_suggestion": from_suggestion} for c, n in pairs])
        db.session.commit()


def run_suggestions(app) -> dict:
    with app.app_context():
        run = suggest.update_suggestions(db.session.scalar(sa.select(Vision)))
        db.session.commit()
        return {column: getattr(run, column) for column in ("source", "codes", "held_out", "precision_at_3",
                                                            "keyword_precision_at_3", "best_precision_at_3",
                                                            "suggested", "measure")}


def suggested(app, contribution_id: int) -> list[tuple[int, int, str]]:
    with app.app_context():
        return list(db.session.execute(sa.select(Suggestion.node_id, Suggestion.rank, Suggestion.source)
                                       .where(Suggestion.contribution_id == contribution_id)
                                       .order_by(Suggestion.rank)).all())


# -- the measure, on sets small enough to count by hand ----------------------------------------------------

def test_hits_at_1_and_3_on_a_set_counted_by_hand():
    tops = [[1, 2, 3], [4, 5, 6], [2, 1, 0], [7, 8, 0], []]
    truths = [{3}, {7}, {2, 9}, {0, 7}, {1}]
    # first: only the third and fourth; among three: the first, third and fourth; nothing suggested is a miss
    assert learn.hits(tops, truths, 1) == 2
    assert learn.hits(tops, truths, 3) == 3
    tally = learn.Tally()
    for ranked, truth, language in zip(tops, truths, ["sv", "sv", "da", "sv", "da"], strict=True):
        tally.add(ranked, truth, language)
    measure = tally.as_dict()
    assert (measure["evaluated"], measure["hits_at_1"], measure["hits_at_3"]) == (5, 2, 3)
    assert measure["languages"]["sv"]["hits_at_3"] == 2 and measure["languages"]["da"]["evaluated"] == 2


def test_the_wilson_interval_has_its_known_values():
    assert learn.wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert learn.wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert learn.wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert learn.wilson(0, 0) == (0.0, 1.0)


def test_folds_spread_each_block_and_hold_every_item_once():
    items = list(range(100, 140))
    labels = [{n % 4} for n in range(40)]
    dealt = learn.folds(items, labels, 5, seed=1)
    assert sorted(i for fold in dealt for i in fold) == items
    for fold in dealt:
        assert sorted(min(labels[i - 100]) for i in fold) == [0, 0, 1, 1, 2, 2, 3, 3]


def _tiny_blocks() -> list[learn.Block]:
    return [learn.Block(0, own=[("Skolor med hög kvalitet", "sv")]),
            learn.Block(1, own=[("Hållbar utveckling och det sjörika landskapet", "sv")]),
            learn.Block(2, own=[("Ett vänligt och gästfritt besöksmål", "sv")]),
            learn.Block(3, own=[("Bra boende och goda kommunikationer", "sv")])]


def test_every_coded_contribution_is_measured_once_by_descriptions_that_did_not_learn_from_it(monkeypatch):
    documents = [(text, "sv") for text, _block in synthetic(60)]
    coded = {row: {row % 4} for row in range(0, 60, 2)}
    calls = []
    original = learn.Suggester.scores

    def spy(self, codes=None, coded_weight=1.0, rows=None):
        if codes and rows is not None:
            calls.append((set(codes), set(rows)))
        return original(self, codes, coded_weight, rows)

    monkeypatch.setattr(learn.Suggester, "scores", spy)
    outcome = learn.suggest(documents, _tiny_blocks(), coded, learn.Stemmer("sv"), min_coded=10, k=5)
    assert calls and all(not (learnt & measured) for learnt, measured in calls)
    measured = [rows for _learnt, rows in calls]
    # each fold is scored once per weight tried, and the folds together are every coded contribution
    folds = {frozenset(rows) for rows in measured}
    assert len(folds) == 5 and set().union(*folds) == set(coded)
    assert len(measured) == 5 * len(learn.CODED_WEIGHTS)
    assert outcome.folds == 5
    assert (outcome.measure or {})["evaluated"] == 30 and (outcome.other or {})["evaluated"] == 30


def test_each_fold_is_measured_with_the_weight_that_did_best_on_the_other_folds(monkeypatch):
    """Two weights, four folds of one contribution each, held-out scores made by hand."""
    documents = [("Kvarnen", "sv"), ("Torget", "sv"), ("Ängen", "sv"), ("Hamnen", "sv")] * 3
    coded = {0: {0}, 1: {1}, 2: {2}, 3: {3}}
    right = {r: np.eye(4)[r] for r in range(4)}
    wrong = {r: np.eye(4)[(r + 1) % 4] for r in range(4)}
    # weight 1.0 is right on folds 0, 1 and 2; weight 2.0 is right on folds 0 and 3 only
    by_hand = {1.0: [right[0], right[1], right[2], wrong[3]], 2.0: [right[0], wrong[1], wrong[2], right[3]]}

    def cross_validate(suggester, coded, k, seed, weights=learn.CODED_WEIGHTS):
        return {w: np.vstack(scores) for w, scores in by_hand.items()}, [[0], [1], [2], [3]]

    monkeypatch.setattr(learn, "cross_validate", cross_validate)
    monkeypatch.setattr(learn, "top", lambda scores, k=learn.TOP: np.argsort(-scores, axis=1, kind="stable")[:, :1])
    outcome = learn.suggest(documents, _tiny_blocks(), coded, learn.Stemmer("sv"), min_coded=4, k=4)
    # fold 3 is measured with weight 1.0 (2 of the other folds against 1): wrong; the others right
    assert outcome.source == "model"
    assert outcome.measure["hits_at_1"] == 3 and outcome.measure["evaluated"] == 4
    assert outcome.coded_weight == 1.0


def test_the_model_is_shown_only_when_cross_validation_says_it_beats_the_blocks_own_words(monkeypatch):
    documents = [(text, "sv") for text, _block in synthetic(90)]
    coded = {row: {row % 9} for row in range(0, 90, 3)}
    blocks = [learn.Block(n, own=[(title, "sv")]) for n, title in enumerate(THEMES)]  # titles that say it all
    outcome = learn.suggest(documents, blocks, coded, learn.Stemmer("sv"), min_coded=10)
    assert outcome.source == "titles" and outcome.other is not None
    assert (outcome.other["hits_at_3"], outcome.other["hits_at_1"]) <= (outcome.measure["hits_at_3"],
                                                                       outcome.measure["hits_at_1"])
    # with titles that say little, the codes teach more
    blocks = [learn.Block(n, own=[(f"Block {n}", "sv")]) for n in range(9)]
    outcome = learn.suggest(documents, blocks, coded, learn.Stemmer("sv"), min_coded=10)
    assert outcome.source == "model" and outcome.measure["hits_at_3"] > outcome.other["hits_at_3"]


# -- in the app ------------------------------------------------------------------------------------------

def test_the_blocks_own_words_pick_the_obvious_block_in_each_language(app, make_user, municipality):
    make_user("analyst")
    blocks = block_ids(app)
    schools_sv, schools_en, schools_da, lakes, nothing, default = load(app, [
        ("Skolorna behöver fler lärare och mindre klasser.", 0),
        ("The schools need more teachers.", 0),
        ("Skolerne har brug for flere lærere.", 0),
        ("Hållbar utveckling kring sjörika landskapet, tack.", 0),
        ("Det är så, och det är det.", 0),
        ("Skolorna!", 0),
    ])
    with app.app_context():
        db.session.get(Contribution, schools_en).language = "en"
        db.session.get(Contribution, schools_da).language = "da"
        db.session.get(Contribution, default).language = ""  # unknown: the municipality's language (Swedish)
        db.session.commit()
    run = run_suggestions(app)
    assert run["source"] == "titles" and run["precision_at_3"] is None and run["measure"] is None
    for contribution in (schools_sv, schools_en, schools_da, default):
        assert suggested(app, contribution)[0] == (blocks[4], 1, "titles")
    assert suggested(app, lakes)[0] == (blocks[6], 1, "titles")
    assert suggested(app, nothing) == []  # nothing but stop words


def neutral_titles(app) -> None:
    """Titles that say nothing about the themes, so that only the codes can teach them."""
    with app.app_context():
        for n, node in enumerate(db.session.scalars(sa.select(VisionNode).where(
                VisionNode.kind == NodeKind.building_block).order_by(VisionNode.position)), 1):
            node.title = {"sv": f"Byggsten {n}", "en": f"Block {n}"}
        db.session.commit()


def test_the_model_learns_from_codes_and_is_measured_over_all_of_them(app, make_user, municipality):
    make_user("analyst")
    blocks = block_ids(app)
    neutral_titles(app)
    rows = synthetic(900)
    ids = load(app, rows)
    truth = [(cid, blocks[block]) for cid, (_text, block) in zip(ids, rows, strict=True)]

    code(app, truth[:6])  # too few to learn from: the blocks' own words, measured on all six
    few = run_suggestions(app)
    assert few["source"] == "titles" and few["held_out"] == 6 and few["measure"]["folds"] == 0
    assert few["measure"]["shown"]["evaluated"] == 6 and few["measure"]["other"] is None

    results = {}
    for size in (36, 90, 450):
        code(app, truth[:size])
        results[size] = run_suggestions(app)
        measure = results[size]["measure"]
        assert results[size]["source"] == "model", measure
        assert results[size]["held_out"] == size and measure["shown"]["evaluated"] == size
        assert measure["folds"] == suggest.FOLDS and measure["other"]["evaluated"] == size
        assert measure["shown"]["hits_at_3"] > measure["other"]["hits_at_3"]
        low, high = measure["shown"]["interval_at_3"]
        assert low <= measure["shown"]["hits_at_3"] / size <= high
        assert abs(results[size]["best_precision_at_3"] - 1 / 3) < 1e-9  # one code each
    assert results[36]["measure"]["shown"]["hits_at_1"] / 36 < results[450]["measure"]["shown"]["hits_at_1"] / 450
    # with 450 codes nearly every coded contribution has its block first, in cross-validation
    assert results[450]["measure"]["shown"]["hits_at_1"] > 0.9 * 450
    # and what it suggests for contributions nobody coded is mostly right
    uncoded = truth[450:]
    first = sum(1 for cid, block in uncoded if suggested(app, cid)[0][0] == block)
    assert first / len(uncoded) > 0.9
    with app.app_context():
        contributions = db.session.scalar(sa.select(sa.func.count()).select_from(Contribution))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Suggestion)) <= 3 * contributions
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Suggestion)
                                 .where(Suggestion.contribution_id.in_(ids))) == 3 * len(ids)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SuggestionRun)) == 5  # the demo's, and ours


def test_suggestions_never_count_as_codes(app, client, make_user, municipality):
    make_user("analyst")
    blocks = block_ids(app)
    rows = synthetic(60)
    ids = load(app, rows)
    code(app, [(cid, blocks[block]) for cid, (_text, block) in zip(ids[:30], rows[:30], strict=True)])
    with app.app_context():
        before = counts_behind(db.session.scalar(sa.select(Vision)))
    run_suggestions(app)
    with app.app_context():
        vision = db.session.scalar(sa.select(Vision))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Suggestion)
                                 .where(Suggestion.contribution_id.in_(ids))) == 180
        assert counts_behind(vision) == before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)) == 30
    login(client, make_user("analyst"))
    html = client.get("/staff/coding/?state=coded&lang=en").get_data(as_text=True)
    assert "30 contributions" in html


def test_a_confirmed_suggestion_becomes_a_code_that_says_so(app, client, make_user, municipality):
    blocks = block_ids(app)
    (schools,) = load(app, [("Skolorna behöver fler lärare", 0)])
    run_suggestions(app)
    assert suggested(app, schools)[0][0] == blocks[4]
    login(client, make_user("analyst"))
    url = f"/staff/coding/{schools}"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Suggestion 1" in page and "Not codes until you confirm one" in page
    # a block that was not suggested cannot be "confirmed"
    not_suggested = next(b for b in blocks if b not in {node for node, _rank, _source in suggested(app, schools)})
    client.post(url, data={"csrf_token": csrf_token(client, url), "confirm": str(not_suggested), "then": "stay"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)) == 0
    client.post(url, data={"csrf_token": csrf_token(client, url), "node": [blocks[1]], "confirm": str(blocks[4]),
                           "then": "stay"})
    with app.app_context():
        codes = dict(db.session.execute(sa.select(Coding.node_id, Coding.from_suggestion)).all())
        details = db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "contribution.code")
                                    .order_by(AuditEvent.id.desc()).limit(1))
    assert codes == {blocks[1]: False, blocks[4]: True}
    assert details == {"added": 2, "removed": 0, "suggestion": blocks[4]}
    assert 'data-key="a" disabled' in client.get(url).get_data(as_text=True)


SENTENCES = {
    "en": ("The right block was among the three suggestions for {hits} of 36 coded contributions",
           "and the first suggestion for {first}", "Measured by cross-validation in 5 rounds"),
    "sv": ("Rätt byggsten fanns bland de tre förslagen för {hits} av 36 kodade bidrag",
           "och var första förslaget för {first}", "Mätt med korsvalidering i 5 omgångar"),
    "da": ("Den rigtige byggesten var blandt de tre forslag for {hits} af 36 kodede bidrag",
           "og var første forslag for {first}", "Målt med krydsvalidering i 5 runder"),
}


@pytest.mark.parametrize("language", ["en", "sv", "da"])
def test_the_workspace_says_how_often_the_right_block_was_suggested(app, client, make_user, municipality, language):
    blocks = block_ids(app)
    neutral_titles(app)
    rows = synthetic(60)
    ids = load(app, rows)
    code(app, [(cid, blocks[block]) for cid, (_text, block) in zip(ids[:36], rows[:36], strict=True)])
    run = run_suggestions(app)
    shown = run["measure"]["shown"]
    login(client, make_user("analyst"))
    for url in ("/staff/coding/", f"/staff/coding/{ids[40]}"):
        html = client.get(f"{url}?lang={language}").get_data(as_text=True)
        hits_sentence, first_sentence, how = SENTENCES[language]
        assert hits_sentence.format(hits=shown["hits_at_3"]) in html
        assert first_sentence.format(first=shown["hits_at_1"]) in html
        assert how in html
    # the share through Babel: "83 %" in Swedish and Danish (with a no-break space), "83%" in English
    share = round(100 * shown["hits_at_3"] / 36)
    assert (f"{share}%" if language == "en" else f"{share}\xa0%") in html


def test_analysts_update_the_suggestions_from_the_workspace(app, client, make_user, municipality):
    blocks = block_ids(app)
    rows = synthetic(40)
    ids = load(app, rows)
    code(app, [(cid, blocks[block]) for cid, (_text, block) in zip(ids[:25], rows[:25], strict=True)])
    login(client, make_user("organizer"))
    assert client.post("/staff/coding/suggestions").status_code in (400, 403)
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    other = app.test_client()
    login(other, make_user("analyst"))
    assert other.post("/staff/coding/suggestions").status_code == 400  # no CSRF token
    token = csrf_token(other, "/staff/coding/")
    response = other.post("/staff/coding/suggestions", data={"csrf_token": token, "vision": "nonsense"})
    assert response.status_code == 302
    html = other.get("/staff/coding/?lang=en").get_data(as_text=True)
    assert "Suggested by a model that learnt from 25 confirmed codes" in html
    assert "of 25 coded contributions" in html
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "coding.suggest"))
        assert event.actor_id is not None and event.details["source"] == "model" and event.details["codes"] == 25
    assert "likelihood" in other.get(f"/staff/coding/{ids[30]}?lang=en").get_data(as_text=True)


def test_an_older_run_asks_for_an_update_instead_of_a_figure(app, client, make_user, municipality):
    with app.app_context():
        vision = db.session.scalar(sa.select(Vision))
        db.session.add(SuggestionRun(vision_id=vision.id, source="keywords", codes=40, held_out=8, suggested=10,
                                     precision_at_3=0.05, keyword_precision_at_3=0.05, best_precision_at_3=0.33))
        db.session.commit()
    login(client, make_user("analyst"))
    html = client.get("/staff/coding/?lang=en").get_data(as_text=True)
    assert "before dialogue measured them as it does now" in html and "5 %" not in html


def test_a_new_run_replaces_the_last_and_leaves_hidden_contributions_out(app, make_user, municipality):
    ids = load(app, [("Skolorna", 0), ("Sjöarna och landskapet", 0), ("Skolor och sjöar", 0)])
    with app.app_context():
        db.session.get(Contribution, ids[2]).hidden = True
        db.session.commit()
    run_suggestions(app)
    run_suggestions(app)
    with app.app_context():
        rows = dict(db.session.execute(sa.select(Suggestion.contribution_id, sa.func.count())
                                       .where(Suggestion.contribution_id.in_(ids))
                                       .group_by(Suggestion.contribution_id)).all())
    assert rows == {ids[0]: 3, ids[1]: 3}


def test_the_command_computes_the_suggestions(app, make_user, municipality):
    load(app, [("Skolorna behöver fler lärare", 0)])
    result = app.test_cli_runner().invoke(args=["coding", "suggest", "--vision", "flen-vision-2019"])
    assert result.exit_code == 0, result.output
    assert "flen-vision-2019: " in result.output and "source titles, 0 codes" in result.output
    result = app.test_cli_runner().invoke(args=["coding", "suggest", "--vision", "nowhere"])
    assert result.exit_code == 1 and "No vision nowhere" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "coding.suggest")) == 1
