"""Admins edit a vision's tree in the browser: add, change, move, reorder, archive; others may not."""

from __future__ import annotations

import html
import io

import pytest
import sqlalchemy as sa

from dialogue.coding.models import Channel, Coding, Contribution
from dialogue.core.models import AuditEvent
from dialogue.extensions import db
from dialogue.vision import services
from dialogue.vision.models import NodeKind, Vision, VisionNode
from tests.conftest import csrf_token, login

SLUG = "flen-vision-2019"


def node_ids(app, kind: NodeKind) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(VisionNode.id).where(VisionNode.kind == kind)
                                       .order_by(VisionNode.parent_id, VisionNode.position)))


def vision_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Vision.id).where(Vision.slug == SLUG))


def titles_under(app, parent_id: int | None) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(VisionNode.title["en"].as_string()).where(
            VisionNode.parent_id == parent_id if parent_id else VisionNode.parent_id.is_(None),
            VisionNode.vision_id == vision_id(app)).order_by(VisionNode.position)))


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def admin(client, make_user, municipality):
    login(client, make_user("admin"))
    return client


def node_form(client, url: str, **fields) -> dict:
    data = {"csrf_token": csrf_token(client, url), "kind": "building_block", "parent": "",
            "title_sv": "", "title_da": "", "title_en": "", "text_sv": "", "text_da": "", "text_en": ""}
    data.update(fields)
    return data


def test_add_a_node_under_a_parent_in_three_languages(app, admin):
    statement = node_ids(app, NodeKind.vision)[0]
    url = f"/staff/vision/{vision_id(app)}/nodes/new"
    page = admin.get(f"{url}?parent={statement}&lang=en").get_data(as_text=True)
    assert f'<option selected value="{statement}">' in page
    response = admin.post(url, data=node_form(admin, url, parent=str(statement), title_sv="Kultur", title_da="Kultur",
                                              title_en="Culture", text_en="Libraries and music"))
    assert response.status_code == 302
    with app.app_context():
        node = db.session.scalar(sa.select(VisionNode).where(VisionNode.title["en"].as_string() == "Culture"))
        assert (node.parent_id, node.kind, node.text) == (statement, NodeKind.building_block,
                                                          {"en": "Libraries and music"})
        assert node.position == 9  # after the nine building blocks
    assert actions(app)[-1] == "vision.node.create"
    assert "Culture" in admin.get(f"/vision/{SLUG}?lang=en").get_data(as_text=True)


