"""Admin: the procedure catalogue (with its papers) is edited here; dossiers are read-only
(they change only through the services, which keep their history and audit entries)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onestop.models import Dossier, DossierEvent, PaperTemplate, Procedure, ProcedurePaper
from onestop.services import TEMPLATE_MAX_MB, paper_template_check, paper_template_set


class ProcedurePaperInline(admin.TabularInline):
    model = ProcedurePaper
    extra = 1
    fields = ("order", "name", "mandatory", "extensions", "max_size_mb")


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "online_level",
        "processing_days",
        "fee",
        "handling_unit",
        "active",
    )
    list_filter = ("active", "online_level", "field", "handling_unit")
    search_fields = ("code", "name")
    autocomplete_fields = ()
    inlines = [ProcedurePaperInline]


class PaperTemplateForm(forms.ModelForm):
    """The blank form of a paper: its name and a PDF or DOCX file (checked by the service)."""

    upload = forms.FileField(label=_("File (PDF or DOCX)"), required=False)

    class Meta:
        model = PaperTemplate
        fields = ("paper", "title")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is None:
            if not self.instance.pk:
                self.add_error("upload", _("Choose the form's file."))
            return cleaned
        cleaned["content"] = upload.read(TEMPLATE_MAX_MB * 1024 * 1024 + 1)
        try:
            paper_template_check(upload.name, cleaned["content"])
        except ValidationError as error:
            self.add_error("upload", error.message_dict["file"])
        return cleaned


@admin.register(PaperTemplate)
class PaperTemplateAdmin(admin.ModelAdmin):
    """Blank forms (tờ khai, mẫu đơn) citizens download next to a procedure's papers."""

    form = PaperTemplateForm
    list_display = ("title", "paper", "original_name", "size", "updated_at")
    list_select_related = ("paper__procedure",)
    search_fields = ("title", "paper__name", "paper__procedure__code")
    autocomplete_fields = ("paper",)
    readonly_fields = ("original_name", "size", "sha256", "updated_at")

    def save_model(self, request, obj, form, change) -> None:
        upload = form.cleaned_data.get("upload")
        if upload is None:  # the name only
            obj.save()
            return
        template = paper_template_set(
            user=request.user,
            paper=form.cleaned_data["paper"],
            title=form.cleaned_data["title"],
            name=upload.name,
            content=form.cleaned_data["content"],
        )
        obj.pk = template.pk


@admin.register(ProcedurePaper)
class ProcedurePaperAdmin(admin.ModelAdmin):
    """Searchable, for choosing the paper of a form template."""

    list_display = ("name", "procedure", "mandatory")
    search_fields = ("name", "procedure__code", "procedure__name")

    def has_module_permission(self, request) -> bool:
        return False  # edited inside their procedure


class DossierEventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "from_status", "to_status", "actor", "public_message", "internal_note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ("code", "procedure", "applicant_name", "channel", "status", "due_at")
    list_filter = ("status", "channel", "procedure")
    search_fields = ("code", "applicant_name", "applicant_phone")
    inlines = [DossierEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
