"""Staff build questionnaires, open and close them, type in paper answers and read the results."""

from __future__ import annotations

import re

import sqlalchemy as sa

from dialogue.coding.models import Channel, Contribution
from dialogue.core.models import AuditEvent
from dialogue.extensions import db
from dialogue.questionnaires.models import Question, Questionnaire, QuestionType, Response, ResponseChannel, State
from tests.conftest import count, csrf_token, login
from tests.questionnaires.helpers import answer_all, demo_questions, hidden_fields

SETTINGS = {"title_sv": "Vad tycker du?", "slug": "vad-tycker-du", "languages": ["sv", "en"], "process_id": ""}


def new(client, **changes):
    data = dict(SETTINGS, start_from="empty", csrf_token=csrf_token(client, "/staff/questionnaires/new"))
    data.update(changes)
    return client.post("/staff/questionnaires/new?lang=en", data=data)


def questionnaire_id(app, slug="vad-tycker-du") -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Questionnaire.id).where(Questionnaire.slug == slug))


def add_question(client, qid, **fields):
    url = f"/staff/questionnaires/{qid}/questions/new"
    data = {"type": "short_text", "text_sv": "Fråga", "page": "1", "scale_max": "5",
            "csrf_token": csrf_token(client, url)}
    data.update(fields)
    return client.post(url + "?lang=en", data=data)


def test_create_from_the_ready_made_questionnaire(app, client, make_user, municipality):
    login(client, make_user("organizer"))
    assert new(client, start_from="template", slug="nar-ar-vi-som-bast").status_code == 302
    with app.app_context():
        questionnaire = db.session.scalar(sa.select(Questionnaire).where(Questionnaire.slug == "nar-ar-vi-som-bast"))
        assert questionnaire.state == State.draft
        assert len(questionnaire.questions) == 7
        assert questionnaire.title["sv"] == "Vad tycker du?"


def test_bad_settings_are_explained_and_kept(client, make_user, municipality):
    login(client, make_user("organizer"))
    response = new(client, slug="Inte OK!", title_sv="", intro_en="Kept <intro>")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#slug"' in page and 'href="#title_sv"' in page
    assert "Kept &lt;intro&gt;" in page
    taken = new(client, slug="nar-ar-flens-kommun-som-bast")
    assert "has this address already" in taken.get_data(as_text=True)


def test_choice_options_keep_their_values_when_edited(app, client, make_user, municipality):
    login(client, make_user("organizer"))
    new(client)
    qid = questionnaire_id(app)
    too_few = add_question(client, qid, type="single_choice", options_sv="Bara en")
    assert too_few.status_code == 422
    assert add_question(client, qid, type="single_choice", options_sv="Skog\nSjö", options_en="Forest\nLake",
                        allow_other="y").status_code == 302
    with app.app_context():
        question = db.session.scalar(sa.select(Question).where(Question.questionnaire_id == qid))
        assert [o["value"] for o in question.options] == ["o1", "o2"]
        assert question.options[1]["label"] == {"sv": "Sjö", "en": "Lake"}
        question_id = question.id
    url = f"/staff/questionnaires/{qid}/questions/{question_id}"
    client.post(url, data={"type": "single_choice", "text_sv": "Fråga", "page": "1", "scale_max": "5",
                           "options_sv": "Skogen\nSjön\nÅn", "csrf_token": csrf_token(client, url)})
    with app.app_context():
        options = db.session.get(Question, question_id).options
        assert [(o["value"], o["label"]["sv"]) for o in options] == [("o1", "Skogen"), ("o2", "Sjön"), ("o3", "Ån")]


def test_reorder_remove_and_open(app, client, make_user, municipality):
    login(client, make_user("organizer"))
    new(client)
    qid = questionnaire_id(app)
    show = f"/staff/questionnaires/{qid}"
    token = csrf_token(client, show)
    assert "Add at least one question" in client.post(f"{show}/open?lang=en", data={"csrf_token": token},
                                                      follow_redirects=True).get_data(as_text=True)
    for text in ("Ett", "Två", "Tre"):
        add_question(client, qid, text_sv=text)
    with app.app_context():
        ids = list(db.session.scalars(sa.select(Question.id).where(Question.questionnaire_id == qid)
                                      .order_by(Question.position)))
    client.post(f"{show}/questions/{ids[2]}/up", data={"csrf_token": token})
    client.post(f"{show}/questions/{ids[0]}/remove", data={"csrf_token": token})
    with app.app_context():
        texts = [q.text["sv"] for q in db.session.get(Questionnaire, qid).questions]
    assert texts == ["Tre", "Två"]
    client.post(f"{show}/open", data={"csrf_token": token})
    assert client.get("/questionnaires/vad-tycker-du").status_code == 200
    client.post(f"{show}/close", data={"csrf_token": token})
    assert "is closed" in client.get("/questionnaires/vad-tycker-du?lang=en").get_data(as_text=True)


