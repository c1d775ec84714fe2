from django.urls import path  # noqa: F401 - the views of this app arrive with its issue

app_name = "approvals"
urlpatterns: list = []
