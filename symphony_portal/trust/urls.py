from django.urls import path  # noqa: F401 - HR's people pages arrive with the import issue

app_name = "people"
urlpatterns: list = []
