from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from .models import User


class PersonCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "kind", "school", "job_title"]


class PersonChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
