"""Signals of the one-stop app.

`dossier_status_changed(sender=Dossier, dossier, event)`: sent after the transaction that changed
a dossier's status (or moved its appointment: an approved apology letter, same status) commits
(the portal's notifications listen to it). `event` is the `DossierEvent` that recorded the
change.

`dossier_status_recorded(sender=Dossier, dossier, event)`: sent inside that transaction, right
after the change and its event are written, for receivers whose own rows must share its fate
(a transactional outbox: rolled back with the change, never lost after its commit). A receiver
that raises rolls the change back, so such receivers only write rows.
"""

from django.dispatch import Signal

dossier_status_changed = Signal()
dossier_status_recorded = Signal()
