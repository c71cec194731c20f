"""Analysts code contributions to building blocks; the history of codes stays."""

from __future__ import annotations

import re

import sqlalchemy as sa

from dialogue.coding.models import Channel, Coding, Contribution
from dialogue.core.models import AuditEvent, Locality
from dialogue.events.models import Event
from dialogue.extensions import db
from dialogue.questionnaires.models import Question
from dialogue.vision.models import NodeKind, VisionNode
from tests.conftest import csrf_token, login
from tests.questionnaires.helpers import answer_all


def blocks(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(VisionNode.id).where(VisionNode.kind == NodeKind.building_block)
                                       .order_by(VisionNode.position)))


def contributions(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Contribution.id).order_by(Contribution.id)))


def test_code_save_and_go_to_the_next(app, client, make_user, municipality):
    answer_all(app, app.test_client())
    login(client, make_user("analyst"))
    first, second = contributions(app)[:2]
    block = blocks(app)
    url = f"/staff/coding/{first}"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Forests and lakes" in page and "1. " in page
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "node": [block[0], block[2]],
                                      "note": "Nature", "then": "next"})
    assert response.headers["Location"].endswith(f"/staff/coding/{second}")
    with app.app_context():
        contribution = db.session.get(Contribution, first)
        assert {c.node_id for c in contribution.active_codings} == {block[0], block[2]}
        assert contribution.coding_note == "Nature"
        assert db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "contribution.code")) == {
            "added": 2, "removed": 0}


def test_removing_a_code_keeps_its_history(app, client, make_user, municipality):
    answer_all(app, app.test_client())
    login(client, make_user("analyst"))
    first = contributions(app)[0]
    block = blocks(app)
    url = f"/staff/coding/{first}"
    client.post(url, data={"csrf_token": csrf_token(client, url), "node": [block[0]], "then": "stay"})
    client.post(url, data={"csrf_token": csrf_token(client, url), "node": [block[1]], "then": "stay"})
    with app.app_context():
        rows = db.session.execute(sa.select(Coding.node_id, Coding.removed_at).order_by(Coding.id)).all()
    assert [(node, removed is not None) for node, removed in rows] == [(block[0], True), (block[1], False)]


def test_only_building_blocks_of_the_vision_are_accepted(app, client, make_user, municipality):
    answer_all(app, app.test_client())
    login(client, make_user("analyst"))
    first = contributions(app)[0]
    with app.app_context():
        value = db.session.scalar(sa.select(VisionNode.id).where(VisionNode.kind == NodeKind.value))
    url = f"/staff/coding/{first}"
    client.post(url, data={"csrf_token": csrf_token(client, url), "node": [value, "abc"], "then": "stay"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)) == 0


def test_queue_shows_uncoded_then_coded_and_never_spam(app, client, make_user, municipality):
    answer_all(app, app.test_client(), texts=("Första", "Andra"))
    login(client, make_user("analyst"))
    first, second = contributions(app)[:2]
    url = f"/staff/coding/{first}"
    client.post(url, data={"csrf_token": csrf_token(client, url), "node": [blocks(app)[0]], "then": "stay"})
    uncoded = client.get("/staff/coding/?lang=en").get_data(as_text=True)
    assert "Andra" in uncoded and "Första" not in uncoded
    coded = client.get("/staff/coding/?state=coded&lang=en").get_data(as_text=True)
    assert "Första" in coded and "Andra" not in coded
    with app.app_context():
        db.session.get(Contribution, second).hidden = True
        db.session.commit()
    assert "Andra" not in client.get("/staff/coding/?state=all").get_data(as_text=True)
    assert client.get(f"/staff/coding/{second}").status_code == 404


def test_organizers_do_not_code(app, client, make_user, municipality):
    answer_all(app, app.test_client())
    login(client, make_user("organizer"))
    assert client.get("/staff/coding/").status_code == 403


# -- filters, order, excerpts, publishable ---------------------------------------------------------------

def add(app, text: str, **fields) -> int:
    """A contribution as an event note or an answer would leave it; returns its id."""
    with app.app_context():
        contribution = Contribution(text=text, channel=fields.pop("channel", Channel.open_meeting), **fields)
        db.session.add(contribution)
        db.session.commit()
        return contribution.id


def ids_on(client, url: str) -> list[int]:
    html = client.get(url).get_data(as_text=True)
    return [int(n) for n in re.findall(r'href="/staff/coding/(\d+)[?"]', html)]


