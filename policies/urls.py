from django.urls import path

from . import views

app_name = "policies"

DRAFT = "policies/<slug:slug>/drafts/<int:pk>/"

urlpatterns = [
    path("", views.home, name="home"),
    # HR add a policy (before the policy pages: "new" is not a policy's address).
    path("policies/new/", views.policy_new, name="policy_new"),
    path("policies/new/preview/<str:token>/", views.policy_import_preview, name="policy_import_preview"),
    path("policies/<slug:slug>/", views.policy_detail, name="policy_detail"),
    # Who must acknowledge the policy, and within how many school days (HR).
    path("policies/<slug:slug>/audience/", views.policy_audience, name="policy_audience"),
    path("policies/<slug:slug>/versions/", views.version_list, name="version_list"),
    path("policies/<slug:slug>/versions/<int:pk>/", views.version_detail, name="version_detail"),
    # What changed between two versions: ?from=<older pk>&to=<newer pk> (both readable by the person).
    path("policies/<slug:slug>/compare/", views.compare, name="compare"),
    # HR's review: the draft of the next version, invisible (404) to everyone else.
    path("policies/<slug:slug>/drafts/start/", views.draft_start, name="draft_start"),
    # HR: whether the policy is acknowledged again every year (Keeping Children Safe in Education).
    path("policies/<slug:slug>/yearly-round/", views.yearly_round, name="yearly_round"),
    path(DRAFT, views.draft_detail, name="draft_detail"),
    path(DRAFT + "details/", views.draft_edit_details, name="draft_edit_details"),
    path(DRAFT + "approval/", views.draft_approval, name="draft_approval"),
    path(DRAFT + "publish/", views.draft_publish, name="draft_publish"),
    path(DRAFT + "sections/add/", views.section_add, name="section_add"),
    path(DRAFT + "sections/<int:section_pk>/edit/", views.section_edit, name="section_edit"),
    path(DRAFT + "sections/<int:section_pk>/remove/", views.section_remove, name="section_remove"),
    path(DRAFT + "sections/<int:section_pk>/move/", views.section_move, name="section_move"),
    path(DRAFT + "sections/<int:section_pk>/clauses/add/", views.clause_add, name="clause_add"),
    path(DRAFT + "clauses/<int:clause_pk>/edit/", views.clause_edit, name="clause_edit"),
    path(DRAFT + "clauses/<int:clause_pk>/remove/", views.clause_remove, name="clause_remove"),
    path(DRAFT + "clauses/<int:clause_pk>/move/", views.clause_move, name="clause_move"),
    path("policies/<slug:slug>/versions/<int:pk>/pdf/", views.version_pdf, name="version_pdf"),
    path("exports/", views.export_list, name="export_list"),
]
