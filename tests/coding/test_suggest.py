"""Suggestions: keyword lists first, then a model that learns from confirmed codes; never codes themselves."""

from __future__ import annotations

import random

import sqlalchemy as sa

from dialogue.coding import suggest
from dialogue.coding.models import Channel, Coding, Contribution, Suggestion, SuggestionRun
from dialogue.coding.trace import counts_behind
from dialogue.core.models import AuditEvent, User
from dialogue.extensions import db
from dialogue.vision.models import NodeKind, Vision, VisionNode
from tests.conftest import csrf_token, login

# Words residents might use about each of Flen's nine building blocks, in tree order. Only a few also
# stand in the blocks' titles (the keyword lists know just those); the model has to learn the rest.
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
                                                            "suggested")}


def suggested(app, contribution_id: int) -> list[tuple[int, int, str]]:
    with app.app_context():
        return list(db.session.execute(sa.select(Suggestion.node_id, Suggestion.rank, Suggestion.source)
                                       .where(Suggestion.contribution_id == contribution_id)
                                       .order_by(Suggestion.rank)).all())


def test_the_keyword_lists_pick_the_obvious_block_in_each_language(app, make_user, municipality):
    make_user("analyst")
    blocks = block_ids(app)
    schools_sv, schools_en, schools_da, lakes, nothing, default = load(app, [
        ("Skolorna i de små orterna behöver fler lärare.", 0),
        ("The schools need more teachers.", 0),
        ("Skolerne har brug for flere lærere.", 0),
        ("Hållbar utveckling kring sjörika landskapet, tack.", 0),
        ("Hej hej!", 0),
        ("Skolorna!", 0),
    ])
    with app.app_context():
        db.session.get(Contribution, schools_en).language = "en"
        db.session.get(Contribution, schools_da).language = "da"
        db.session.get(Contribution, default).language = ""  # unknown: the municipality's language (Swedish)
        db.session.commit()
    run = run_suggestions(app)
    assert run["source"] == "keywords" and run["precision_at_3"] is None
    for contribution in (schools_sv, schools_en, schools_da, default):
        assert suggested(app, contribution)[0] == (blocks[4], 1, "keywords")
    assert suggested(app, lakes)[0] == (blocks[6], 1, "keywords")
    assert suggested(app, nothing) == []


def test_the_model_beats_the_keyword_lists_and_improves_with_more_codes(app, make_user, municipality):
    make_user("analyst")
    blocks = block_ids(app)
    rows = synthetic(900)
    ids = load(app, rows)
    truth = [(cid, blocks[block]) for cid, (_text, block) in zip(ids, rows, strict=True)]

    code(app, truth[:12])  # too few to learn from
    few = run_suggestions(app)
    assert few["source"] == "keywords" and few["held_out"] == 12

    results = {}
    for size in (30, 90, 600):
        code(app, truth[:size])
        results[size] = run_suggestions(app)
        assert results[size]["source"] == "model"
        assert results[size]["held_out"] == round(size * suggest.HOLD_OUT)
        assert abs(results[size]["best_precision_at_3"] - 1 / 3) < 1e-9  # one code each: one of three can be right
    assert results[30]["precision_at_3"] < results[90]["precision_at_3"] < results[600]["precision_at_3"]
    # with 600 codes nearly every held-out contribution has its block among the three
    assert results[600]["precision_at_3"] > 0.9 * (1 / 3)
    assert results[600]["precision_at_3"] > results[600]["keyword_precision_at_3"] + 0.1
    # and what it suggests for contributions nobody coded is mostly right
    uncoded = truth[600:]
    hits = sum(1 for cid, block in uncoded if suggested(app, cid)[0][0] == block)
    assert hits / len(uncoded) > 0.8
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Suggestion)) == 3 * len(ids)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SuggestionRun)) == 5  # the demo's own, and ours


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
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Suggestion)) == 180
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
    client.post(url, data={"csrf_token": csrf_token(client, url), "confirm": str(blocks[0]), "then": "stay"})
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
    assert "Suggested by a model trained on 25 confirmed codes" in html
    assert "Precision at 3 on 5 held-out coded contributions" in html
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "coding.suggest"))
        assert event.actor_id is not None and event.details["source"] == "model" and event.details["codes"] == 25
    assert "likelihood" in other.get(f"/staff/coding/{ids[30]}?lang=en").get_data(as_text=True)


def test_a_new_run_replaces_the_last_and_leaves_hidden_contributions_out(app, make_user, municipality):
    ids = load(app, [("Skolorna", 0), ("Sjöarna och landskapet", 0), ("Skolor och sjöar", 0)])
    with app.app_context():
        db.session.get(Contribution, ids[2]).hidden = True
        db.session.commit()
    run_suggestions(app)
    run_suggestions(app)
    with app.app_context():
        rows = db.session.execute(sa.select(Suggestion.contribution_id, sa.func.count())
                                  .group_by(Suggestion.contribution_id)).all()
    assert sorted(rows) == [(ids[0], 1), (ids[1], 1)]


def test_the_command_computes_the_suggestions(app, make_user, municipality):
    load(app, [("Skolorna behöver fler lärare", 0)])
    result = app.test_cli_runner().invoke(args=["coding", "suggest", "--vision", "flen-vision-2019"])
    assert result.exit_code == 0, result.output
    assert "flen-vision-2019: 1 contributions, source keywords, 0 codes" in result.output
    result = app.test_cli_runner().invoke(args=["coding", "suggest", "--vision", "nowhere"])
    assert result.exit_code == 1 and "No vision nowhere" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "coding.suggest")) == 1
