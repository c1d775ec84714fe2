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


class TagForm(CleanTextMixin, forms.Form):
    name = forms.CharField(max_length=100, help_text='e.g. "Works directly with children".')
    description = forms.CharField(max_length=300, required=False)


class TagPeopleForm(CleanTextMixin, forms.Form):
    """People to give a tag, by email address: one a line, or separated by commas or spaces."""

    MAX_ADDRESSES = 2000

    emails = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Email addresses",
        help_text=(
            "One a line (or separated by commas), as in the people import. Only people still with the trust."
        ),
    )

    def clean_emails(self) -> list[User]:
        words = [w.strip().lower() for w in self.cleaned_data["emails"].replace(",", " ").split()]
        addresses = list(dict.fromkeys(w for w in words if w))
        if len(addresses) > self.MAX_ADDRESSES:
            raise forms.ValidationError(f"At most {self.MAX_ADDRESSES} addresses at a time.")
        people = {p.email.lower(): p for p in User.objects.active().filter(email__in=addresses)}
        unknown = [a for a in addresses if a not in people]
        if unknown:
            shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
            raise forms.ValidationError(
                f"Nobody still with the trust has these addresses: {shown}. "
                "Nobody was tagged; correct them and try again."
            )
        return [people[a] for a in addresses]