def test_a_node_without_a_title_keeps_what_was_typed_and_says_why(app, admin):
    url = f"/staff/vision/{vision_id(app)}/nodes/new"
    response = admin.post(url + "?lang=en", data=node_form(admin, url, text_en="Only <b>text</b>"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give a title in at least one language." in page and 'href="#title_sv"' in page
    assert "Only &lt;b&gt;text&lt;/b&gt;</textarea>" in page
    assert "vision.node.create" not in actions(app)


def test_edit_changes_kind_title_and_text(app, admin):
    value = node_ids(app, NodeKind.value)[0]
    url = f"/staff/vision/nodes/{value}"
    page = admin.get(url + "?lang=en").get_data(as_text=True)
    assert 'value="Stolthet"' in page
    admin.post(url, data=node_form(admin, url, kind="aim", title_sv="Stolthet", title_en="Pride!",
                                   text_sv="Vi är stolta"))
    with app.app_context():
        node = db.session.get(VisionNode, value)
        assert (node.kind, node.title, node.text) == (NodeKind.aim, {"sv": "Stolthet", "en": "Pride!"},
                                                      {"sv": "Vi är stolta"})
    assert actions(app)[-1] == "vision.node.update"


def test_move_takes_the_branch_along_and_closes_the_gap(app, admin):
    statement = node_ids(app, NodeKind.vision)[0]
    blocks = node_ids(app, NodeKind.building_block)
    first_value = node_ids(app, NodeKind.value)[0]
    url = f"/staff/vision/nodes/{blocks[0]}"
    with app.app_context():
        title = db.session.get(VisionNode, blocks[0]).title
    admin.post(url, data=node_form(admin, url, parent=str(first_value), **{f"title_{k}": v for k, v in title.items()}))
    with app.app_context():
        moved = db.session.get(VisionNode, blocks[0])
        assert (moved.parent_id, moved.position) == (first_value, 0)
        left = db.session.scalars(sa.select(VisionNode.position).where(VisionNode.parent_id == statement)
                                  .order_by(VisionNode.position)).all()
        assert left == list(range(8))


@pytest.mark.parametrize("target", ["self", "child", "grandchild"])
def test_a_node_never_goes_under_itself_or_its_branch(app, admin, target):
    statement = node_ids(app, NodeKind.vision)[0]
    with app.app_context():
        vision = db.session.get(Vision, vision_id(app))
        block = db.session.scalar(sa.select(VisionNode).where(VisionNode.parent_id == statement).limit(1))
        from dialogue.vision import tree
        grandchild = tree.add_node(vision, block, NodeKind.challenge, {"sv": "Barnbarn"}, {})
        db.session.commit()
        wanted = {"self": statement, "child": block.id, "grandchild": grandchild.id}[target]
    url = f"/staff/vision/nodes/{statement}"
    page = admin.get(url).get_data(as_text=True)
    assert f'value="{wanted}"' not in page  # not offered
    response = admin.post(url + "?lang=en", data=node_form(admin, url, kind="vision", parent=str(wanted),
                                                           title_sv="Ändrad titel"))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A node cannot go under itself or under a node below it." in text
    assert 'value="Ändrad titel"' in text  # what was typed stays
    with app.app_context():
        node = db.session.get(VisionNode, statement)
        assert node.parent_id is None and node.title["sv"] != "Ändrad titel"


def test_a_parent_from_another_vision_is_refused(app, admin):
    with app.app_context():
        other = services.import_vision((services.SEEDS / "varnamo.yaml").read_text(encoding="utf-8"))
        db.session.commit()
        foreign = other.nodes[0].id
    value = node_ids(app, NodeKind.value)[0]
    url = f"/staff/vision/nodes/{value}"
    response = admin.post(url + "?lang=en", data=node_form(admin, url, kind="value", parent=str(foreign),
                                                           title_sv="Stolthet"))
    assert response.status_code == 422 and "Choose a node of this vision." in response.get_data(as_text=True)


def test_reorder_among_siblings_with_up_and_down(app, admin):
    first_value = node_ids(app, NodeKind.value)[0]
    with app.app_context():
        parent = db.session.get(VisionNode, first_value).parent_id
    before = titles_under(app, parent)
    url = f"/staff/vision/nodes/{first_value}/order"
    token = csrf_token(admin, f"/staff/vision/{vision_id(app)}")
    response = admin.post(url, data={"csrf_token": token, "direction": "down"})
    assert response.headers["Location"].endswith(f"#node-{first_value}")
    i = before.index("Pride")
    assert titles_under(app, parent) == [*before[:i], before[i + 1], "Pride", *before[i + 2:]]
    admin.post(url, data={"csrf_token": token, "direction": "up"})
    assert titles_under(app, parent) == before
    last = titles_under(app, parent)[-1]
    with app.app_context():
        last_id = db.session.scalar(sa.select(VisionNode.id).where(VisionNode.title["en"].as_string() == last))
    end = admin.post(f"/staff/vision/nodes/{last_id}/order?lang=en", data={"csrf_token": token, "direction": "down"},
                     follow_redirects=True)
    assert "is already at the end" in end.get_data(as_text=True)
    assert titles_under(app, parent) == before
    page = admin.post(url + "?lang=en", data={"csrf_token": token, "direction": "sideways"},
                      follow_redirects=True).get_data(as_text=True)
    assert "Choose up or down." in page
    assert actions(app).count("vision.node.reorder") == 2


def test_archive_leaves_the_public_tree_keeps_codes_and_restores(app, admin):
    block = node_ids(app, NodeKind.building_block)[0]
    with app.app_context():
        contribution = Contribution(channel=Channel.questionnaire, text="Sjöarna")
        db.session.add(contribution)
        db.session.flush()
        db.session.add(Coding(contribution_id=contribution.id, node_id=block))
        db.session.commit()
        title = db.session.get(VisionNode, block).title["en"]
    token = csrf_token(admin, f"/staff/vision/{vision_id(app)}")
    admin.post(f"/staff/vision/nodes/{block}/archive", data={"csrf_token": token, "archived": "1"})
    assert title not in admin.get(f"/vision/{SLUG}?lang=en").get_data(as_text=True)
    staff = admin.get(f"/staff/vision/{vision_id(app)}?lang=en").get_data(as_text=True)
    assert title in staff and "Archived" in staff and "Restore" in staff
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)
                                 .where(Coding.node_id == block, Coding.removed_at.is_(None))) == 1
    admin.post(f"/staff/vision/nodes/{block}/archive", data={"csrf_token": token, "archived": "0"})
    assert title in admin.get(f"/vision/{SLUG}?lang=en").get_data(as_text=True)
    assert actions(app)[-2:] == ["vision.node.archive", "vision.node.restore"]


