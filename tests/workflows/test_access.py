"""workflows.access: the one rule of whose task it is, in each form the code needs it (a task's
actor, a Q for lists, the inbox's UNION ALL of ids, the tasks of a queryset one acts on) —
all agree, for the assignee, their delegate, a group's candidates and outsiders."""

from __future__ import annotations

import pytest
from django.utils import timezone

from edoc.models import User
from edoc.models.organisation import Role
from edoc.selectors.access import Actor
from edoc.services.handling import delegation_create
from tests.workflows.test_views import graph, open_item, register, start
from workflows import access
from workflows.models import WorkItem
from workflows.services.definitions import definition_create, version_publish
from workflows.services.processes import work_item_complete

pytestmark = pytest.mark.django_db


def _forms_of_the_rule(user, item: WorkItem) -> tuple[Actor | None, bool, bool, Actor | None]:
    open_ids = set(access.open_mine_ids(user).values_list("pk", flat=True))
    acting = dict(access.acting_on(user, WorkItem.objects.filter(pk=item.pk)))
    return (
        access.work_item_actor(user, item),
        WorkItem.objects.filter(access.mine_q(user), pk=item.pk).exists(),
        item.pk in open_ids,
        acting.get(item),
    )


def test_every_form_of_the_rule_agrees(users, units, catalogs):
    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    second_deputy = User.objects.create_user(
        username="phogiamdoc2", unit=units["board"], role=Role.DEPUTY_DIRECTOR
    )
    definition = definition_create(user=admin, key="xu-ly", name="Xử lý", graph=graph(users))
    version_publish(user=admin, definition=definition)
    reviewed = start(definition, users["clerk"], register(users, catalogs))
    work_item_complete(user=users["clerk"], work_item=open_item(reviewed))
    review = open_item(reviewed)  # assigned to the unit head
    grouped = start(definition, users["clerk"])
    work_item_complete(user=users["clerk"], work_item=open_item(grouped))
    work_item_complete(user=users["head"], work_item=open_item(grouped))
    approval = open_item(grouped)  # a group task of the deputy directors
    today = timezone.localdate()
    delegation_create(
        user=users["head"], delegate=users["specialist"], start_date=today, end_date=today
    )
    expected = {
        (review.pk, "head"): Actor(users["head"]),
        (review.pk, "specialist"): Actor(users["specialist"], users["head"]),
        (approval.pk, "deputy"): Actor(users["deputy"]),
    }
    people = {**users, "second_deputy": second_deputy}
    expected[(approval.pk, "second_deputy")] = Actor(second_deputy)
    for item in (review, approval):
        for name, user in people.items():
            actor, in_q, in_open_ids, acting_as = _forms_of_the_rule(user, item)
            want = expected.get((item.pk, name))
            assert actor == want, (item.step_id, name)
            assert in_q is in_open_ids is (want is not None), (item.step_id, name)
            assert acting_as == want, (item.step_id, name)
    assert access.can_claim(users["deputy"], approval)
    assert not access.can_claim(users["head"], approval)
    assert not access.can_claim(users["head"], review)  # assigned: nothing to claim
