"""What the API gives: every row once over the pages, the export filters, codes, and no personal data."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from dialogue.extensions import db
from tests.api.conftest import FEEDBACK_EMAIL, RESPONSES, SIGNUP_EMAIL, SIGNUP_NAME, bearer

LISTS = ["/api/v1/questionnaires", "/api/v1/responses", "/api/v1/contributions", "/api/v1/events",
         "/api/v1/visions"]


def walk(client, token, url, **params) -> list[dict]:
    """Every row of a list, following next links; the pages must not overlap."""
    rows: list[dict] = []
    query = "&".join(f"{k}={v}" for k, v in params.items())
    next_url = f"{url}?{query}" if query else url
    pages = 0
    while next_url:
        page = client.get(next_url, headers=bearer(token))
        assert page.status_code == 200, page.json
        rows.extend(page.json["data"])
        next_url = page.json["next"]
        pages += 1
        assert pages < 1000
    return rows


def test_pagination_walks_every_row_exactly_once(app, client, demo, make_token):
    from dialogue.questionnaires.models import Response

    token, _email = make_token("analyst")
    rows = walk(client, token, "/api/v1/responses", limit=7)
    ids = [row["id"] for row in rows]
    with app.app_context():
        expected = db.session.scalars(sa.select(Response.id).where(Response.hidden.is_(False))
                                      .order_by(Response.id)).all()
    assert ids == expected and len(ids) == RESPONSES
    first = client.get("/api/v1/responses?limit=7", headers=bearer(token)).json
    assert len(first["data"]) == 7 and first["next_cursor"]
    last = client.get("/api/v1/responses?limit=500", headers=bearer(token)).json
    assert last["next_cursor"] is None and last["next"] is None


def test_hidden_responses_are_left_out(app, client, demo, make_token):
    from dialogue.questionnaires.models import Response

    token, _email = make_token("analyst")
    with app.app_context():
        spam = db.session.scalar(sa.select(Response).order_by(Response.id.desc()).limit(1))
        spam.hidden = True
        db.session.commit()
        spam_id = spam.id
    ids = [row["id"] for row in walk(client, token, "/api/v1/responses")]
    assert spam_id not in ids and len(ids) == RESPONSES - 1


@pytest.mark.parametrize(("query", "parameter"), [
    ("limit=0", "limit"), ("limit=501", "limit"), ("limit=ten", "limit"), ("cursor=bm9wZQ", "cursor"),
    ("date_from=31-12-2026", "date_from"), ("locality=abc", "locality"), ("group=aliens", "group"),
    ("channel=fax", "channel"), ("questionnaire=no-such", "questionnaire"),
    ("date_from=2026-05-02&date_to=2026-05-01", "date_to"), ("limit=%C2%B2", "limit"),
    ("locality=99999999999999999999", "locality"), ("locality=%C2%B2", "locality"),
    ("questionnaire=%C2%B2", "questionnaire"), ("questionnaire=a%00b", "questionnaire"),
])
def test_bad_parameters_get_a_clear_400(client, demo, make_token, query, parameter):
    token, _email = make_token("analyst")
    response = client.get(f"/api/v1/responses?{query}", headers=bearer(token))
    assert response.status_code == 400
    assert response.json["error"]["parameter"] == parameter
    assert response.json["error"]["message"]


def test_a_cursor_from_elsewhere_is_refused(client, demo, make_token):
    """The cursor is signed: a hand-made one (or one signed with another key) gets a 400, not a guess."""
    import base64

    token, _email = make_token("analyst")
    forged = base64.urlsafe_b64encode(b"5").decode().rstrip("=") + ".c2lnbmF0dXJl"
    assert client.get(f"/api/v1/responses?cursor={forged}", headers=bearer(token)).status_code == 400


def test_response_filters(app, client, demo, make_token):
    from dialogue.questionnaires.models import Response, ResponseChannel

    token, _email = make_token("analyst")
    with app.app_context():
        sample = db.session.scalar(sa.select(Response).where(Response.locality_id.is_not(None)).limit(1))
        locality_id, group = sample.locality_id, sample.respondent_group
        in_place = set(db.session.scalars(sa.select(Response.id).where(Response.locality_id == locality_id)))
        in_group = set(db.session.scalars(sa.select(Response.id).where(Response.respondent_group == group)))
        on_paper = set(db.session.scalars(sa.select(Response.id).where(Response.channel == ResponseChannel.paper)))
    assert {r["id"] for r in walk(client, token, "/api/v1/responses", locality=locality_id)} == in_place
    assert {r["id"] for r in walk(client, token, "/api/v1/responses", group=group)} == in_group
    # the demo may type some answers in from paper forms; the two channels split the responses between them
    assert {r["id"] for r in walk(client, token, "/api/v1/responses", channel="paper")} == on_paper
    assert len(walk(client, token, "/api/v1/responses", channel="web")) == RESPONSES - len(on_paper)
    assert len(walk(client, token, "/api/v1/responses", questionnaire=demo["slug"])) == RESPONSES
    assert walk(client, token, "/api/v1/responses", date_from="2999-01-01") == []
    # the next link keeps the filters
    page = client.get(f"/api/v1/responses?group={group}&limit=1", headers=bearer(token)).json
    if page["next"]:
        assert f"group={group}" in page["next"]


def test_answers_come_with_readable_labels(client, demo, make_token):
    token, _email = make_token("analyst")
    row = client.get("/api/v1/responses?limit=1", headers=bearer(token)).json["data"][0]
    by_type = {answer["type"]: answer for answer in row["answers"]}
    age = by_type["age_band"]
    assert age["value"] == row["age_band"] and age["labels"][0] != age["value"]  # e.g. "20–29 år" for "20-29"
    place = by_type["locality"]
    if place["value"].isdigit():
        assert place["labels"] == [row["locality"]]


def test_contributions_with_codes_and_filters(client, demo, make_token):
    token, _email = make_token("analyst")
    coded = walk(client, token, "/api/v1/contributions", coding_state="coded")
    assert sorted(c["id"] for c in coded) == sorted(demo["coded"])
    first = next(c for c in coded if c["id"] == demo["coded"][0])
    assert first["codes"] == [{"node_id": demo["blocks"][0], "excerpt_start": 0, "excerpt_end": 4,
                               "from_suggestion": True, "coded_at": first["codes"][0]["coded_at"]}]
    block = walk(client, token, "/api/v1/contributions", node=demo["blocks"][1])
    assert [c["id"] for c in block] == [demo["coded"][1]]
    everything = walk(client, token, "/api/v1/contributions", limit=50)
    uncoded = walk(client, token, "/api/v1/contributions", coding_state="uncoded")
    assert len(uncoded) == len(everything) - 2
    assert len({c["id"] for c in everything}) == len(everything)


def test_events_give_counts_not_people(client, demo, make_token):
    token, _email = make_token("organizer")
    events = walk(client, token, "/api/v1/events")
    event = next(e for e in events if e["id"] == demo["event_id"])
    assert event["registrations"]["confirmed"] == 1


def test_questionnaire_and_vision_detail(client, demo, make_token):
    token, _email = make_token("organizer")
    questionnaire = client.get(f"/api/v1/questionnaires/{demo['questionnaire']}", headers=bearer(token)).json
    assert questionnaire["slug"] == demo["slug"] and len(questionnaire["questions"]) >= 7
    slug = walk(client, token, "/api/v1/visions")[0]["slug"]
    vision = client.get(f"/api/v1/visions/{slug}", headers=bearer(token)).json
    ids = []

    def collect(nodes):
        for node in nodes:
            ids.append(node["id"])
            collect(node["children"])

    collect(vision["nodes"])
    assert set(demo["blocks"]) <= set(ids) and len(ids) == len(set(ids))


def test_no_personal_data_in_any_response(app, client, demo, make_token):
    """Staff addresses, a sign-up's name and address, a feedback address: none may appear anywhere."""
    from dialogue.core.models import User

    token, _email = make_token("admin")
    with app.app_context():
        staff = db.session.scalars(sa.select(User.email)).all()
    secrets = [*staff, SIGNUP_NAME, SIGNUP_EMAIL, FEEDBACK_EMAIL, "Lindqvist"]
    bodies = [json.dumps(walk(client, token, url, limit=500), ensure_ascii=False) for url in LISTS]
    bodies.append(client.get(f"/api/v1/questionnaires/{demo['questionnaire']}", headers=bearer(token)).get_data(
        as_text=True))
    slug = walk(client, token, "/api/v1/visions")[0]["slug"]
    bodies.append(client.get(f"/api/v1/visions/{slug}", headers=bearer(token)).get_data(as_text=True))
    text = "\n".join(bodies).lower()
    for secret in secrets:
        assert secret.lower() not in text, secret
    assert "@" not in text


