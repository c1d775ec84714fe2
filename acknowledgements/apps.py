from django.apps import AppConfig


class AcknowledgementsConfig(AppConfig):
    name = "acknowledgements"

    def ready(self):
        # Home's live library (policies.live) is kept per compliance generation, which lives here.
        from policies import live

        from .home_generation import committed_generation

        live.use_generation(committed_generation)
