from django.urls import path

from . import views

# No report content ever goes into a URL: reports are named by a random id, never by reference or text.
app_name = "reports"
urlpatterns = [
    path("new/", views.report_new, name="new"),
    path("mine/", views.my_reports, name="mine"),
    path("mine/<uuid:public_id>/", views.report_status, name="status"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case"),
    path("cases/<uuid:public_id>/status/", views.case_status, name="case_status"),
    path("cases/<uuid:public_id>/notes/", views.case_note, name="case_note"),
    path("cases/<uuid:public_id>/pass-on/", views.case_pass_on, name="case_pass_on"),
    path("cases/<uuid:public_id>/step-aside/", views.case_step_aside, name="case_step_aside"),
    path("cases/<uuid:public_id>/evidence/<int:position>/", views.evidence_download, name="evidence"),
    path("counts/", views.counts, name="counts"),
    path("counts.csv", views.counts_csv, name="counts_csv"),
]