def test_every_filter_narrows_the_queue(app, client, make_user, municipality):
    answer_all(app, app.test_client())  # four answers to the demo questionnaire, in English
    with app.app_context():
        question = db.session.scalar(sa.select(Question).order_by(Question.position).limit(1))
        event = db.session.scalar(sa.select(Event).order_by(Event.id).limit(1))
        place = db.session.scalar(sa.select(Locality).where(Locality.name == "Bettna"))
        question_id, questionnaire_id, event_id, place_id = question.id, question.questionnaire_id, event.id, place.id
    answers = contributions(app)
    note = add(app, "Mer cykelvägar", event_id=event_id, language="sv", locality_id=place_id,
               respondent_group="young")
    danish = add(app, "Flere cykelstier", channel=Channel.workshop, language="da")
    login(client, make_user("analyst"))
    assert ids_on(client, "/staff/coding/") == answers + [note, danish]
    assert ids_on(client, "/staff/coding/?channel=open_meeting") == [note]
    assert ids_on(client, f"/staff/coding/?questionnaire={questionnaire_id}") == answers
    assert ids_on(client, f"/staff/coding/?question={question_id}") == answers[:1]
    assert ids_on(client, f"/staff/coding/?event={event_id}") == [note]
    assert ids_on(client, f"/staff/coding/?locality={place_id}") == [note]
    assert ids_on(client, "/staff/coding/?group=young") == [note]
    assert ids_on(client, "/staff/coding/?language=da") == [danish]
    assert ids_on(client, f"/staff/coding/?language=sv&event={event_id}&channel=open_meeting") == [note]
    # the filters travel with every link into the workspace
    html = client.get("/staff/coding/?language=da&channel=workshop").get_data(as_text=True)
    assert f'href="/staff/coding/{danish}?channel=workshop&amp;language=da"' in html


def test_a_filter_value_that_does_not_exist_is_left_out_with_a_message(app, client, make_user, municipality):
    answer_all(app, app.test_client())
    login(client, make_user("analyst"))
    for url in ("/staff/coding/?question=abc&event=999999&language=xx&lang=en",
                "/staff/coding/?questionnaire=-1&locality=1e9&state=nonsense&channel=%00&page=zz&lang=en"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "were left out" in html
        assert ids_on(client, url) == contributions(app)


def test_the_queue_pages_keep_the_filters(app, client, make_user, municipality):
    for n in range(35):
        add(app, f"Anteckning {n}", language="sv")
    add(app, "Danish note", language="da")
    login(client, make_user("analyst"))
    html = client.get("/staff/coding/?language=sv").get_data(as_text=True)
    assert "35 contributions" in client.get("/staff/coding/?language=sv&lang=en").get_data(as_text=True)
    assert 'href="/staff/coding/?language=sv&amp;page=2"' in html
    assert len(ids_on(client, "/staff/coding/?language=sv&page=2")) == 5


def test_previous_and_next_follow_the_queue_with_its_filters(app, client, make_user, municipality):
    first = add(app, "Ett", language="sv")
    add(app, "Two", language="en")
    second = add(app, "Tre", language="sv")
    third = add(app, "Fyra", language="sv")
    login(client, make_user("analyst"))
    html = client.get(f"/staff/coding/{second}?language=sv").get_data(as_text=True)
    assert f'href="/staff/coding/{first}?language=sv" rel="prev"' in html
    assert f'href="/staff/coding/{third}?language=sv" rel="next"' in html
    url = f"/staff/coding/{first}?language=sv"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "node": [blocks(app)[0]],
                                      "then": "next"})
    assert response.headers["Location"] == f"/staff/coding/{second}?language=sv"
    # the first is coded now: it has left the queue of uncoded contributions, not the queue of all
    html = client.get(f"/staff/coding/{second}?language=sv").get_data(as_text=True)
    assert 'rel="prev"' not in html
    assert f'href="/staff/coding/{first}?state=all&amp;language=sv" rel="prev"' in client.get(
        f"/staff/coding/{second}?state=all&language=sv").get_data(as_text=True)
    url = f"/staff/coding/{third}?language=sv"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "then": "next"})
    assert response.headers["Location"] == "/staff/coding/?language=sv"  # the end of the queue


TEXT = "Sjöarna 🌊 och skogen 🌲🌲 gör Älmhult, nej Flen, bäst. Skogen!\nÅ ena sidan ... å andra sidan."


def post_excerpt(client, contribution_id: int, excerpt: str, block_id: int | str, start: str = "", **extra):
    """Send the form as a browser would: the blocks coded so far stay ticked unless *extra* says otherwise."""
    url = f"/staff/coding/{contribution_id}"
    ticked = re.findall(r'name="node" value="(\d+)" data-number="\d+" checked', client.get(url).get_data(as_text=True))
    data = {"csrf_token": csrf_token(client, url), "excerpt": excerpt, "excerpt_node": str(block_id),
            "excerpt_start": start, "then": "excerpt", "node": ticked, **extra}
    return client.post(url + "?lang=en", data=data)


def active_excerpts(app, contribution_id: int) -> list[tuple[int, int | None, int | None]]:
    with app.app_context():
        return [(c.node_id, c.excerpt_start, c.excerpt_end)
                for c in db.session.get(Contribution, contribution_id).active_codings]


