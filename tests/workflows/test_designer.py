"""The process designer pages: access, building a definition step by step, problems, publishing,
JSON and BPMN exchange, and the test run for real documents."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from edoc.models import DocumentGrant, User
from edoc.models.organisation import Role
from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate
from tests.conftest import make_pdf
from workflows.actions import ACTIONS, ActionSpec, register
from workflows.bpmn import graph_to_bpmn
from workflows.engine import follow_branches
from workflows.graph import parse
from workflows.models import DefinitionVersion, ProcessDefinition
from workflows.services.definitions import definition_create, draft_save, version_publish
from workflows.services.processes import process_start

from .test_bpmn import BILLION_LAUGHS
from .test_engine import four_step_graph


@pytest.fixture
def admin(users, units) -> User:
    return User.objects.create_user(
        username="quantri", password="pw-quantri", unit=units["office"], role=Role.ADMIN
    )


def client_of(user: User, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def as_admin(admin) -> Client:
    return client_of(admin)


@pytest.fixture
def definition(admin) -> ProcessDefinition:
    return definition_create(
        user=admin, key="lay-y-kien", name="Lấy ý kiến góp ý", subject_kind="incoming"
    )


def draft_graph(definition: ProcessDefinition) -> dict:
    return definition.draft_version().graph


def url(name: str, *args) -> str:
    return reverse(f"designer:{name}", args=args)


def step_post(client: Client, definition: ProcessDefinition, htmx: bool = True, **fields):
    data = {"original_id": "", "action": "generic", "deadline_unit": "days", "join": "all"}
    data.update({"rule-0-rule": "", "rule-1-rule": "", "branch-0-condition": ""})
    data.update({key.replace("__", "-"): value for key, value in fields.items()})
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url("step_save", definition.pk), data, **headers)


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_open_for_administrators(as_admin, definition):
    draft_save(user=definition.created_by, definition=definition, graph=four_step_graph_for())
    pages = [
        url("list"),
        url("edit", definition.pk),
        url("edit", definition.pk) + "?step=opinions",
        url("edit", definition.pk) + "?step=__new__",
        url("json", definition.pk),
        url("version", definition.pk, 1),
        url("test_run", definition.pk),
        url("test_run", definition.pk) + "?run=1",
        url("export_bpmn", definition.pk),
        url("condition_check") + "?branch-0-condition=confidential",
    ]
    for page in pages:
        assert as_admin.get(page).status_code == 200, page


@pytest.mark.django_db
def test_everybody_else_gets_403(users, definition):
    specialist = client_of(users["specialist"])
    gets = [
        url("list"),
        url("edit", definition.pk),
        url("json", definition.pk),
        url("version", definition.pk, 1),
        url("test_run", definition.pk),
        url("export_bpmn", definition.pk),
        url("condition_check"),
    ]
    for page in gets:
        assert specialist.get(page).status_code == 403, page
    posts = [
        url("list"),
        url("step_save", definition.pk),
        url("step_delete", definition.pk, "x"),
        url("publish", definition.pk),
        url("json", definition.pk),
        url("import_bpmn", definition.pk),
        url("delete", definition.pk),
    ]
    for page in posts:
        assert specialist.post(page, {"key": "x", "name": "x"}).status_code == 403, page
    assert ProcessDefinition.objects.count() == 1
    assert Client().get(url("list")).status_code == 302  # to the login page


# --- Building a definition --------------------------------------------------------------------


def four_step_graph_for() -> dict:
    return {
        "start": "draft",
        "steps": [
            {
                "id": "draft",
                "name": "Soạn thảo",
                "type": "user",
                "assignee": {"rule": "initiator"},
                "next": "opinions",
            },
            {
                "id": "opinions",
                "name": "Lấy ý kiến",
                "type": "parallel",
                "assignees": [{"rule": "initiator"}, {"rule": "lead_unit_head"}],
                "next": "route",
            },
            {
                "id": "route",
                "name": "Theo độ mật",
                "type": "branch",
                "branches": [{"condition": "confidential", "next": "done"}],
                "default": "done",
            },
            {"id": "done", "name": "Hoàn thành", "type": "end"},
        ],
    }


@pytest.mark.django_db
def test_create_then_build_four_steps_then_publish(as_admin, admin, users, units):
    response = as_admin.post(
        url("list"),
        {"key": "thu-nghiem", "name": "Quy trình thử nghiệm", "subject_kind": "any"},
    )
    definition = ProcessDefinition.objects.get(key="thu-nghiem")
    assert response.status_code == 302 and response["Location"] == url("edit", definition.pk)
    assert draft_graph(definition) == {"start": None, "steps": []}

    response = step_post(
        as_admin,
        definition,
        id="draft",
        name="Chuyên viên soạn",
        type="user",
        next="opinions",
        deadline="0.5",
        allow_return="on",
        rule__0__rule="initiator",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="editor-body">')  # the htmx partial
    assert 'id="problems"' in body and "“opinions”, which does not exist" in body
    assert 'id="diagram"' in body and "Chuyên viên soạn" in body
    assert response["HX-Push-Url"] == url("edit", definition.pk) + "?step=draft"

    step_post(
        as_admin,
        definition,
        id="opinions",
        name="Lấy ý kiến các phòng",
        type="parallel",
        next="route",
        deadline="4",
        deadline_unit="hours",
        join="count",
        join_count="2",
        rule__0__rule="user",
        rule__0__user=str(users["head"].pk),
        rule__1__rule="role",
        rule__1__role=["unit_head", "deputy_director"],
        rule__1__unit=str(units["pharmacy"].pk),
        rule__2__rule="group",
        rule__2__group="",
    )
    # The group row without a group is refused: nothing saved, the error is on the row.
    assert len(draft_graph(definition)["steps"]) == 1
    response = step_post(
        as_admin,
        definition,
        id="opinions",
        name="Lấy ý kiến các phòng",
        type="parallel",
        next="route",
        deadline="4",
        deadline_unit="hours",
        join="count",
        join_count="2",
        rule__0__rule="user",
        rule__0__user=str(users["head"].pk),
        rule__1__rule="role",
        rule__1__role=["unit_head", "deputy_director"],
        rule__1__unit=str(units["pharmacy"].pk),
        rule__2__rule="",
    )
    response = step_post(
        as_admin,
        definition,
        id="route",
        name="Theo độ mật",
        type="branch",
        branch__0__condition="confidential",
        branch__0__next="done",
        branch__1__condition='type in ("QĐ", "QC")',
        branch__1__next="done",
        default="done",
    )
    response = step_post(as_admin, definition, id="done", name="Hoàn thành", type="end")
    assert "No problems: the draft can be published." in response.content.decode()

    graph = draft_graph(definition)
    steps = {step["id"]: step for step in graph["steps"]}
    assert graph["start"] == "draft"
    assert steps["draft"]["assignee"] == {"rule": "initiator"}
    assert steps["draft"]["deadline"] == {"days": 0.5} and steps["draft"]["allow_return"]
    assert steps["opinions"]["assignees"] == [
        {"rule": "user", "user": users["head"].pk},
        {"rule": "role", "role": ["unit_head", "deputy_director"], "unit": units["pharmacy"].pk},
    ]
    assert steps["opinions"]["join"] == 2 and steps["opinions"]["deadline"] == {"hours": 4}
    assert steps["route"]["branches"][1] == {"condition": 'type in ("QĐ", "QC")', "next": "done"}

    response = as_admin.post(url("publish", definition.pk), {"note": "Bản đầu tiên"})
    assert response.status_code == 302
    version = definition.versions.get()
    assert version.is_published and version.published_by == admin
    assert version.note == "Bản đầu tiên"
    page = as_admin.get(url("edit", definition.pk)).content.decode()
    assert "Version 1 is published" in page and "Nothing to publish: no draft." in page
    history = page[page.index('id="versions-table"') :]
    assert str(admin) in history and "Bản đầu tiên" in history

    # Editing after publication opens draft 2; version 1 stays as it was.
    step_post(as_admin, definition, original_id="done", id="done", name="Kết thúc", type="end")
    assert definition.draft_version().number == 2
    version.refresh_from_db()
    assert version.graph["steps"][-1]["name"] == "Hoàn thành"
    listing = as_admin.get(url("list")).content.decode()
    assert "v1" in listing and "draft v2" in listing


@pytest.mark.django_db
def test_publish_is_refused_with_the_list_of_problems(as_admin, definition):
    step_post(
        as_admin, definition, id="draft", name="Soạn", type="user", next="missing", htmx=False
    )
    response = as_admin.post(url("publish", definition.pk), follow=True)
    body = response.content.decode()
    assert "Not published: 2 problems must be fixed first" in body
    problems = body[body.index('id="problems"') :]
    problems = problems[: problems.index("</div>")]
    assert "has no assignee rule" in problems
    assert "“missing”, which does not exist" in problems
    assert not definition.versions.filter(status=DefinitionVersion.Status.PUBLISHED).exists()


@pytest.mark.django_db
def test_step_form_errors_keep_the_draft_unchanged(as_admin, definition):
    draft_save(user=definition.created_by, definition=definition, graph=four_step_graph_for())
    before = draft_graph(definition)
    cases = [
        ({"id": "Bad Id", "name": "x", "type": "end"}, "Start with a letter"),
        ({"id": "draft", "name": "x", "type": "end"}, "Another step already has this id."),
        (
            {
                "id": "route2",
                "name": "x",
                "type": "branch",
                "branch__0__condition": "__import__('os')",
                "branch__0__next": "done",
            },
            "not allowed in a condition",
        ),
        (
            {"id": "u", "name": "x", "type": "user", "rule__0__rule": "role"},
            "Choose the role.",
        ),
        (
            {
                "id": "p",
                "name": "x",
                "type": "parallel",
                "join": "count",
                "join_count": "3",
                "rule__0__rule": "initiator",
            },
            "At most 1: the number of assignee rules.",
        ),
    ]
    for fields, message in cases:
        response = step_post(as_admin, definition, **fields)
        assert response.status_code == 200
        assert message in response.content.decode(), message
    assert draft_graph(definition) == before


@pytest.mark.django_db
def test_renaming_and_deleting_steps_keep_the_links_sound(as_admin, definition):
    draft_save(user=definition.created_by, definition=definition, graph=four_step_graph_for())
    step_post(
        as_admin,
        definition,
        original_id="draft",
        id="compose",
        name="Soạn",
        type="user",
        next="opinions",
        rule__0__rule="initiator",
    )
    graph = draft_graph(definition)
    assert graph["start"] == "compose" and graph["steps"][0]["id"] == "compose"

    response = as_admin.post(url("step_delete", definition.pk, "done"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    graph = draft_graph(definition)
    route = next(step for step in graph["steps"] if step["id"] == "route")
    assert route["branches"] == [] and route["default"] is None
    assert "has no default" in response.content.decode()


@pytest.mark.django_db
def test_the_action_list_grows_at_runtime(as_admin, definition):
    register(ActionSpec("designer_test_action", "Ký số thử nghiệm"))
    try:
        page = as_admin.get(url("edit", definition.pk) + "?step=__new__").content.decode()
        assert 'value="designer_test_action"' in page and "Ký số thử nghiệm" in page
    finally:
        ACTIONS.pop("designer_test_action")


@pytest.mark.django_db
def test_condition_check(as_admin):
    ok = as_admin.get(url("condition_check"), {"branch-3-condition": 'urgency != "normal"'})
    assert "Valid condition" in ok.content.decode()
    bad = as_admin.get(url("condition_check"), {"branch-0-condition": "amount >"})
    assert "syntax error" in bad.content.decode()
    unknown = as_admin.get(url("condition_check"), {"branch-0-condition": "colour == 1"})
    assert "unknown field" in unknown.content.decode()


@pytest.mark.django_db
def test_json_editor_validates_on_save(as_admin, definition):
    page = as_admin.post(url("json", definition.pk), {"graph_json": "{not json"})
    assert "Not valid JSON" in page.content.decode()
    page = as_admin.post(url("json", definition.pk), {"graph_json": '{"steps": [1, 2]}'})
    assert "Every step must be an object with an id." in page.content.decode()
    graph = four_step_graph_for()
    response = as_admin.post(url("json", definition.pk), {"graph_json": json.dumps(graph)})
    assert response.status_code == 302
    assert draft_graph(definition)["steps"][1]["assignees"][1] == {"rule": "lead_unit_head"}


@pytest.mark.django_db
def test_delete_is_refused_while_processes_use_the_definition(as_admin, admin, users, units):
    used = definition_create(
        user=admin, key="dung", name="Đang dùng", graph=four_step_graph(users, units)
    )
    version_publish(user=admin, definition=used)
    process_start(user=users["specialist"], definition=used)
    response = as_admin.post(url("delete", used.pk), follow=True)
    assert "is used by 1 process(es) and cannot be deleted" in response.content.decode()
    assert ProcessDefinition.objects.filter(pk=used.pk).exists()
    row = response.content.decode().split('id="definition-dung"')[1].split("</tr>")[0]
    assert '<td class="col-num">1</td>' in row  # one running process

    unused = definition_create(user=admin, key="bo", name="Bỏ")
    response = as_admin.post(url("delete", unused.pk), follow=True)
    assert "“Bỏ” was deleted." in response.content.decode()
    assert not ProcessDefinition.objects.filter(pk=unused.pk).exists()


# --- BPMN exchange ----------------------------------------------------------------------------


def upload(content: bytes, name: str = "quy-trinh.bpmn") -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


@pytest.mark.django_db
def test_bpmn_download_and_import_as_draft(as_admin, definition):
    draft_save(user=definition.created_by, definition=definition, graph=four_step_graph_for())
    response = as_admin.get(url("export_bpmn", definition.pk))
    assert response["Content-Type"].startswith("application/xml")
    assert 'filename="lay-y-kien-v1.bpmn"' in response["Content-Disposition"]
    exported = response.content
    assert b"bpmndi:BPMNDiagram" in exported

    draft_save(user=definition.created_by, definition=definition, graph={"steps": []})
    response = as_admin.post(
        url("import_bpmn", definition.pk), {"bpmn_file": upload(exported)}, follow=True
    )
    assert "was imported as the draft (4 steps)" in response.content.decode()
    assert draft_graph(definition)["steps"][1]["assignees"] == [
        {"rule": "initiator"},
        {"rule": "lead_unit_head"},
    ]

    response = as_admin.post(
        url("import_bpmn", definition.pk), {"bpmn_file": upload(BILLION_LAUGHS)}, follow=True
    )
    assert "refused for safety" in response.content.decode()
    assert len(draft_graph(definition)["steps"]) == 4


@pytest.mark.django_db
def test_a_new_definition_can_start_from_a_bpmn_file(as_admin):
    xml = graph_to_bpmn(four_step_graph_for(), key="tu-bpmn")
    response = as_admin.post(
        url("list"),
        {"key": "tu-bpmn", "name": "Từ BPMN", "subject_kind": "any", "bpmn_file": upload(xml)},
    )
    assert response.status_code == 302
    definition = ProcessDefinition.objects.get(key="tu-bpmn")
    assert [s["id"] for s in draft_graph(definition)["steps"]] == [
        "draft",
        "opinions",
        "route",
        "done",
    ]
    response = as_admin.post(
        url("list"),
        {"key": "hong", "name": "Hỏng", "subject_kind": "any", "bpmn_file": upload(b"<x")},
    )
    assert response.status_code == 200 and "not well-formed XML" in response.content.decode()
    assert not ProcessDefinition.objects.filter(key="hong").exists()


# --- Test run ---------------------------------------------------------------------------------


def register_incoming(users, catalogs, *, subject: str, confidential: bool, number: str):
    pdf = make_pdf(["UBND TỈNH ĐỒNG NAI", f"Số: {number}/KH-UBND", subject])
    file = io.BytesIO(pdf)
    file.name = "van-ban.pdf"
    return incoming_register(
        user=users["clerk"],
        subject=subject,
        urgency=catalogs["normal"],
        confidentiality=catalogs["secret" if confidential else "public"],
        pdf=pdf_validate(file, "van-ban.pdf"),
        issuer="Ủy ban nhân dân tỉnh Đồng Nai",
        number=number,
        notation="KH-UBND",
    )


@pytest.mark.django_db
def test_test_run_shows_branch_and_assignees_for_confidential_and_normal(
    as_admin, admin, users, units, catalogs
):
    definition = definition_create(
        user=admin, key="thu", name="Thử", graph=four_step_graph(users, units)
    )
    normal = register_incoming(
        users, catalogs, subject="Kế hoạch thường", confidential=False, number="7"
    )
    secret = register_incoming(
        users, catalogs, subject="Kế hoạch mật", confidential=True, number="8"
    )

    page = as_admin.get(url("test_run", definition.pk), {"document": "7/KH-UBND"}).content.decode()
    path = page[page.index('id="path-table"') :]
    assert 'id="path-deputy"' in path and 'id="path-director"' not in path
    deputy_row = path[path.index('id="path-deputy"') :].split("</tr>")[0]
    assert str(users["deputy"]) in deputy_row
    assert "✓ otherwise → Phó Giám đốc duyệt" in path
    opinions = path[path.index('id="path-opinions"') :].split("</tr>")[0]
    assert str(users["head"]) in opinions and str(users["other_head"]) in opinions
    draft_row = path[path.index('id="path-draft"') :].split("</tr>")[0]
    assert str(admin) in draft_row  # the initiator of a test run is the administrator
    assert "1 working days" in draft_row

    # A confidential document is found only with an explicit grant.
    secret_lookup = {"document": f"#{secret.pk}"}
    page = as_admin.get(url("test_run", definition.pk), secret_lookup).content.decode()
    assert "No document you can see matches" in page and 'id="path-table"' not in page
    DocumentGrant.objects.create(document=secret, user=admin, granted_by=users["clerk"])
    page = as_admin.get(url("test_run", definition.pk), secret_lookup).content.decode()
    path = page[page.index('id="path-table"') :]
    assert 'id="path-director"' in path and 'id="path-deputy"' not in path
    director_row = path[path.index('id="path-director"') :].split("</tr>")[0]
    assert str(users["director"]) in director_row
    # The condition in words, the expression below it, the step by its name.
    assert (
        '✓ The document is confidential <code class="expr">confidential</code> → Giám đốc' in path
    )
    # The same decisions as the engine's.
    graph = parse(definition.draft_version().graph)
    assert follow_branches(graph, "route", secret) == "director"
    assert follow_branches(graph, "route", normal) == "deputy"


@pytest.mark.django_db
def test_test_run_of_a_chosen_version(as_admin, admin, users, units, catalogs):
    definition = definition_create(
        user=admin, key="thu", name="Thử", graph=four_step_graph(users, units)
    )
    version_publish(user=admin, definition=definition)
    changed = four_step_graph(users, units)
    changed["steps"][2]["branches"] = []  # draft 2: everything goes to the deputy
    draft_save(user=admin, definition=definition, graph=changed)
    document = register_incoming(users, catalogs, subject="Mật", confidential=True, number="9")
    DocumentGrant.objects.create(document=document, user=admin, granted_by=users["clerk"])

    v1 = as_admin.get(url("test_run", definition.pk), {"document": document.pk, "version": "1"})
    assert 'id="path-director"' in v1.content.decode()
    draft = as_admin.get(url("test_run", definition.pk), {"document": document.pk})
    assert 'id="path-deputy"' in draft.content.decode()


@pytest.mark.django_db
def test_menu_link_and_vietnamese_pages(admin, users, definition):
    vietnamese = client_of(admin, "vi")
    page = vietnamese.get(url("list")).content.decode()
    assert 'id="nav-designer"' in page and "Thiết kế quy trình" in page
    page = vietnamese.get(url("edit", definition.pk) + "?step=__new__").content.decode()
    assert "Thêm bước" in page and "Lưu bước" in page and "Bước song song" in page
    assert 'id="nav-designer"' not in client_of(users["specialist"]).get("/").content.decode()


@pytest.mark.django_db
def test_odd_json_is_refused_or_shown_without_errors(as_admin, definition):
    odd = {"steps": [{"id": "a", "type": "parallel", "assignees": 5}]}
    page = as_admin.post(url("json", definition.pk), {"graph_json": json.dumps(odd)})
    assert page.status_code == 200
    assert "does not have the shape of a process definition" in page.content.decode()
    strange = four_step_graph_for()
    strange["steps"][0]["assignee"] = {"rule": "user", "user": "not-a-number"}
    draft_save(user=definition.created_by, definition=definition, graph=strange)
    page = as_admin.get(url("test_run", definition.pk), {"run": "1"})
    assert (
        page.status_code == 200
        and "nobody — the task would stay unassigned" in page.content.decode()
    )
