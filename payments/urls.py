"""Payments URLs, mounted under /payments/ (namespace "payments")."""

from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("ipn/<slug:provider_key>/", views.ipn, name="ipn"),
    path("return/<slug:provider_key>/", views.provider_return, name="return"),
    path("pay/", views.portal_pay, name="pay"),
    path("receipts/<str:code>/", views.receipt_verify, name="receipt"),
    path("receipts/<str:code>/pdf/", views.receipt_download, name="receipt_pdf"),
    path("orders/<str:code>/counter/", views.counter_pay, name="counter_pay"),
    path("orders/<str:code>/refund/", views.order_refund, name="order_refund"),
    path("refunds/", views.refunds, name="refunds"),
    path("cash-book/", views.cash_book, name="cash_book"),
    path("statements/", views.statements, name="statements"),
    path("statements/<int:pk>/resolve/", views.transfer_resolve, name="transfer_resolve"),
    path("report/", views.report, name="report"),
    path("reconciliations/", views.reconciliations, name="reconciliations"),
    path("reconciliations/<int:pk>/", views.reconciliation, name="reconciliation"),
    path("reconciliations/<int:pk>/xlsx/", views.reconciliation_xlsx, name="reconciliation_xlsx"),
]