def test_an_excerpt_is_stored_as_character_offsets_into_the_text(app, client, make_user, municipality):
    contribution = add(app, TEXT, language="sv")
    block = blocks(app)
    login(client, make_user("analyst"))
    assert post_excerpt(client, contribution, "gör Älmhult", block[1]).status_code == 302
    start = TEXT.index("gör Älmhult")
    assert start == 24 and TEXT.encode("utf-16-le").find("gör Älmhult".encode("utf-16-le")) // 2 == 27
    assert active_excerpts(app, contribution) == [(block[1], start, start + len("gör Älmhult"))]
    # pasted without the line break and in other case: found all the same, and the offsets span the text's own
    post_excerpt(client, contribution, "skogen!  å ena", block[2])
    start = TEXT.index("Skogen!\nÅ")
    assert (block[2], start, start + len("Skogen!\nÅ ena")) in active_excerpts(app, contribution)
    # the browser tells where the selection began: the second "sidan" rather than the first
    first, second = TEXT.index("sidan"), TEXT.rindex("sidan")
    post_excerpt(client, contribution, "sidan", block[3], start=str(second))
    assert (block[3], second, second + 5) in active_excerpts(app, contribution)
    # a hint that does not fit is not trusted: the text is searched instead
    post_excerpt(client, contribution, "sidan", block[4], start="3")
    assert (block[4], first, first + 5) in active_excerpts(app, contribution)
    assert len(active_excerpts(app, contribution)) == 4
    html = client.get(f"/staff/coding/{contribution}?lang=en").get_data(as_text=True)
    assert '🌲🌲 <mark class="excerpt" data-blocks="2">gör Älmhult</mark>, nej' in html
    assert ('<mark class="excerpt" data-blocks="3">Skogen!\nÅ ena</mark> '
            '<mark class="excerpt" data-blocks="5">sidan</mark> ... å andra '
            '<mark class="excerpt" data-blocks="4">sidan</mark>.</p>') in html
    assert "Excerpt: «gör Älmhult»" in html


def test_a_new_excerpt_replaces_the_blocks_code_and_the_history_stays(app, client, make_user, municipality):
    contribution = add(app, TEXT, language="sv")
    block = blocks(app)
    login(client, make_user("analyst"))
    url = f"/staff/coding/{contribution}"
    client.post(url, data={"csrf_token": csrf_token(client, url), "node": [block[0]], "then": "stay"})
    post_excerpt(client, contribution, "Sjöarna 🌊", block[0], node=[block[0]])
    assert active_excerpts(app, contribution) == [(block[0], 0, 9)]
    with app.app_context():
        rows = db.session.execute(sa.select(Coding.excerpt_start, Coding.removed_at).order_by(Coding.id)).all()
    assert [(start, removed is not None) for start, removed in rows] == [(None, True), (0, False)]


def test_a_wrong_excerpt_gives_an_error_and_keeps_the_form(app, client, make_user, municipality):
    contribution = add(app, TEXT, language="sv")
    block = blocks(app)
    login(client, make_user("analyst"))
    response = post_excerpt(client, contribution, "Vetlanda är bäst", block[1], node=[block[5]], note="Min <b>not</b>",
                            publishable="1")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<a href="#excerpt">The excerpt is not in the contribution' in html
    assert ">Vetlanda är bäst</textarea>" in html and "Min &lt;b&gt;not&lt;/b&gt;</textarea>" in html
    assert f'value="{block[5]}" data-number="6" checked' in html
    assert f'<option value="{block[1]}" selected>' in html
    assert 'id="publishable" name="publishable" value="1" aria-describedby="publishable-hint" checked' in html
    response = post_excerpt(client, contribution, "   ", "")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'href="#excerpt-node"' in html and "Type or paste a part" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)) == 0
        assert db.session.get(Contribution, contribution).publishable is False


def test_publishable_is_set_by_an_analyst_and_audited(app, client, make_user, municipality):
    contribution = add(app, "Badplatsen vid Hälleforsnäs är fin", language="sv")
    login(client, make_user("analyst"))
    url = f"/staff/coding/{contribution}"
    client.post(url, data={"csrf_token": csrf_token(client, url), "publishable": "1", "then": "stay"})
    client.post(url, data={"csrf_token": csrf_token(client, url), "publishable": "1", "then": "stay"})
    with app.app_context():
        assert db.session.get(Contribution, contribution).publishable is True
    client.post(url, data={"csrf_token": csrf_token(client, url), "then": "stay"})
    with app.app_context():
        assert db.session.get(Contribution, contribution).publishable is False
        details = db.session.scalars(sa.select(AuditEvent.details).where(
            AuditEvent.action == "contribution.publishable").order_by(AuditEvent.id)).all()
    assert details == [{"publishable": True}, {"publishable": False}]


def test_the_workspace_shows_the_keys_and_the_context(app, client, make_user, municipality):
    answer_all(app, app.test_client())
    login(client, make_user("analyst"))
    html = client.get(f"/staff/coding/{contributions(app)[0]}?lang=en").get_data(as_text=True)
    assert "<kbd>s</kbd>" in html and "What are the municipality" in html and "When is Flens kommun" in html
    assert 'id="contribution-text">Forests and lakes</p>' in html
