"""Residents answer the questionnaire: pages, errors, receipt, private link."""

from __future__ import annotations

import re

import sqlalchemy as sa

from dialogue.coding.models import Channel, Contribution
from dialogue.extensions import db
from dialogue.questionnaires.models import Answer, FeedbackContact, Questionnaire, Response, State
from tests.conftest import count
from tests.questionnaires.helpers import DEMO_SLUG, URL, answer_all, demo_questions, hidden_fields, post, start


def private_link(html: str) -> str:
    return re.search(r'id="private-link">https?://[^/]+([^<]+)</a>', html).group(1)


def test_first_page_has_intro_privacy_notice_and_progress(client, municipality):
    html = client.get(f"{URL}?lang=en").get_data(as_text=True)
    assert "When is Flens kommun at its best?" in html
    assert "About your answers" in html
    assert "Page 1 of 3" in html
    assert "<progress" in html


def test_questionnaire_in_swedish_and_danish(client, municipality):
    assert "När är Flens kommun som bäst?" in client.get(f"{URL}?lang=sv").get_data(as_text=True)
    assert "Hvornår er Flens kommun bedst?" in client.get(f"{URL}?lang=da").get_data(as_text=True)


def test_answers_survive_going_forward_and_back(app, client, municipality):
    q = demo_questions(app)
    fields = start(client)
    page2 = post(client, fields, {f"q{q[0].id}": "The lakes", f"q{q[1].id}": "Summer"}, "next", 0)
    assert page2.status_code == 200
    html = page2.get_data(as_text=True)
    assert "Page 2 of 3" in html
    carried = hidden_fields(html)
    assert carried[f"q{q[0].id}"] == "The lakes"
    back = post(client, fields, {**{k: v for k, v in carried.items() if k.startswith("q")},
                                 f"q{q[2].id}": "Use them"}, "back", 1)
    html = back.get_data(as_text=True)
    assert "Page 1 of 3" in html
    assert ">The lakes</textarea>" in html
    assert hidden_fields(html)[f"q{q[2].id}"] == "Use them"


def test_required_question_error_links_to_the_field_and_keeps_other_answers(app, client, municipality):
    q = demo_questions(app)
    fields = start(client)
    response = post(client, fields, {f"q{q[1].id}": "Summer evenings"}, "next", 0)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert f'href="#q{q[0].id}"' in html
    assert "Write an answer to this question." in html
    assert ">Summer evenings</textarea>" in html
    assert count(app, Response) == 0


def test_submit_stores_one_response_with_answers_and_contributions(app, client, municipality):
    _fields, response = answer_all(app, client)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Thank you for your answers" in html
    assert "/answers/" in private_link(html)
    with app.app_context():
        stored = db.session.scalar(sa.select(Response))
        assert (stored.age_band, stored.respondent_group, stored.language) == ("30-44", "resident", "en")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 6
        texts = set(db.session.scalars(sa.select(Contribution.text)))
        assert texts == {"Forests and lakes", "Midsummer in Malmköping", "Tourism", "Trains"}
        assert {c.channel for c in db.session.scalars(sa.select(Contribution))} == {Channel.questionnaire}


def test_submission_redirects_to_the_receipt_so_a_reload_sends_nothing(app, client, municipality):
    q = demo_questions(app)
    fields = start(client)
    data = {"csrf_token": fields["csrf_token"], "form": fields["form"], "page": "2", "move": "submit",
            f"q{q[0].id}": "The lakes"}
    response = client.post(URL, data=data)
    assert response.status_code == 303
    # the private link is not in the address, so it stays out of the browser's history
    assert response.headers["Location"] == f"{URL}/received"
    receipt = client.get(response.headers["Location"])
    assert receipt.status_code == 200 and "/answers/" in private_link(receipt.get_data(as_text=True))
    assert receipt.headers["Cache-Control"] == "no-store"
    # shown once: a reload of the receipt says the answers arrived, without the link
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="no-private-link"' in again and "/answers/" not in again
    assert count(app, Response) == 1


def test_missing_required_answer_on_an_earlier_page_sends_the_resident_there(app, client, municipality):
    q = demo_questions(app)
    fields = start(client)
    response = post(client, fields, {f"q{q[2].id}": "Tourism"}, "submit", 2)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Page 1 of 3" in html
    assert hidden_fields(html)[f"q{q[2].id}"] == "Tourism"
    assert count(app, Response) == 0


