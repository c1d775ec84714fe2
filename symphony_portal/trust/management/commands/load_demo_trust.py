from django.core.management.base import BaseCommand

from symphony_portal.lib.fixtures import load_fixture_once
from symphony_portal.trust.models import School


class Command(BaseCommand):
    help = "Load the fictional demo schools and people (fixtures/demo_trust.json) unless already loaded."

    def handle(self, *args, **options):
        load_fixture_once(
            "demo_trust",
            already_loaded=School.objects.filter(slug="harmony-primary").exists(),
            stdout=self.stdout,
        )
