"""URLs of the verification pages.

config/urls.py mounts `public_urls` under "verify/" (namespace "verify": the public page)
and `staff_urls` under "signing/" (namespace "verification": the document page's panel).
"""

from django.urls import path, re_path

from signing import views

public_urls = (
    [path("", views.verify_page, name="page")],
    "verify",
)

staff_urls = (
    [
        path(
            "documents/<int:pk>/files/<int:file_pk>/verify/",
            views.reverify,
            name="reverify",
        ),
        re_path(
            r"^documents/(?P<pk>[0-9]+)/files/(?P<file_pk>[0-9]+)/verification\.(?P<fmt>json|xml)$",
            views.report_download,
            name="report",
        ),
    ],
    "verification",
)