def test_sending_the_same_form_again_stores_nothing_and_shows_no_link(app, client, municipality):
    # a shared computer: the next person sends the first one's form again from the browser's history
    fields, first = answer_all(app, client)
    link = private_link(first.get_data(as_text=True))
    q = demo_questions(app)
    again = post(client, fields, {f"q{q[0].id}": "Something else"}, "submit", 2)
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert "received already" in html and 'id="no-private-link"' in html
    assert link.rsplit("/", 1)[1] not in html
    assert count(app, Response) == 1


def test_a_form_token_of_another_questionnaire_is_refused(app, client, municipality):
    from dialogue.questionnaires import services

    with app.app_context():
        source = db.session.scalar(sa.select(Questionnaire).where(Questionnaire.slug == DEMO_SLUG))
        other = services.copy_questionnaire(source, "another", {"en": "Another"})
        other.state = State.open
        db.session.commit()
    fields = start(client)  # a token made for the demo questionnaire
    q = demo_questions(app)
    data = {"csrf_token": fields["csrf_token"], "form": fields["form"], "page": "0", "move": "submit",
            f"q{q[0].id}": "x"}
    assert client.post("/questionnaires/another", data=data).status_code == 400
    assert count(app, Response) == 0


def test_text_is_stored_and_shown_exactly(app, client, municipality):
    text = "Sjöarna 🌲🦌 — والبحيرات\n\n<script>alert('x')</script> & ÆØÅ æøå"
    _fields, response = answer_all(app, client, texts=(text,))
    link = private_link(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(sa.select(Contribution.text)) == text
    mine = client.get(link).get_data(as_text=True)
    assert "<script>alert('x')</script>" not in mine
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in mine
    assert "🌲🦌 — والبحيرات" in mine


def test_ten_thousand_characters_fit_and_more_gets_a_clear_error(app, client, municipality):
    q = demo_questions(app)
    fields = start(client)
    ok = post(client, fields, {f"q{q[0].id}": "å" * 10_000}, "next", 0)
    assert ok.status_code == 200
    too_long = post(client, fields, {f"q{q[0].id}": "å" * 10_001}, "next", 0)
    assert too_long.status_code == 422
    assert "at most 10" in too_long.get_data(as_text=True)


def test_control_characters_get_an_error_not_a_crash(app, client, municipality):
    q = demo_questions(app)
    response = post(client, start(client), {f"q{q[0].id}": "bad\x00byte\x1b"}, "next", 0)
    assert response.status_code == 422
    assert "control characters" in response.get_data(as_text=True)


def test_tampered_choice_is_refused(app, client, municipality):
    q = demo_questions(app)
    response = post(client, start(client), {f"q{q[0].id}": "x", f"q{q[6].id}": "mayor"}, "submit", 2)
    assert response.status_code == 422
    assert "Choose one of the options shown." in response.get_data(as_text=True)


def test_honeypot_turns_a_bot_away_and_stores_nothing(app, client, municipality):
    _fields, response = answer_all(app, client, website="http://spam.example")
    assert response.status_code == 400
    assert count(app, Response) == 0


def test_too_fast_submission_is_not_stored_but_a_person_can_send_again(app_factory, municipality):
    app = app_factory(QUESTIONNAIRE_MIN_SECONDS=3600)
    client = app.test_client()
    _fields, response = answer_all(app, client)
    assert response.status_code == 422
    assert "Check your answers once more" in response.get_data(as_text=True)
    assert count(app, Response) == 0


def test_forged_form_token_is_refused(app, client, municipality):
    fields = start(client)
    fields["form"] = fields["form"][:-2] + "xx"
    q = demo_questions(app)
    assert post(client, fields, {f"q{q[0].id}": "x"}, "submit", 2).status_code == 400


def test_missing_csrf_token_is_refused(client, municipality):
    assert client.post(URL, data={"move": "submit"}).status_code == 400


def test_answering_is_rate_limited_per_address(app_factory, municipality):
    app = app_factory(ANSWER_RATE_LIMIT="3 per minute")
    client = app.test_client()
    fields = start(client)
    codes = [client.post(URL, data={"csrf_token": fields["csrf_token"], "form": fields["form"],
                                    "move": "back"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_closed_draft_and_unknown_questionnaires(app, client, municipality):
    assert client.get("/questionnaires/no-such-thing").status_code == 404
    with app.app_context():
        questionnaire = db.session.scalar(sa.select(Questionnaire))
        questionnaire.state = State.closed
        db.session.commit()
    closed = client.get(f"{URL}?lang=en")
    assert closed.status_code == 200
    assert "is closed" in closed.get_data(as_text=True)
    assert client.post(URL, data={}).status_code in (400, 200)
    with app.app_context():
        db.session.scalar(sa.select(Questionnaire)).state = State.draft
        db.session.commit()
    assert client.get(URL).status_code == 404


def test_submitting_after_closing_stores_nothing(app, client, municipality):
    q = demo_questions(app)
    fields = start(client)
    with app.app_context():
        db.session.scalar(sa.select(Questionnaire)).state = State.closed
        db.session.commit()
    response = post(client, fields, {f"q{q[0].id}": "late"}, "submit", 2)
    assert "is closed" in response.get_data(as_text=True)
    assert count(app, Response) == 0


def test_feedback_email_is_stored_apart(app, client, municipality):
    q = demo_questions(app)
    bad = post(client, start(client), {f"q{q[0].id}": "x", "feedback_email": "not-an-address"}, "submit", 2)
    assert bad.status_code == 422
    assert 'value="not-an-address"' in bad.get_data(as_text=True)
    _fields, ok = answer_all(app, client, feedback_email="Anna@Example.se")
    assert ok.status_code == 200
    with app.app_context():
        contact = db.session.scalar(sa.select(FeedbackContact))
        assert contact.email == "Anna@example.se"
        assert "example.se" not in str([a.value for a in db.session.scalars(sa.select(Answer))])


def test_private_link_shows_changes_and_erases(app, client, municipality):
    _fields, response = answer_all(app, client, feedback_email="anna@example.se")
    link = private_link(response.get_data(as_text=True))
    assert "Forests and lakes" in client.get(f"{link}?lang=en").get_data(as_text=True)

    q = demo_questions(app)
    edit_page = client.get(f"{link}/edit?lang=en").get_data(as_text=True)
    token = hidden_fields(edit_page)["csrf_token"]
    changed = client.post(f"{link}/edit?lang=en", data={"csrf_token": token, "move": "submit",
                                                      f"q{q[0].id}": "Changed my mind"})
    assert changed.status_code == 200
    assert "Your changes are saved." in changed.get_data(as_text=True)
    with app.app_context():
        assert set(db.session.scalars(sa.select(Contribution.text))) == {"Changed my mind"}

    erase_page = client.get(f"{link}/erase?lang=en").get_data(as_text=True)
    erased = client.post(f"{link}/erase?lang=en", data={"csrf_token": hidden_fields(erase_page)["csrf_token"]})
    assert "erased" in erased.get_data(as_text=True)
    for model in (Response, Answer, Contribution, FeedbackContact):
        assert count(app, model) == 0, model
    assert client.get(link).status_code == 404


def test_unknown_and_used_links_look_the_same(app, client, municipality):
    _fields, response = answer_all(app, client)
    unknown = client.get(f"{URL}/answers/{'A' * 43}")
    assert unknown.status_code == 404
    link = private_link(response.get_data(as_text=True))
    with app.app_context():
        db.session.scalar(sa.select(Questionnaire)).state = State.closed
        db.session.commit()
    expired = client.get(link)
    assert expired.status_code == 404
    token = link.rsplit("/", 1)[1]
    assert expired.get_data(as_text=True).replace(token, "A" * 43) == unknown.get_data(as_text=True)


def test_private_link_token_is_long_and_stored_only_as_hash(app, client, municipality):
    _fields, response = answer_all(app, client)
    token = private_link(response.get_data(as_text=True)).rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits, base64
    with app.app_context():
        stored = db.session.scalar(sa.select(Response.edit_token_hash))
    assert token not in stored and len(stored) == 64



def test_private_pages_are_never_cached(app, client, municipality):
    _fields, response = answer_all(app, client)
    link = private_link(response.get_data(as_text=True))
    for url in (link, f"{link}/edit", f"{link}/erase"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_a_locality_archived_after_the_page_was_shown_is_refused(app, client, municipality):
    from dialogue.core.models import Locality
    from dialogue.questionnaires.models import QuestionType

    q = demo_questions(app)
    locality_question = next(question for question in q if question.type == QuestionType.locality)
    fields = start(client)
    with app.app_context():
        place = db.session.scalar(sa.select(Locality).order_by(Locality.position))
        place.archived = True
        place_id = place.id
        db.session.commit()
    response = post(client, fields, {f"q{q[0].id}": "x", f"q{locality_question.id}": str(place_id)}, "submit", 2)
    assert response.status_code == 422
    assert count(app, Response) == 0
