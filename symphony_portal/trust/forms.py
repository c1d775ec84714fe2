from django import forms

from symphony_portal.lib.text import CleanTextMixin

from . import people_import
from .models import User


class PersonCreationForm(CleanTextMixin, forms.ModelForm):
    """A new person, without a password: they choose it from the invitation emailed to them."""

    class Meta:
        model = User
        fields = ["email", "full_name", "kind", "school", "job_title"]

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Someone in the portal already has this email address.")
        return email


class PersonChangeForm(CleanTextMixin, forms.ModelForm):
    """A person's details; the admin shows only the fields the signed-in person may change."""

    class Meta:
        model = User
        fields = ["email", "full_name", "kind", "school", "job_title"]
        fields += ["is_active", "is_staff", "is_superuser"]


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
    deactivate_count = forms.IntegerField(
        required=False, min_value=0, label="Type the number of people to deactivate to confirm"
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("deactivate_missing") and cleaned.get("deactivate_count") is None and not self.errors:
            self.add_error(
                "deactivate_count",
                "Nothing was imported: to deactivate people, type how many are listed to confirm it.",
            )
        return cleaned
