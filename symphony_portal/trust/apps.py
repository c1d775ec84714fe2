from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "symphony_portal.trust"
    label = "trust"
    verbose_name = "Trust: schools, people and roles"
