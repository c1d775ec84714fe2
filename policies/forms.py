"""Forms for HR's review of a policy. They validate input only; the writes are in services.py."""

from django import forms
from django.utils import timezone

from symphony_portal.lib.text import CleanTextMixin
from symphony_portal.trust.models import Kind, School, Tag

from .models import Clause, PolicyVersion, Season, Section

CLAUSE_TEXT_HELP = "The clause's exact wording. Put *asterisks* around words to show them in italics."


class StartDraftForm(CleanTextMixin, forms.Form):
    label = forms.CharField(
        max_length=40,
        help_text='How the trust will name the new version, e.g. "2026-2029". You can change it later.',
    )
    review_season = forms.ChoiceField(choices=Season.choices, label="Next review due: term")
    review_year = forms.IntegerField(
        label="Next review due: year",
        help_text="When the new version is to be reviewed. You can change it later.",
    )

    def clean_review_year(self) -> int:
        year = self.cleaned_data["review_year"]
        this_year = timezone.localdate().year
        if not this_year <= year <= this_year + 10:
            raise forms.ValidationError(f"Choose a year from {this_year} to {this_year + 10}.")
        return year


class ClauseForm(CleanTextMixin, forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), help_text=CLAUSE_TEXT_HELP)
    style = forms.ChoiceField(choices=Clause.Style.choices, initial=Clause.Style.PARAGRAPH)
    section = forms.ModelChoiceField(
        queryset=Section.objects.none(),
        empty_label=None,
        help_text="Choosing another section moves the clause to the end of that section.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, version: PolicyVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = version.sections.order_by("position")
        self.fields["section"].label_from_instance = lambda s: (
            f"{s.position}. {s.heading or '(opening section)'}"
        )

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()


class AddClauseForm(CleanTextMixin, forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), help_text=CLAUSE_TEXT_HELP)
    style = forms.ChoiceField(choices=Clause.Style.choices, initial=Clause.Style.PARAGRAPH)
    after = forms.ModelChoiceField(
        queryset=Clause.objects.none(),
        required=False,
        empty_label="At the start of the section",
        label="Place it after",
    )

    def __init__(self, *args, section: Section, number: int, **kwargs):
        super().__init__(*args, **kwargs)
        clauses = list(section.clauses.order_by("position"))
        self.fields["after"].queryset = section.clauses.all()
        self.fields["after"].label_from_instance = lambda c: f"{number}.{c.position} {c.text[:70]}"
        if clauses and "after" not in self.initial:
            self.initial["after"] = clauses[-1].pk

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()


class SectionForm(CleanTextMixin, forms.Form):
    heading = forms.CharField(
        max_length=200, required=False, help_text="Leave empty for an untitled section."
    )


class VersionDetailsForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = [
            "label",
            "adopted_season",
            "adopted_year",
            "review_season",
            "review_year",
            "applies_to",
            "developed_by",
        ]
        labels = {
            "adopted_season": "Adoption term",
            "adopted_year": "Adoption year",
            "review_season": "Review term",
            "review_year": "Review year",
        }
        widgets = {
            "applies_to": forms.Textarea(attrs={"rows": 3}),
            "developed_by": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("adopted_season")) != bool(cleaned.get("adopted_year")):
            raise forms.ValidationError("Give both the adoption term and its year, or neither.")
        return cleaned


class ApprovalForm(CleanTextMixin, forms.Form):
    approved_by_body = forms.CharField(
        label="Approved by",
        max_length=200,
        help_text="The body that approved it, e.g. the Board of Trustees.",
    )
    approved_on = forms.DateField(
        label="Date of approval",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For example 14/07/2026.",
    )
    minute_reference = forms.CharField(max_length=100, help_text="The minute that records the decision.")

    def clean_approved_on(self):
        approved_on = self.cleaned_data["approved_on"]
        if approved_on > timezone.localdate():
            raise forms.ValidationError("The date of approval cannot be in the future.")
        return approved_on


