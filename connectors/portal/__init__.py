"""The provincial public-service portal's dossier sync and the Egov licensing sync.

- `national`: the national status codes 1–10 and the portal's field and date formats;
- `outbox`: the transactional outbox (rows written with the change, delivered after the
  commit by a Celery task with retries and exponential backoff, swept by
  `manage.py portal_sync`);
- `client`: the JSON-over-HTTP calls to the portal and to Egov;
- `pull`: online dossiers pulled from the portal into onestop (`manage.py portal_pull`);
- `licences`: licences recorded when a licensing dossier finishes, suspended and revoked;
- `receivers`: what listens to onestop's signals.

The JSON each side speaks is documented in docs/connectors-portal.md.
"""
