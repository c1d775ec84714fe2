import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from symphony_portal.lib.text import CleanTextMixin
from symphony_portal.trust.models import User

from . import evidence, subjects
from .models import Outcome, Platform, Status, StillVisible
from .services import ReportDetails

FILES_AGAIN = "Files are not kept when the form comes back: please choose your evidence files again."


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by content in ReportForm.clean_evidence."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".png,.jpg,.jpeg,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [upload for upload in data if upload is not None]
        return [data] if data else []


class ReportForm(CleanTextMixin, forms.Form):
    colleague_search = forms.CharField(
        label="Search the trust directory by name", required=False, max_length=100
    )
    colleague = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.RadioSelect, label="Colleague"
    )
    colleague_name = forms.CharField(
        label="Or, if they are not listed, type their name",
        required=False,
        max_length=200,
        help_text="For example someone who has left, or whose account you cannot find.",
    )
    colleague_name_confirmed = forms.BooleanField(
        label="The person I mean is not in this list: send the report with the name as I typed it",
        required=False,
    )
    platform = forms.ChoiceField(label="Where was it posted?", choices=[("", "Choose…"), *Platform.choices])
    platform_other = forms.CharField(label="If other, which site or app?", required=False, max_length=100)
    link = forms.URLField(
        label="Link to the post, if there is one",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="The address of the post, starting with https://",
    )
    seen_on = forms.DateField(label="When did you see it?", widget=forms.DateInput(attrs={"type": "date"}))
    still_visible = forms.ChoiceField(
        label="Is it still visible?", choices=StillVisible.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label="What was posted, and why does it concern you?",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    clauses = forms.MultipleChoiceField(
        label="Which parts of the policy may it breach? (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_cyberbullying = forms.BooleanField(
        label="It is cyber-bullying (the Dignity at Work Policy then applies)", required=False
    )
    evidence = MultipleFileField(
        label="Evidence (optional)",
        required=False,
        help_text=(
            f"Up to {evidence.MAX_FILES} files: screenshots (PNG or JPEG) or PDF documents, "
            "up to 10 MB each. Images are copied without their hidden details, such as location."
        ),
    )

    # One token per report being written: it travels with every redisplay of the form (a search, an
    # error), so a second submission of the same form is recognised (reports.services.submit).
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, reporter: User, sections: list, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("submission_token"):
            self.initial["submission_token"] = str(uuid.uuid4())
        self.reporter = reporter
        self.sections = sections
        # People in the directory the typed name could mean, for the form to offer them to pick instead.
        self.name_matches: list[User] = []
        self.fields["colleague"].queryset = User.objects.active().exclude(pk=reporter.pk)
        self.fields["clauses"].choices = [
            (str(clause.key), f"{clause.number} {clause.text}")
            for section in sections
            for clause in section.clauses
        ]

    @classmethod
    def initial_from(cls, data) -> dict:
        """What was typed, as initial values: for redisplaying the form without judging it yet."""
        initial = {}
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.MultipleChoiceField):
                initial[name] = data.getlist(name)
            elif isinstance(field, forms.BooleanField):
                initial[name] = data.get(name) in ("on", "true", "1")
            elif name in data:
                initial[name] = data.get(name)
        return initial

    def clean_seen_on(self):
        seen_on = self.cleaned_data["seen_on"]
        if seen_on > timezone.localdate():
            raise ValidationError("The date you saw it cannot be in the future.")
        return seen_on

    def clean_submission_token(self) -> uuid.UUID:
        # A form sent without a token, or with a damaged one, is a new submission with a token of its own.
        try:
            return uuid.UUID(self.cleaned_data.get("submission_token") or "")
        except ValueError:
            return uuid.uuid4()

    def clean_evidence(self):
        uploads = self.cleaned_data.get("evidence") or []
        try:
            return evidence.check_files(uploads)
        except ValidationError as error:
            raise ValidationError([*error.messages, FILES_AGAIN]) from error

    def clean(self):
        cleaned = super().clean()
        colleague, name = cleaned.get("colleague"), (cleaned.get("colleague_name") or "").strip()
        if colleague is None and not name and "colleague" not in self.errors:
            self.add_error(
                "colleague_name",
                "Say who posted it: search for them and pick their name, or type their name here.",
            )
        if colleague is not None and name:
            self.add_error(
                "colleague_name", "You picked a colleague from the directory and typed a name: keep only one."
            )
        if colleague is None and name and "colleague" not in self.errors:
            self.name_matches = [
                person
                for person in subjects.people_named(name)
                if person.is_active and person.pk != self.reporter.pk
            ]
            if self.name_matches and not cleaned.get("colleague_name_confirmed"):
                self.add_error("colleague_name", self.name_matches_message())
        if cleaned.get("platform") == Platform.OTHER and not (cleaned.get("platform_other") or "").strip():
            self.add_error("platform_other", "Say which site or app it was on.")
        if self.errors and self.files and "evidence" not in self.errors:
            # The browser does not send the files again: say so, whatever the problem was.
            self.add_error("evidence", FILES_AGAIN)
        return cleaned

    def name_matches_message(self) -> str:
        if len(self.name_matches) == 1:
            found = "matches someone in the trust directory, shown above"
            pick = "If you mean them, please pick them"
        else:
            found = f"matches {len(self.name_matches)} people in the trust directory, shown above"
            pick = "If you mean one of them, please pick them"
        return (
            f"The name you typed {found}. {pick} and clear the name box. If you mean someone else, "
            "tick the box below to say so, then send the report again."
        )

    def details(self) -> ReportDetails:
        data = self.cleaned_data
        return ReportDetails(
            subject=data["colleague"],
            subject_name=data["colleague_name"],
            platform=data["platform"],
            platform_other=data["platform_other"],
            link=data["link"],
            seen_on=data["seen_on"],
            still_visible=data["still_visible"],
            description=data["description"],
            is_cyberbullying=data["is_cyberbullying"],
        )


class StatusForm(CleanTextMixin, forms.Form):
    to = forms.ChoiceField(label="New status")
    outcome = forms.ChoiceField(
        label="Outcome (when closing)", required=False, choices=[("", "Choose…"), *Outcome.choices]
    )
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, report, **kwargs):
        # The case page holds three forms: ids of their own keep each label on its own field.
        kwargs.setdefault("auto_id", "status-%s")
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s, Status(s).label) for s in report.next_statuses]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to") == Status.CLOSED and not cleaned.get("outcome"):
            self.add_error("outcome", "Choose the outcome of the case to close it.")
        if cleaned.get("to") and cleaned.get("to") != Status.CLOSED and cleaned.get("outcome"):
            self.add_error("outcome", "An outcome is given only when the case is closed.")
        return cleaned


class NoteForm(CleanTextMixin, forms.Form):
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "note-%s")
        super().__init__(*args, **kwargs)


class PassOnForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for passing the case to the Executive Head Teacher",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "pass-%s")
        super().__init__(*args, **kwargs)


class StepAsideForm(CleanTextMixin, forms.Form):
    confirm = forms.BooleanField(
        label="I have a conflict of interest in this case and step aside from it",
        error_messages={"required": "Tick the box to confirm that you step aside from this case."},
    )