def test_changes_need_the_csrf_token(app, admin):
    value = node_ids(app, NodeKind.value)[0]
    response = admin.post(f"/staff/vision/nodes/{value}/archive", data={"archived": "1"})
    assert response.status_code == 400
    with app.app_context():
        assert not db.session.get(VisionNode, value).archived


@pytest.mark.parametrize("role", ["organizer", "analyst"])
def test_only_admins_edit(app, client, make_user, municipality, role):
    login(client, make_user(role))
    value = node_ids(app, NodeKind.value)[0]
    token = csrf_token(client, "/staff/vision/")
    assert "Edit the tree" not in client.get("/staff/vision/?lang=en").get_data(as_text=True)
    vid = vision_id(app)
    for url in (f"/staff/vision/{vid}", f"/staff/vision/{vid}/nodes/new", f"/staff/vision/nodes/{value}",
                "/staff/vision/new", "/staff/vision/import"):
        assert client.get(url).status_code == 403, url
    for url, data in ((f"/staff/vision/nodes/{value}/order", {"direction": "down"}),
                      (f"/staff/vision/nodes/{value}/archive", {"archived": "1"}),
                      (f"/staff/vision/nodes/{value}", {"kind": "value", "title_sv": "Hackad"})):
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 403, url
    with app.app_context():
        node = db.session.get(VisionNode, value)
        assert not node.archived and node.title["sv"] == "Stolthet"


def test_create_an_empty_vision(app, admin):
    url = "/staff/vision/new"
    bad = admin.post(url + "?lang=en", data={"csrf_token": csrf_token(admin, url), "slug": "Vision 2030!",
                                             "name_sv": "Vision 2030"})
    assert bad.status_code == 422 and "Use lower-case letters" in bad.get_data(as_text=True)
    assert 'value="Vision 2030"' in bad.get_data(as_text=True)
    taken = admin.post(url + "?lang=en", data={"csrf_token": csrf_token(admin, url), "slug": SLUG, "name_sv": "X"})
    assert "exists already" in taken.get_data(as_text=True)
    good = admin.post(url, data={"csrf_token": csrf_token(admin, url), "slug": "vision-2030", "name_sv": "Vision 2030"})
    assert good.status_code == 302
    assert admin.get("/vision/vision-2030").status_code == 200
    assert actions(app)[-1] == "vision.create"


