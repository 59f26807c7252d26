"""Public portal URLs, mounted under /portal/ (namespace "portal"; Vietnamese slugs)."""

from django.urls import path, re_path

from onestop.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure"),
    path("thu-tuc/<str:code>/nop/", views.submit, name="submit"),
    path("thu-tuc/<str:code>/mau/<int:paper_id>/", views.paper_template, name="paper_template"),
    path("nhap/<str:key>/", views.draft, name="draft"),
    path("da-nop/", views.submitted, name="submitted"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("t/<str:token>/", views.track_token, name="track_token"),
    path("ho-so/", views.dossier_detail, name="dossier"),
    path("ho-so/bo-sung/", views.supplement_upload, name="supplement"),
    path("ho-so/ket-qua/", views.result_download, name="result"),
    path("ho-so/danh-gia/", views.rate, name="rate"),
    path("ho-so/xin-loi/<int:letter_id>/", views.apology_download, name="apology"),
    path("ho-so/phieu-tiep-nhan/", views.receipt_download, name="receipt"),
    re_path(r"^.*$", views.page_not_found, name="not_found"),  # the portal's own 404 page
]
