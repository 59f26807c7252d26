from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "signing"
    verbose_name = _("Digital signatures")

    def ready(self) -> None:
        from edoc.hooks import register_demo_command, register_document_panel
        from edoc.services.audit_anchors import audit_notary_register
        from edoc.signals import document_action, document_batch_done, document_created
        from identity.policy import register_second_factor_rule
        from signing import metrics, verification
        from signing.audit_anchors import SealNotary, TimestampNotary
        from signing.selectors import holds_signing_key
        from signing.services.issuance import issue_receiver

        document_created.connect(
            verification.verify_on_registration, dispatch_uid="signing-verify-incoming"
        )
        document_batch_done.connect(verification.verify_batch, dispatch_uid="signing-verify-batch")
        document_action.connect(issue_receiver, dispatch_uid="signing-issue")
        # edoc anchors its audit chain through the notaries the signing app provides.
        audit_notary_register(TimestampNotary())
        audit_notary_register(SealNotary())
        # Whoever may sign or seal signs in with a second factor (identity's policy).
        register_second_factor_rule(holds_signing_key, name="signing.holds_signing_key")
        # The "Chữ ký số" panel of the document page, after its files.
        register_document_panel("after_files", "signing/verify_panel.html")
        # One test key per demo signer, registered to their account (var/testpki/demo/).
        register_demo_command("seed_signing", order=40)
        metrics.register()  # /metrics: refused signing attempts (observability)