class PublishForm(CleanTextMixin, forms.Form):
    """HR's judgement of a new version of a published policy: must everyone acknowledge it again?"""

    change = forms.ChoiceField(
        label="Does everyone need to acknowledge this version again?",
        choices=[
            (
                PolicyVersion.Change.MATERIAL,
                "Material change: everyone acknowledges again",
            ),
            (
                PolicyVersion.Change.MINOR,
                "Minor change (wording, links, typing errors): "
                "acknowledgements of the current version carry over",
            ),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the version and shown on receipts and the register, e.g. "
        '"Corrected the Designated Safeguarding Lead\'s telephone number."',
    )


class YearlyRoundForm(CleanTextMixin, forms.Form):
    """Whether a policy is acknowledged again every year, and from which date."""

    yearly = forms.BooleanField(
        label="Ask everyone to acknowledge this policy again every year", required=False
    )
    yearly_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first day of the first round, e.g. 1 September 2026; a new round opens on each "
        "anniversary.",
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("yearly"):
            cleaned["yearly_from"] = None
            return cleaned
        day = cleaned.get("yearly_from")
        if day is None:
            if "yearly_from" not in self.errors:
                self.add_error("yearly_from", "Give the date the first round opens.")
        elif (day.month, day.day) == (2, 29):
            self.add_error("yearly_from", "Choose a date other than 29 February: it is not there every year.")
        return cleaned


class CompareForm(CleanTextMixin, forms.Form):
    """The two versions to compare, named ``from`` and ``to`` as in the page's address."""

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (("from", "From (older)"), ("to", "To (newer)")):
            self.fields[name] = forms.ModelChoiceField(queryset=versions, label=label, empty_label=None)
            self.fields[name].label_from_instance = lambda v: f"{v.label} ({v.get_status_display().lower()})"


class NewPolicyForm(CleanTextMixin, forms.Form):
    """A new policy: its title and first version's terms, and optionally the document it comes from."""

    title = forms.CharField(max_length=200, help_text="As staff will see it, e.g. “Staff Code of Conduct”.")
    label = forms.CharField(
        max_length=40,
        label="Version",
        help_text='How the trust names this first version, e.g. "2026-2029". You can change it later.',
    )
    review_season = forms.ChoiceField(choices=Season.choices, label="Next review due: term")
    review_year = forms.IntegerField(label="Next review due: year")
    document = forms.FileField(
        required=False,
        label="Word document (optional)",
        help_text=(
            "A .docx from Word, or a .txt or Markdown (.md) file, up to 10 MB. Its headings become "
            "sections, its paragraphs and list items clauses. You will see a preview before anything "
            "is saved. Leave it empty to write the policy here, clause by clause."
        ),
    )

    def clean_review_year(self) -> int:
        year = self.cleaned_data["review_year"]
        this_year = timezone.localdate().year
        if not this_year <= year <= this_year + 10:
            raise forms.ValidationError(f"Choose a year from {this_year} to {this_year + 10}.")
        return year


class ConfirmImportForm(CleanTextMixin, forms.Form):
    accept_missing = forms.BooleanField(
        required=False,
        label="I have read the sentences listed as missing and will add them to the draft myself.",
    )

    def __init__(self, *args, missing: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.missing = missing

    def clean(self):
        cleaned = super().clean()
        if self.missing and not cleaned.get("accept_missing"):
            raise forms.ValidationError(
                f"{self.missing} sentences of the document are not in the clauses. Tick the box to "
                "confirm you have read them, or fix the document and upload it again."
            )
        return cleaned


class AudienceForm(CleanTextMixin, forms.Form):
    """Who must acknowledge a policy (HR's "Who must acknowledge" page)."""

    kinds = forms.MultipleChoiceField(
        choices=[(kind, f"{label}s") for kind, label in Kind.choices],
        widget=forms.CheckboxSelectMultiple,
        label="Kinds of people",
        help_text=(
            "Each confirms the statement for their kind (governors and trustees: to comply with its spirit)."
        ),
    )
    all_schools = forms.TypedChoiceField(
        choices=[("yes", "Every school and the central trust team"), ("no", "Only the schools chosen below")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Where",
    )
    schools = forms.ModelMultipleChoiceField(
        queryset=School.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Chosen schools",
    )
    include_central_team = forms.BooleanField(
        required=False,
        label="With the central trust team (people of no school, trustees among them)",
        help_text="Only for a policy of chosen schools; a policy for every school includes them.",
    )
    tag = forms.ModelChoiceField(
        queryset=Tag.objects.order_by("name"),
        required=False,
        empty_label="No tag needed",
        label="Only people with this tag",
    )
    acknowledge_within_days = forms.IntegerField(
        min_value=1,
        max_value=200,
        label="School days to acknowledge",
        help_text=(
            "Weekdays from publication, or from the day a person joins the audience. "
            "Holidays are not taken out."
        ),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("all_schools") is False
            and not data.get("schools")
            and not data.get("include_central_team")
        ):
            self.add_error(None, "Choose at least one school, or the central trust team.")
        return data