def test_replies_with_labels_or_messages_vary_on_the_language(client, demo, make_token):
    """Labels, question texts and error messages follow Accept-Language, and such replies say so; a list of
    stored texts (every language at once) and numbers does not depend on it."""
    token, _email = make_token("analyst")

    def get(url: str, language: str):
        return client.get(url, headers={**bearer(token), "Accept-Language": language})

    pages = {lang: get("/api/v1/responses?limit=1", lang) for lang in ("en", "sv")}
    assert pages["en"].json["data"][0]["answers"] != pages["sv"].json["data"][0]["answers"]
    replies = [*pages.values(), get("/api/v1/responses?limit=0", "en"), get("/api/v1/nothing", "en"),
               client.get("/api/v1/responses", headers={"Accept-Language": "en"})]
    for reply in replies:
        assert "accept-language" in reply.vary, (reply.request.path, reply.status_code)
        assert reply.headers["Cache-Control"] == "no-store"
    assert get("/api/v1/responses?limit=0", "en").json != get("/api/v1/responses?limit=0", "sv").json
    assert "accept-language" not in get("/api/v1/events", "en").vary


def test_the_other_choice_is_labelled_like_the_choices_and_its_text_kept_apart(app, client, demo, make_token):
    """As in the exports: the label says "Other" in the reader's language, other_text holds what was written."""
    from dialogue.questionnaires.models import Answer, Question, QuestionType, Response

    token, _email = make_token("analyst")
    with app.app_context():
        question = db.session.scalar(sa.select(Question).where(Question.type == QuestionType.group))
        question.allow_other = True
        response_id = db.session.scalar(sa.select(Response.id).where(Response.hidden.is_(False)).limit(1))
        answer = db.session.scalar(sa.select(Answer).where(Answer.response_id == response_id,
                                                           Answer.question_id == question.id))
        if answer is None:
            answer = Answer(response_id=response_id, question_id=question.id)
            db.session.add(answer)
        answer.value, answer.other_text = "other", "Pensionär och företagare"
        question_id = question.id
        db.session.commit()
    for lang, word in (("sv", "Annat"), ("da", "Andet"), ("en", "Other")):
        reply = client.get("/api/v1/responses?limit=500", headers={**bearer(token), "Accept-Language": lang})
        row = next(row for row in reply.json["data"] if row["id"] == response_id)
        item = next(a for a in row["answers"] if a["question_id"] == question_id)
        assert item["value"] == "other" and item["labels"] == [word], (lang, item)
        assert item["other_text"] == "Pensionär och företagare"