def test_answered_questions_cannot_be_removed_or_retyped_but_can_be_hidden(app, client, make_user, municipality):
    answer_all(app, app.test_client())
    login(client, make_user("organizer"))
    q = demo_questions(app)
    qid = questionnaire_id(app, "nar-ar-flens-kommun-som-bast")
    show = f"/staff/questionnaires/{qid}"
    token = csrf_token(client, show)
    refused = client.post(f"{show}/questions/{q[0].id}/remove?lang=en", data={"csrf_token": token},
                          follow_redirects=True)
    assert "cannot be removed" in refused.get_data(as_text=True)
    url = f"{show}/questions/{q[0].id}"
    retype = client.post(url + "?lang=en", data={"type": "scale", "text_sv": "x", "page": "1", "scale_max": "5",
                                                 "csrf_token": csrf_token(client, url)})
    assert retype.status_code == 422 and "can no longer change" in retype.get_data(as_text=True)
    client.post(f"{show}/questions/{q[0].id}/hide", data={"csrf_token": token})
    page = client.get("/questionnaires/nar-ar-flens-kommun-som-bast?lang=en").get_data(as_text=True)
    assert f'name="q{q[0].id}"' not in page
    assert count(app, Question) == 7


def test_copy_makes_a_draft_with_the_questions(app, client, make_user, municipality):
    login(client, make_user("organizer"))
    qid = questionnaire_id(app, "nar-ar-flens-kommun-som-bast")
    client.post(f"/staff/questionnaires/{qid}/copy", data={"csrf_token": csrf_token(client, "/staff/")})
    with app.app_context():
        copy = db.session.scalar(sa.select(Questionnaire).where(Questionnaire.id != qid))
        assert copy.state == State.draft and len(copy.questions) == 7 and copy.slug.endswith("-kopia")


def test_preview_checks_but_stores_nothing(app, client, make_user, municipality):
    login(client, make_user("analyst"))
    qid = questionnaire_id(app, "nar-ar-flens-kommun-som-bast")
    url = f"/staff/questionnaires/{qid}/preview"
    page = client.get(url + "?lang=en")
    assert "Preview" in page.get_data(as_text=True)
    q = demo_questions(app)
    fields = hidden_fields(page.get_data(as_text=True))
    response = client.post(url + "?lang=en", data={"csrf_token": fields["csrf_token"], "page": "0", "move": "next"})
    assert response.status_code == 422
    ok = client.post(url + "?lang=en", data={"csrf_token": fields["csrf_token"], "page": "2", "move": "submit",
                                             f"q{q[0].id}": "x"})
    assert "Nothing was stored" in ok.get_data(as_text=True)
    assert count(app, Response) == 0


def test_paper_answers_count_and_a_double_click_stores_one(app, client, make_user, municipality):
    login(client, make_user("organizer"))
    qid = questionnaire_id(app, "nar-ar-flens-kommun-som-bast")
    url = f"/staff/questionnaires/{qid}/paper"
    fields = hidden_fields(client.get(url).get_data(as_text=True))
    q = demo_questions(app)
    data = {"csrf_token": fields["csrf_token"], "form": fields["form"], f"q{q[0].id}": "Skrivet på papper",
            f"q{q[6].id}": "association"}
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        response = db.session.scalar(sa.select(Response))
        assert response.channel == ResponseChannel.paper and response.entered_by_id is not None
        assert db.session.scalar(sa.select(Contribution.channel)) == Channel.paper
    assert count(app, Response) == 1


