from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.home, name="home"),
    path("policies/<slug:slug>/", views.policy_detail, name="policy_detail"),
    path("policies/<slug:slug>/versions/", views.version_list, name="version_list"),
    path("policies/<slug:slug>/versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("policies/<slug:slug>/versions/<int:pk>/pdf/", views.version_pdf, name="version_pdf"),
]
