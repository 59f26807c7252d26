from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from onestop import hooks
        from onestop.payments import register_fee_collector
        from payments import checks  # noqa: F401  (EDOC_PAYMENT_FEES at start-up)
        from payments.collector import PaymentsCollector
        from payments.providers.configured import register_configured

        register_fee_collector(PaymentsCollector())
        register_configured()  # VNPAY, MoMo, VietQR: those whose settings are filled in
        hooks.register_dossier_panel("payments/dossier_panel.html", order=40)
        hooks.register_portal_dossier_panel("payments/portal_panel.html", order=10)
