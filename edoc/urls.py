"""Staff UI URLs."""

from django.urls import path

from edoc.views import books, delegations, documents, inbox, incoming, outgoing, retention

app_name = "edoc"

urlpatterns = [
    path("", inbox.pending, name="pending"),
    # Incoming documents.
    path("incoming/", documents.incoming_list, name="incoming_list"),
    path("incoming/register/", incoming.register, name="incoming_register"),
    path("incoming/register/propose/", incoming.propose, name="incoming_propose"),
    # Outgoing documents.
    path("outgoing/", documents.outgoing_list, name="outgoing_list"),
    path("outgoing/new/", outgoing.create, name="outgoing_create"),
    # One document.
    path("documents/<int:pk>/", documents.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", outgoing.edit, name="outgoing_edit"),
    path(
        "documents/<int:pk>/files/<int:file_pk>/",
        documents.document_file_download,
        name="document_file_download",
    ),
    path("documents/<int:pk>/files/new/", outgoing.file_add, name="document_file_add"),
    path("documents/<int:pk>/comment/", documents.document_comment_view, name="document_comment"),
    path("documents/<int:pk>/assign/", incoming.assign, name="document_assign"),
    path("documents/<int:pk>/resubmit/", incoming.resubmit, name="document_resubmit"),
    path("documents/<int:pk>/submit/", outgoing.submit, name="document_submit"),
    path("documents/<int:pk>/issue/", outgoing.issue, name="document_issue"),
    path(
        "documents/<int:pk>/assignments/<int:assignment_pk>/forward/",
        incoming.assignment_forward,
        name="assignment_forward",
    ),
    path(
        "documents/<int:pk>/assignments/<int:assignment_pk>/complete/",
        incoming.assignment_complete,
        name="assignment_complete",
    ),
    path(
        "documents/<int:pk>/assignments/<int:assignment_pk>/return/",
        incoming.assignment_return,
        name="assignment_return",
    ),
    # Register books.
    path("register-books/", books.book_list, name="register_books"),
    path("register-books/<int:pk>/", books.book_detail, name="register_book_detail"),
    path("register-books/<int:pk>/pdf/", books.book_pdf, name="register_book_pdf"),
    path("register-books/<int:pk>/xlsx/", books.book_xlsx, name="register_book_xlsx"),
    # Delegation.
    path("retention/", retention.retention_report, name="retention_report"),
    path("retention/destructions/", retention.destruction_create, name="destruction_create"),
    path(
        "retention/destructions/<int:pk>/", retention.destruction_detail, name="destruction_detail"
    ),
    path(
        "retention/destructions/<int:pk>/decide/",
        retention.destruction_decide,
        name="destruction_decide",
    ),
    path(
        "retention/destructions/<int:pk>/execute/",
        retention.destruction_execute,
        name="destruction_execute",
    ),
    path("delegations/", delegations.delegation_list, name="delegations"),
    path("delegations/<int:pk>/revoke/", delegations.revoke, name="delegation_revoke"),
]
