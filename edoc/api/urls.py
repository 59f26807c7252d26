"""REST API URLs, mounted under /api/ (namespace "api"). These paths are a public contract."""

from django.urls import path

from edoc.api import assignments, auth, catalogs, documents

app_name = "api"

urlpatterns = [
    path("auth/token/", auth.TokenObtainApi.as_view(), name="auth-token"),
    path("catalogs/", catalogs.CatalogsApi.as_view(), name="catalogs"),
    path("documents/", documents.DocumentListApi.as_view(), name="document-list"),
    path(
        "documents/incoming/",
        documents.DocumentIncomingRegisterApi.as_view(),
        name="document-incoming-register",
    ),
    path(
        "documents/outgoing/",
        documents.DocumentOutgoingCreateApi.as_view(),
        name="document-outgoing-create",
    ),
    path("documents/extract/", documents.DocumentExtractApi.as_view(), name="document-extract"),
    path(
        "documents/<int:document_id>/",
        documents.DocumentDetailApi.as_view(),
        name="document-detail",
    ),
    path(
        "documents/<int:document_id>/files/",
        documents.DocumentFileAddApi.as_view(),
        name="document-file-add",
    ),
    path(
        "documents/<int:document_id>/files/<int:file_id>/download/",
        documents.DocumentFileDownloadApi.as_view(),
        name="document-file-download",
    ),
    path(
        "documents/<int:document_id>/submit/",
        documents.DocumentSubmitApi.as_view(),
        name="document-submit",
    ),
    path(
        "documents/<int:document_id>/issue/",
        documents.DocumentIssueApi.as_view(),
        name="document-issue",
    ),
    path(
        "documents/<int:document_id>/assignments/",
        documents.DocumentAssignApi.as_view(),
        name="document-assign",
    ),
    path(
        "documents/<int:document_id>/comments/",
        documents.DocumentCommentApi.as_view(),
        name="document-comment",
    ),
    path("assignments/", assignments.AssignmentListApi.as_view(), name="assignment-list"),
    path(
        "assignments/<int:assignment_id>/forward/",
        assignments.AssignmentForwardApi.as_view(),
        name="assignment-forward",
    ),
    path(
        "assignments/<int:assignment_id>/complete/",
        assignments.AssignmentCompleteApi.as_view(),
        name="assignment-complete",
    ),
    path(
        "assignments/<int:assignment_id>/return/",
        assignments.AssignmentReturnApi.as_view(),
        name="assignment-return",
    ),
]
