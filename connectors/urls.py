"""Staff pages of the connectors (`/connectors/…`)."""

from django.urls import path

from connectors import views

app_name = "connectors"

urlpatterns = [
    path("arrivals/", views.arrival_list, name="arrival_list"),
    path("arrivals/<int:pk>/", views.arrival_detail, name="arrival_detail"),
    path("arrivals/<int:pk>/file/", views.arrival_file, name="arrival_file"),
    path("documents/<int:pk>/recall/", views.document_recall_view, name="document_recall"),
    path("documents/<int:pk>/update/", views.document_update_view, name="document_update"),
    path("documents/<int:pk>/replace/", views.document_replace_view, name="document_replace"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry_view, name="delivery_retry"),
    path("arrivals/<int:pk>/recall/", views.change_answer_view, name="recall_answer"),
    path("arrivals/<int:pk>/answer/", views.change_answer_view, name="change_answer"),
    path("arrivals/<int:pk>/refuse/", views.arrival_refuse_view, name="arrival_refuse"),
]
