from django import forms
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from symphony_portal.lib.text import CleanTextMixin

from . import people_import
from .models import User


class PersonCreationForm(CleanTextMixin, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "kind", "school", "job_title"]


class PersonChangeForm(CleanTextMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class PeopleImportUploadForm(CleanTextMixin, forms.Form):
    """HR's CSV of people: checked for size, type and readable UTF-8 text before it is kept."""

    file = forms.FileField(
        label="CSV file of people",
        help_text=(
            "One row per person under the header row: email, name, kind, school, role, job title. "
            'Save from Excel as "CSV UTF-8". At most 2 MB.'
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Choose a .csv file (in Excel: Save As, then “CSV UTF-8”).")
        if upload.size > people_import.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"This file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                f"{people_import.MAX_UPLOAD_BYTES // 1024 // 1024} MB."
            )
        text = people_import.decode(upload.read())
        people_import.check_file(text)
        self.cleaned_data["text"] = text
        return upload


class PeopleImportConfirmForm(CleanTextMixin, forms.Form):
    deactivate_missing = forms.BooleanField(required=False)
