"""Staff URLs of the one-stop counter (mounted at /onestop/)."""

from django.urls import path

from onestop import views

app_name = "onestop"

urlpatterns = [
    path("", views.dossier_list, name="dossier_list"),
    path("procedures/", views.procedure_list, name="procedure_list"),
    path("procedures/<int:procedure_pk>/intake/", views.intake, name="intake"),
    path(
        "procedures/<int:procedure_pk>/papers/<int:paper_pk>/form/",
        views.paper_template,
        name="paper_template",
    ),
    path("reports/", views.report, name="report"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/receipt.pdf", views.receipt, name="receipt"),
    path("dossiers/<int:pk>/files/<int:file_pk>/", views.paper_download, name="paper_download"),
    path(
        "dossiers/<int:pk>/apologies/<int:letter_pk>.pdf",
        views.apology_letter,
        name="apology_letter",
    ),
    path("dossiers/<int:pk>/<slug:action>/", views.dossier_action, name="dossier_action"),
]
