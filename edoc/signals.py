"""Signals other apps (workflows) listen to. Sent inside the service's transaction.

`document_created(document, user, start_process=True)`: an incoming document was registered or
an outgoing draft started; `start_process` is False when no process should start on it (an
archive imported in bulk).
`document_action(document, user, action, assignment)`: a registry action was done —
"assign", "forward", "handle", "submit", "approve", "issue", "complete", "destroy" (its files
and text removed after an approved destruction: edoc.services.retention).
`file_text_changed(document_file)`: the stored text of a file version changed after its
version was recorded (read late from storage, or its scanned pages read by OCR); sent outside
any transaction of the version.
`document_batch_done()`: a bulk operation (`import_documents`) ends a batch; work an upper app
held back while `edoc.batch.batching()` was true (search indexing) is due now.
`data_restored()`: `manage.py restore` loaded a backup; rebuild what is derived from the data
(the search index). A receiver returns a short line for the command's output.
"""

from django.dispatch import Signal

document_created = Signal()
document_action = Signal()
file_text_changed = Signal()
document_batch_done = Signal()
data_restored = Signal()


def under_process(document) -> bool:
    """Whether a running approval/handling process governs the document's status changes."""
    return document.process_runs.filter(finished_at__isnull=True).exists()