def test_import_from_the_browser_is_all_or_nothing(app, admin):
    url = "/staff/vision/import"
    broken = b"slug: half\nname: {sv: Halv}\nnodes:\n  - kind: vision\n    title: {sv: Ok}\n" \
             b"    children:\n      - kind: nonsense\n        title: {sv: Fel}\n"
    response = admin.post(url + "?lang=en", data={"csrf_token": csrf_token(admin, url),
                                                  "file": (io.BytesIO(broken), "half.yaml")},
                          content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "nodes[1].children[1]" in page and "Nothing was imported" in page
    with app.app_context():
        assert db.session.scalar(sa.select(Vision.id).where(Vision.slug == "half")) is None
    # the file's message is in the reader's language too, naming the place in the file
    for lang, expected in (("sv", "nodes[1].children[1]: okänt slag 'nonsense'"),
                           ("da", "nodes[1].children[1]: ukendt type 'nonsense'")):
        response = admin.post(f"{url}?lang={lang}", data={"csrf_token": csrf_token(admin, url),
                                                          "file": (io.BytesIO(broken), "half.yaml")},
                              content_type="multipart/form-data")
        assert expected in html.unescape(response.get_data(as_text=True))
    empty = admin.post(url + "?lang=en", data={"csrf_token": csrf_token(admin, url)})
    assert empty.status_code == 422 and "Choose a file or a template." in empty.get_data(as_text=True)
    good = admin.post(url, data={"csrf_token": csrf_token(admin, url), "template": "hedensted"})
    assert good.status_code == 302
    assert admin.get("/vision/hedensted-vision?lang=da").status_code == 200
    again = admin.post(url + "?lang=en", data={"csrf_token": csrf_token(admin, url), "template": "hedensted"})
    assert "exists already" in again.get_data(as_text=True) and "--replace" not in again.get_data(as_text=True)
    assert "Replace a vision with the same short name" in again.get_data(as_text=True)  # the page's own tick box
    assert actions(app).count("vision.import") == 1


@pytest.mark.parametrize("name", ["flen", "varnamo", "hallsberg", "vetlanda", "hedensted"])
def test_every_template_imports_from_the_browser_and_shows(app, client, make_user, name):
    login(client, make_user("admin"))
    url = "/staff/vision/import"
    text = (services.SEEDS / f"{name}.yaml").read_bytes()
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(text), "v.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    tree_page = client.get(response.headers["Location"])
    assert tree_page.status_code == 200
    with app.app_context():
        slug = db.session.scalar(sa.select(Vision.slug))
    assert client.get(f"/vision/{slug}").status_code == 200
    assert client.get(f"/vision/{slug}/what-we-heard").status_code == 200



def test_an_imported_vision_gets_the_municipalitys_own_name_and_address(app, admin):
    from dialogue.vision import tree as vision_tree
    from dialogue.vision.models import Vision
    from tests.conftest import csrf_token

    with app.app_context():
        vision_id = db.session.scalar(sa.select(Vision.id).where(Vision.slug == "flen-vision-2019"))
        vision_tree.create_vision("another-vision", {"sv": "En annan"})
        db.session.commit()
    url = f"/staff/vision/{vision_id}/edit?lang=en"
    data = {"csrf_token": csrf_token(admin, url), "slug": "vastby-2030", "name_sv": "Västby 2030", "name_da": "",
            "name_en": "Västby 2030 (en)"}
    assert admin.post(url, data=data).status_code == 302
    assert "Västby 2030" in admin.get("/vision/vastby-2030?lang=sv").get_data(as_text=True)
    assert admin.get("/vision/flen-vision-2019").status_code == 404
    taken = admin.post(url, data=dict(data, slug="another-vision"))
    assert taken.status_code == 422 and "exists already" in taken.get_data(as_text=True)
    bad = admin.post(url, data=dict(data, slug="Västby!"))
    assert bad.status_code == 422 and "lower-case letters" in bad.get_data(as_text=True)
