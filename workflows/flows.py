"""The one viewflow flow that interprets every published process definition.

Routing lives here; what a step does lives in `workflows.actions` and the edoc services.

    start ─▶ route ─┬─▶ user_task ──────────────▶ advance ─▶ route …
                    ├─▶ split ─▶ parallel_task ─▶ join ─▶ advance ─▶ route …
                    └─▶ finish ─▶ end

`route` reads the run's current step from `process.data["step"]`; branch steps are decided in
`advance` (and at the start) with the definition's whitelisted conditions. Each user task has a
non-interrupting timer boundary that sends a reminder before its deadline, then waits for the
deadline and escalates to the unit head if the task is still open.
"""

from __future__ import annotations

from django.http import Http404
from viewflow import this
from viewflow.workflow import flow, lock

from workflows import engine
from workflows.nodes import SlotSplit


def _no_viewflow_page(request, **kwargs):  # pragma: no cover - viewflow's own pages are unused
    """Tasks are shown by eDoc's own pages (workflows.views), not viewflow's frontend."""
    raise Http404


class DefinitionFlow(flow.Flow):
    """Interpreter of admin-designed definitions (see workflows.graph)."""

    process_title = "eDoc"
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)

    start = flow.StartHandle(this.begin).Next(this.route)

    route = (
        flow.Switch()
        .Case(this.user_task, this.at_user_step)
        .Case(this.split, this.at_parallel_step)
        .Case(this.finish, this.at_end_step)
    )

    user_task = (
        flow.View(_no_viewflow_page)
        .Assign(this.owner_of)
        .onCreate(this.task_created)
        .OnTimeout(this.reminder_time, this.remind, interrupting=False)
        .Next(this.advance)
    )

    split = SlotSplit().Slots(this.parallel_task, this.parallel_slots)

    parallel_task = (
        flow.View(_no_viewflow_page)
        .Assign(this.owner_of)
        .onCreate(this.task_created)
        .OnTimeout(this.reminder_time, this.remind, interrupting=False)
        .Next(this.join)
    )

    join = flow.Join(continue_on_condition=this.join_satisfied).Next(this.advance)

    advance = flow.Function(this.move_on).Next(this.route)

    remind = flow.Function(this.send_reminder).Next(this.wait_deadline)
    wait_deadline = flow.Timer(this.deadline_time).Next(this.escalate)
    escalate = flow.Function(this.escalate_overdue)

    finish = flow.Function(this.close_run).Next(this.end)
    end = flow.End()

    # --- callbacks: thin wrappers around workflows.engine ---------------------------------

    def begin(self, activation, **kwargs):
        return engine.on_start(activation, **kwargs)

    def at_user_step(self, activation) -> bool:
        return engine.current_step_type(activation.process) == "user"

    def at_parallel_step(self, activation) -> bool:
        return engine.current_step_type(activation.process) == "parallel"

    def at_end_step(self, activation) -> bool:
        return engine.current_step_type(activation.process) == "end"

    def owner_of(self, activation):
        return engine.owner_for(activation)

    def task_created(self, activation) -> None:
        engine.on_task_created(activation)

    def parallel_slots(self, activation) -> list[dict]:
        return engine.parallel_slots(activation)

    def join_satisfied(self, activation, active_tasks) -> bool:
        return engine.join_satisfied(activation, active_tasks)

    def move_on(self, activation) -> None:
        engine.move_on(activation)

    def reminder_time(self, activation):
        return engine.reminder_time(activation)

    def deadline_time(self, activation):
        return engine.deadline_time(activation)

    def send_reminder(self, activation) -> None:
        engine.send_reminder(activation)

    def escalate_overdue(self, activation) -> None:
        engine.escalate_overdue(activation)

    def close_run(self, activation) -> None:
        engine.close_run(activation)
