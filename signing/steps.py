"""Whose signature a document awaits: the port through which signing asks the processes.

A document is signed by the person whose open "sign" step it is (or their delegate), in the
order of its process's "sign" steps (the last one is the main signer). Those steps belong to
`workflows`, a higher layer: it implements `SignSteps` with its task-access rules and registers
it at start-up (`register_sign_steps`, in `workflows.apps`).

A step's task is opaque here: signing only passes it back to the port (and shows its
`step_name`).
"""

from __future__ import annotations

from typing import Any, Protocol

from django import forms
from django.core.exceptions import ImproperlyConfigured

from edoc.models import Document, User
from edoc.selectors.access import Actor

# The action of a process step that signs its document.
SIGN_ACTION = "sign"


class SignSteps(Protocol):
    def step_for(
        self, user: User, document: Document, task: Any = None
    ) -> tuple[Any, Actor] | tuple[None, None]:
        """The open "sign" task of `document` that `user` may complete (only `task`, when
        given) and the actor (the user, maybe on behalf of the assignee), or (None, None)."""

    def signature_slots(self, task: Any) -> tuple[tuple[str, ...], str]:
        """The process's "sign" steps in the order the process reaches them (one signature
        field each; the last is the main signer) and the step of `task`."""

    def complete(self, *, user: User, task: Any, comment: str, data: dict[str, Any]) -> None:
        """Complete the task with the signing form's `data`: its action signs the document."""

    def comment_form(self, data: Any = None) -> forms.Form:
        """The form of the comment the task is completed with (field "comment")."""

    def task_url(self, task: Any) -> str:
        """The page of the task."""


_steps: SignSteps | None = None


def register_sign_steps(steps: SignSteps) -> None:
    """Called once at start-up by the app whose processes hold the "sign" steps."""
    global _steps
    _steps = steps


def sign_steps() -> SignSteps:
    """The registered signing steps."""
    if _steps is None:
        raise ImproperlyConfigured(
            "No app registered the signing steps (signing.steps.register_sign_steps)."
        )
    return _steps
