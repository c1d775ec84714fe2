from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.register, name="register"),
    path("register.csv", views.register_csv, name="register_csv"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/runners/", views.runner_search, name="runner_search"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/review/", views.site_review, name="site_review"),
    path("requests/<int:pk>/address/", views.site_link, name="site_link"),
    path("requests/<int:pk>/address/decide/", views.site_link_decide, name="site_link_decide"),
    path("due/", views.due_list, name="due_list"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/hand-over/", views.group_handover, name="group_handover"),
    path("hand-overs/<int:pk>/answer/", views.handover_answer, name="handover_answer"),
]
