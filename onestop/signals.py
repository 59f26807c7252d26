"""Signals of the one-stop app.

`dossier_status_changed(sender=Dossier, dossier, event)`: sent after the transaction that changed
a dossier's status commits (the portal's notifications listen to it). `event` is the
`DossierEvent` that recorded the change.
"""

from django.dispatch import Signal

dossier_status_changed = Signal()
