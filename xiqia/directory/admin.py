from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from xiqia.core.admin import ScopedAdmin
from xiqia.directory import services
from xiqia.directory.models import ORGANISATION_FIELDS, Industry, Organisation


@admin.register(Industry)
class IndustryAdmin(ScopedAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "origin"]
    search_fields = ["code", "name_zh", "name_en"]
    list_filter = ["origin"]


class OrganisationAdminForm(forms.ModelForm):
    """Check the directory's rules while the form can still show the error."""

    class Meta:
        model = Organisation
        fields = [*ORGANISATION_FIELDS, "industries"]

    def _post_clean(self) -> None:
        super()._post_clean()  # the instance now carries the submitted values
        try:
            services.organisation_check(self.instance, region_changed="region" in self.changed_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    form = OrganisationAdminForm
    readonly_fields = ["origin"]
    list_display = ["name_zh", "name_en", "kind", "region", "credit_code", "origin"]
    list_filter = ["kind", "origin"]
    search_fields = ["name_zh", "name_en", "short_name_zh", "credit_code"]
    raw_id_fields = ["region", "parent"]
    filter_horizontal = ["industries"]
    list_select_related = ["region"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        """Save through the directory service, so the admin obeys the same rules as pages."""
        fields = {
            name: form.cleaned_data[name]
            for name in services.EDITABLE_FIELDS
            if name in form.cleaned_data
        }
        if change:
            saved = services.organisation_update(actor=request.user, organisation=obj, **fields)
        else:
            saved = services.organisation_create(actor=request.user, **fields)
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        form.instance.industries.set(form.cleaned_data.get("industries", []))
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
