from django.urls import path

from . import views

app_name = "acknowledgements"
urlpatterns = [
    path("", views.my_acknowledgements, name="mine"),
    path("versions/<int:version_pk>/", views.acknowledge, name="acknowledge"),
    path("waiting/", views.acknowledge_waiting, name="waiting"),
    path("<int:pk>/", views.receipt, name="receipt"),
    path("compliance/", views.compliance_overview, name="compliance"),
    path("compliance/schools/<slug:slug>/", views.compliance_school, name="compliance_school"),
    path("compliance/central-team/", views.compliance_central, name="compliance_central"),
    path("outstanding/", views.outstanding_list, name="outstanding"),
    path("register.csv", views.register_csv, name="register_csv"),
    # "Send reminders now": a preview (GET), then the send (POST); the whole trust or one school.
    path("reminders/", views.send_reminders, name="reminders"),
    path("reminders/schools/<slug:slug>/", views.send_reminders, name="reminders_school"),
]
urlpatterns += [
    # The signed-off review pack (HR and the Executive Head Teacher), made off the request path.
    # The record of exports (HR), with a download link for each pack still stored.
    path("exports/", views.export_list, name="exports"),
    path("signoff-packs/", views.signoff_pack_index, name="signoff_pack_index"),
    path("signoff-packs/versions/<int:version_pk>/", views.signoff_pack, name="signoff_pack"),
    path(
        "signoff-packs/versions/<int:version_pk>/prepare/",
        views.signoff_pack_prepare,
        name="signoff_pack_prepare",
    ),
    path("signoff-packs/<int:job_pk>/download/", views.signoff_pack_download, name="signoff_pack_download"),
]
