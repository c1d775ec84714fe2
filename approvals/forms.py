from django import forms
from django.db import models
from django.db.models import Q

from symphony_portal.lib.text import CleanTextMixin
from symphony_portal.trust.models import Kind, User

from .models import EmployeeGroup, SiteApprovalRequest, runners_reach

NOT_A_RUNNER = "One of the people chosen cannot run this site: choose colleagues from the list."
YES_NO = [("no", "No"), ("yes", "Yes")]


class ColleagueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.school_name})"


class ColleaguesChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.school_name})"


def web_address_field(field: models.Field, **kwargs) -> forms.Field:
    # An address typed without a scheme is taken as https://, not http:// (Django 6's default).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def colleagues():
    """Staff still with the trust: the only people who can run a site or take on a group."""
    return User.objects.active().filter(kind=Kind.EMPLOYEE).select_related("school")


def possible_runners(requester: User):
    """Colleagues a requester may name to run a site: their own school's staff and the central trust team.

    The same rule as ``permissions.can_run_site_for``, as a query: the picker offers no one else and the
    form accepts no one else.
    """
    return (
        colleagues().filter(Q(school__isnull=True) | Q(school_id=requester.school_id)).order_by("full_name")
    )


RUNNER_RESULTS_LIMIT = 20


def find_runners(requester: User, query: str) -> tuple[list[User], int]:
    """The first colleagues whose name contains every word of ``query``, and how many match in all."""
    words = query.split()[:5]
    if not words:
        return [], 0
    found = possible_runners(requester)
    for word in words:
        found = found.filter(full_name__icontains=word[:100])
    return list(found[:RUNNER_RESULTS_LIMIT]), found.count()


class SiteRequestForm(CleanTextMixin, forms.ModelForm):
    runners = ColleaguesChoiceField(
        queryset=User.objects.none(),
        label="Who will run it",
        help_text=(
            "At least two named colleagues (you can include yourself), so that the site survives a leaver."
        ),
        widget=forms.CheckboxSelectMultiple,
        # a forged or stale choice (someone outside the requester's school and the central team)
        error_messages={"invalid_pk_value": NOT_A_RUNNER, "invalid_choice": NOT_A_RUNNER},
    )
    shows_pupil_images = forms.TypedChoiceField(
        label="Will pupils' images appear on the site?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="no",
    )
    consent_confirmed = forms.BooleanField(
        label="I confirm the school's consent arrangements for pupils' images are in place for this site",
        required=False,
    )

    class Meta:
        formfield_callback = web_address_field
        model = SiteApprovalRequest
        fields = [
            "platform",
            "name",
            "purpose",
            "audience",
            "runners",
            "shows_pupil_images",
            "consent_confirmed",
            "moderation_plan",
            "link",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "moderation_plan": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "moderation_plan": (
                "Who checks posts and comments, how often, and what happens to inappropriate ones."
            ),
            "link": "Leave empty if the site does not exist yet: you can add it once it is approved.",
        }

    def __init__(self, *args, requester: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.requester = requester
        self.fields["runners"].queryset = possible_runners(requester)
        self.fields["runners"].error_messages["invalid_choice"] = (
            f"Only colleagues {runners_reach(requester)} can run this site: "
            "one of the people chosen is not, so choose again from the list."
        )
        if self.instance.pk and "shows_pupil_images" not in (kwargs.get("initial") or {}):
            self.initial["shows_pupil_images"] = "yes" if self.instance.shows_pupil_images else "no"

    def clean_runners(self):
        runners = self.cleaned_data["runners"]
        if len(runners) < 2:
            raise forms.ValidationError("Name at least two colleagues, so that the site survives a leaver.")
        return runners

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("shows_pupil_images") and not cleaned.get("consent_confirmed"):
            self.add_error(
                "consent_confirmed",
                "Pupils' images can only appear once the school's consent arrangements are confirmed.",
            )
        if not cleaned.get("shows_pupil_images"):
            cleaned["consent_confirmed"] = False
        return cleaned


class DecisionForm(CleanTextMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[
            (SiteApprovalRequest.Status.APPROVED, "Approve"),
            (SiteApprovalRequest.Status.CHANGES_REQUESTED, "Ask for changes"),
            (SiteApprovalRequest.Status.DECLINED, "Decline"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note to the requester",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you ask for changes or decline. It is shown in the portal, not emailed.",
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("outcome") in {"declined", "changes_requested"}
            and not cleaned.get("note", "").strip()
        ):
            self.add_error("note", "Say why, so that the requester knows what to do next.")
        return cleaned


class ReviewForm(CleanTextMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Re-approval",
        choices=[("reapprove", "Re-approve for another year"), ("withdraw", "Withdraw the site")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you withdraw a site.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "withdraw" and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why the site is withdrawn.")
        return cleaned


class LinkDecisionForm(CleanTextMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="The new web address",
        choices=[("approve", "Approve the new address"), ("decline", "Keep the approved address")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you keep the approved address.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "decline" and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why, so that the site's runners know what to do next.")
        return cleaned


class SiteLinkForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        formfield_callback = web_address_field
        model = SiteApprovalRequest
        fields = ["link"]
        help_texts = {"link": "The address of the site now that it exists, starting https://."}

    def clean_link(self):
        link = self.cleaned_data["link"]
        if not link:
            raise forms.ValidationError("Enter the site's web address.")
        return link


class EmployeeGroupForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        formfield_callback = web_address_field
        model = EmployeeGroup
        fields = ["platform", "name", "link", "purpose"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}


class HandoverForm(CleanTextMixin, forms.Form):
    offered_to = ColleagueChoiceField(
        queryset=User.objects.none(),
        label="Colleague to take over",
        help_text="They become responsible only once they accept.",
    )

    def __init__(self, *args, offered_by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offered_to"].queryset = colleagues().exclude(pk=offered_by.pk)
