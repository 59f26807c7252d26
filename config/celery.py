"""Celery application. Eager (in-process) unless CELERY_BROKER_URL/REDIS_URL is configured."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("edoc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
