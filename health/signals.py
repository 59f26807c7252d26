"""Signals of the health app.

`records_imported` is sent (outside the import's transactions) after an import job has
written a batch of rows: `job` is the ImportJob, `person_ids` the records it created or touched,
so the clean-up (duplicate matching, validation) can look at them.
"""

from django.dispatch import Signal

records_imported = Signal()
