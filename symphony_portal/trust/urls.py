from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("import/", views.import_upload, name="import_upload"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/invitations/", views.import_resend_invitations, name="import_resend_invitations"),
    path("tags/", views.tag_list, name="tag_list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag_detail"),
    path("tags/<slug:slug>/people/<int:person_pk>/remove/", views.tag_remove, name="tag_remove"),
    path("<int:pk>/second-factor/", views.second_factor_reset, name="second_factor_reset"),
]
