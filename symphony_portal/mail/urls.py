from django.urls import path

from . import views

app_name = "mail"
urlpatterns = [
    path("delivery/", views.delivery, name="delivery"),
    path("delivery/<int:pk>/try-again/", views.try_again, name="try_again"),
]
