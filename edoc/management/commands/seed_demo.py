"""`python manage.py seed_demo`: the Đồng Nai demo (see edoc/demo/)."""

from edoc.demo.documents import Command  # noqa: F401
