"""Completing a task costs a bounded number of SQL queries (issue 16, target 5)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from edoc.models import User
from edoc.models.organisation import Role
from edoc.services.documents import incoming_register
from workflows.models import WorkItem
from workflows.services.processes import work_item_complete
from workflows.shipped import LEGAL_GROUP, install_shipped_definitions

NEXT_WEEK = timezone.localdate() + datetime.timedelta(days=7)

# The heaviest common completion: the last handler of a parallel step, whose task joins the
# branches, moves the run on, creates the approval task (owner, deadline, reminder timer,
# document grant, notification) — plus the document's assignment, event and two audit entries.
# Inside the test's transaction every atomic block adds SAVEPOINT + RELEASE (2 queries each),
# and the test's fresh calendar cache reads the year (2). 96 before issue 16; viewflow's own
# task/process reads and the join's checks are most of what is left (docs/benchmarks.md).
# 81 after the first round; storing the document's handling facts with the completion event
# (issue 15's dashboard: edoc.selectors.handling, one read and one UPDATE) adds 2.
MAX_QUERIES = 83


@pytest.fixture
def handling(users, units, catalogs):
    """An incoming document at its parallel handling step: the lead's and a coordinator's task."""
    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    install_shipped_definitions(admin=admin, office=units["office"])
    Group.objects.get(name=LEGAL_GROUP).user_set.add(users["other_specialist"])
    document = incoming_register(
        user=users["clerk"],
        subject="Về việc triển khai chuyển đổi số",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    (assign,) = WorkItem.objects.filter(document=document, status=WorkItem.Status.OPEN)
    work_item_complete(
        user=users["director"],
        work_item=assign,
        data={
            "lead_unit": units["medical"],
            "coordinator_units": [units["pharmacy"]],
            "deadline": NEXT_WEEK,
        },
    )
    (forward,) = WorkItem.objects.filter(document=document, status=WorkItem.Status.OPEN)
    work_item_complete(user=users["head"], work_item=forward, data={"to_user": users["specialist"]})
    lead, coordinator = WorkItem.objects.filter(
        document=document, status=WorkItem.Status.OPEN
    ).order_by("pk")
    return document, lead, coordinator


@pytest.mark.django_db
def test_completing_the_last_parallel_task_has_a_query_bound(
    handling, users, django_assert_max_num_queries
):
    document, lead, coordinator = handling
    work_item_complete(user=users["other_head"], work_item=coordinator, comment="Thống nhất.")
    lead = WorkItem.objects.select_related("assignee").get(pk=lead.pk)
    with django_assert_max_num_queries(MAX_QUERIES):
        work_item_complete(user=users["specialist"], work_item=lead, comment="Đã tham mưu.")
    (approve,) = WorkItem.objects.filter(document=document, status=WorkItem.Status.OPEN)
    assert approve.step_id == "approve" and approve.assignee == users["head"]
    assert approve.deadline is not None and approve.reminder_at is not None
    assert approve.notifications.filter(user=users["head"], kind="assigned").exists()
    assert lead.run.events.filter(kind="completed", work_item=lead).exists()
