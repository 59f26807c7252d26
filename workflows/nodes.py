"""Custom viewflow nodes. The open-source Split creates each branch once; the parallel step
needs one task per assignee slot, so `SlotSplit` creates one task per item of a callable."""

from __future__ import annotations

from viewflow import this
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import Split, SplitActivation


class SlotSplitActivation(SplitActivation):
    """Activate the target node once per slot, each task carrying its slot as `task.data`."""

    @Activation.status.super()
    def activate(self):
        node = self.flow_task._slot_node
        for item in self.flow_task._slots(self):
            self.next_tasks.append((node, item))
        if not self.next_tasks:
            raise FlowRuntimeError(f"No assignee for the parallel step of {self.process}")


class SlotSplit(Split):
    """Parallel split into one task per slot: `SlotSplit().Slots(this.task, this.slots)`."""

    activation_class = SlotSplitActivation

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._slot_node = None
        self._slots = None

    def Slots(self, node, slots):  # noqa: N802 - viewflow's builder style
        """`slots(activation) -> list[dict]`: one task of `node` per returned item."""
        self._slot_node = node
        self._slots = slots
        return self

    def _resolve(self, instance):
        super()._resolve(instance)
        self._slot_node = this.resolve(instance, self._slot_node)
        self._slots = this.resolve(instance, self._slots)

    def _outgoing(self):
        if self._slot_node is not None:
            yield Edge(src=self, dst=self._slot_node, edge_class="default")
