from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "symphony_portal.trust"
    label = "trust"
    verbose_name = "Trust: schools, people and roles"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in

        from .single_sign_on import record_second_factor_at_provider

        user_logged_in.connect(record_second_factor_at_provider, dispatch_uid="second_factor_at_provider")
