"""The interpreter runs admin-designed definitions: user, parallel and branch steps, returns,
version pinning, deadlines from the working-day calendar."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from edoc.models.organisation import Role
from workflows.models import ProcessRun, WorkItem
from workflows.services.definitions import (
    definition_create,
    definition_delete,
    draft_save,
    version_publish,
)
from workflows.services.processes import (
    process_start,
    returnable_steps,
    work_item_claim,
    work_item_complete,
    work_item_return,
)


@pytest.fixture
def admin(users, units):
    from edoc.models import User

    return User.objects.create_user(
        username="quantri", password="pw-quantri", unit=units["office"], role=Role.ADMIN
    )


def four_step_graph(users, units, *, join="all"):
    return {
        "start": "draft",
        "steps": [
            {
                "id": "draft",
                "name": "Soạn thảo",
                "type": "user",
                "assignee": {"rule": "initiator"},
                "deadline": {"days": 1},
                "next": "opinions",
            },
            {
                "id": "opinions",
                "name": "Lấy ý kiến",
                "type": "parallel",
                "assignees": [
                    {"rule": "user", "user": users["head"].pk},
                    {"rule": "role", "role": "unit_head", "unit": units["pharmacy"].pk},
                ],
                "join": join,
                "deadline": {"hours": 4},
                "next": "route",
            },
            {
                "id": "route",
                "name": "Theo độ mật",
                "type": "branch",
                "branches": [{"condition": "confidential", "next": "director"}],
                "default": "deputy",
            },
            {
                "id": "director",
                "name": "Giám đốc duyệt",
                "type": "user",
                "assignee": {"rule": "user", "user": users["director"].pk},
                "next": "done",
            },
            {
                "id": "deputy",
                "name": "Phó Giám đốc duyệt",
                "type": "user",
                "assignee": {"rule": "role", "role": "deputy_director", "unit": "agency"},
                "next": "done",
            },
            {"id": "done", "name": "Hoàn thành", "type": "end"},
        ],
    }


def publish(admin, graph, key="thu-nghiem"):
    definition = definition_create(user=admin, key=key, name="Quy trình thử nghiệm", graph=graph)
    version_publish(user=admin, definition=definition)
    return definition


def open_items(run):
    return list(run.work_items.filter(status=WorkItem.Status.OPEN).order_by("pk"))


@pytest.mark.django_db
def test_a_document_runs_through_user_parallel_and_branch_steps(admin, users, units):
    definition = publish(admin, four_step_graph(users, units))
    run = process_start(user=users["specialist"], definition=definition)
    (draft,) = open_items(run)
    assert draft.assignee == users["specialist"] and draft.deadline is not None

    work_item_complete(user=users["specialist"], work_item=draft, comment="Đã soạn")
    first, second = open_items(run)
    assert {first.assignee, second.assignee} == {users["head"], users["other_head"]}
    with pytest.raises(PermissionDenied):
        work_item_complete(user=users["specialist"], work_item=first)
    work_item_complete(user=first.assignee, work_item=first)
    assert len(open_items(run)) == 1  # join "all" waits for the second
    work_item_complete(user=second.assignee, work_item=second)

    (approval,) = open_items(run)  # not confidential: the default branch
    assert approval.step_id == "deputy" and approval.assignee == users["deputy"]
    work_item_complete(user=users["deputy"], work_item=approval)
    run.refresh_from_db()
    assert run.is_finished and run.current_step == "done"
    assert run.process.status == "DONE"


@pytest.mark.django_db
def test_join_any_cancels_the_other_task(admin, users, units):
    definition = publish(admin, four_step_graph(users, units, join="any"))
    run = process_start(user=users["specialist"], definition=definition)
    work_item_complete(user=users["specialist"], work_item=open_items(run)[0])
    first, second = open_items(run)
    work_item_complete(user=first.assignee, work_item=first)
    second.refresh_from_db()
    assert second.status == WorkItem.Status.CANCELLED
    assert [item.step_id for item in open_items(run)] == ["deputy"]
    with pytest.raises(ValidationError) as error:
        work_item_complete(user=second.assignee, work_item=second)
    assert error.value.code == "already_done"


@pytest.mark.django_db
def test_return_to_an_earlier_step_with_a_reason(admin, users, units):
    graph = four_step_graph(users, units)
    graph["steps"][1] = {  # make the opinion step a single user step for this test
        "id": "opinions",
        "name": "Trưởng phòng xem",
        "type": "user",
        "assignee": {"rule": "user", "user": users["head"].pk},
        "next": "route",
    }
    definition = publish(admin, graph)
    run = process_start(user=users["specialist"], definition=definition)
    work_item_complete(user=users["specialist"], work_item=open_items(run)[0])
    (review,) = open_items(run)
    assert returnable_steps(review) == [("draft", "Soạn thảo")]
    with pytest.raises(ValidationError):
        work_item_return(user=users["head"], work_item=review, to_step="draft", reason="")
    work_item_return(
        user=users["head"], work_item=review, to_step="draft", reason="Sửa lại số liệu"
    )
    (again,) = open_items(run)
    assert again.step_id == "draft" and again.assignee == users["specialist"]


@pytest.mark.django_db
def test_group_tasks_are_claimed(admin, users, units):
    from edoc.models import User

    User.objects.create_user(username="pgd2", unit=units["board"], role=Role.DEPUTY_DIRECTOR)
    definition = publish(admin, four_step_graph(users, units, join="any"))
    run = process_start(user=users["specialist"], definition=definition)
    work_item_complete(user=users["specialist"], work_item=open_items(run)[0])
    work_item_complete(user=users["head"], work_item=open_items(run)[0])
    (approval,) = open_items(run)
    assert approval.assignee is None and approval.candidates.count() == 2
    with pytest.raises(PermissionDenied):
        work_item_claim(user=users["head"], work_item=approval)
    work_item_claim(user=users["deputy"], work_item=approval)
    with pytest.raises(ValidationError):
        work_item_claim(user=User.objects.get(username="pgd2"), work_item=approval)
    work_item_complete(user=users["deputy"], work_item=approval)
    run.refresh_from_db()
    assert run.is_finished


@pytest.mark.django_db
def test_running_processes_keep_their_version(admin, users, units):
    definition = publish(admin, four_step_graph(users, units))
    run = process_start(user=users["specialist"], definition=definition)
    changed = four_step_graph(users, units)
    changed["steps"][0]["next"] = "route"  # version 2 drops the opinion step
    del changed["steps"][1]
    draft_save(user=admin, definition=definition, graph=changed)
    version_publish(user=admin, definition=definition)
    work_item_complete(user=users["specialist"], work_item=open_items(run)[0])
    assert [item.step_id for item in open_items(run)] == ["opinions", "opinions"]
    newer = process_start(user=users["specialist"], definition=definition)
    assert newer.version.number == 2
    work_item_complete(user=users["specialist"], work_item=open_items(newer)[0])
    assert [item.step_id for item in open_items(newer)] == ["deputy"]


@pytest.mark.django_db
def test_invalid_definitions_are_not_published_and_used_ones_not_deleted(admin, users, units):
    graph = four_step_graph(users, units)
    graph["steps"][2]["default"] = None  # branch without default
    graph["steps"][0].pop("assignee")  # user step without assignee rule
    graph["steps"].append({"id": "orphan", "type": "user", "assignee": {"rule": "initiator"}})
    definition = definition_create(user=admin, key="sai", name="Sai", graph=graph)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        version_publish(user=admin, definition=definition)
    text = " ".join(error.value.messages)
    assert "no assignee rule" in text and "no default" in text and "dead end" in text

    good = publish(admin, four_step_graph(users, units), key="dung")
    process_start(user=users["specialist"], definition=good)
    with pytest.raises(ValidationError) as error:
        definition_delete(user=admin, definition=good)
    assert error.value.code == "in_use"
    assert ProcessRun.objects.count() == 1
    with pytest.raises(PermissionDenied):
        definition_create(user=users["specialist"], key="x", name="x")