def test_results_count_filter_and_escape(app, client, make_user, municipality):
    answer_all(app, app.test_client(), texts=("<b>Sjöarna</b>",))
    answer_all(app, app.test_client(), texts=("Skogen",))
    login(client, make_user("analyst"))
    qid = questionnaire_id(app, "nar-ar-flens-kommun-som-bast")
    url = f"/staff/questionnaires/{qid}/results?lang=en"
    page = client.get(url).get_data(as_text=True)
    assert "2 responses so far." in page
    assert "&lt;b&gt;Sjöarna&lt;/b&gt;" in page and "<b>Sjöarna</b>" not in page
    assert '<svg role="img"' in page and "<table>" in page
    found = client.get(url + "&q=skog").get_data(as_text=True)
    assert "Skogen" in found and "Sjöarna" not in found
    assert "No text answers match." in client.get(url + "&group=business").get_data(as_text=True)


def test_hiding_spam_stops_it_counting_and_is_audited(app, client, make_user, municipality):
    answer_all(app, app.test_client(), texts=("Köp billiga klockor",))
    login(client, make_user("analyst"))
    qid = questionnaire_id(app, "nar-ar-flens-kommun-som-bast")
    with app.app_context():
        response_id = db.session.scalar(sa.select(Response.id))
    token = csrf_token(client, f"/staff/questionnaires/{qid}/results")
    client.post(f"/staff/questionnaires/{qid}/responses/{response_id}/hide", data={"csrf_token": token})
    assert "0 responses so far." in client.get(f"/staff/questionnaires/{qid}/results?lang=en").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Contribution.hidden)) is True
    client.post(f"/staff/questionnaires/{qid}/responses/{response_id}/show", data={"csrf_token": token})
    assert "1 response so far." in client.get(f"/staff/questionnaires/{qid}/results?lang=en").get_data(as_text=True)
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"response.hide", "response.show"} <= actions


def test_analysts_read_but_do_not_edit(app, client, make_user, municipality):
    login(client, make_user("analyst"))
    qid = questionnaire_id(app, "nar-ar-flens-kommun-som-bast")
    assert client.get(f"/staff/questionnaires/{qid}").status_code == 200
    assert client.get(f"/staff/questionnaires/{qid}/settings").status_code == 403
    token = csrf_token(client, "/staff/")
    assert client.post(f"/staff/questionnaires/{qid}/close", data={"csrf_token": token}).status_code == 403
    assert re.search(r"Open to residents|Close", client.get(f"/staff/questionnaires/{qid}?lang=en")
                     .get_data(as_text=True)) is None


def test_text_answers_page_and_keep_their_filters(app, client, make_user, municipality):
    from dialogue.questionnaires.answers import Answers
    from dialogue.questionnaires.services import store_response

    with app.app_context():
        questionnaire = db.session.scalar(sa.select(Questionnaire))
        first = questionnaire.questions[0]
        for n in range(30):
            store_response(questionnaire, questionnaire.questions, Answers(values={first.id: f"Skogen {n}"}),
                           submission_key=f"page-{n}", language="sv")
        db.session.commit()
        qid = questionnaire.id
    login(client, make_user("analyst"))
    page = client.get(f"/staff/questionnaires/{qid}/results?q=skogen&lang=en").get_data(as_text=True)
    assert "Page 1 of 2" in page
    link = re.search(r'<a href="([^"]+)">Next</a>', page).group(1).replace("&amp;", "&")
    assert "q=skogen" in link and "page=2" in link and link.endswith("#texts")
    second = client.get(link.split("#")[0]).get_data(as_text=True)
    assert "Page 2 of 2" in second and "Skogen 0<" in second.replace("\n", "<")


def test_results_name_the_other_choice_in_the_readers_language(app, client, make_user, municipality):
    """A question with choices that offers "Other: ___" has a bar for it, labelled like every other choice."""
    with app.app_context():
        question = next(q for q in db.session.scalar(sa.select(Questionnaire).where(
            Questionnaire.slug == "nar-ar-flens-kommun-som-bast")).questions if q.type == QuestionType.group)
        question.allow_other = True
        db.session.commit()
    login(client, make_user("analyst"))
    url = f"/staff/questionnaires/{questionnaire_id(app, 'nar-ar-flens-kommun-som-bast')}/results"
    for lang, word in (("sv", "Annat"), ("da", "Andet"), ("en", "Other")):
        page = client.get(f"{url}?lang={lang}").get_data(as_text=True)
        assert f'<th scope="row">{word}</th>' in page, lang
