from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "symphony_portal.mail"
    label = "mail"
    verbose_name = "Mail: the outbox of every email the portal sends"
