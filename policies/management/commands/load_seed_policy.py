from django.core.management.base import BaseCommand

from policies.models import Policy
from symphony_portal.lib.fixtures import load_fixture_once


class Command(BaseCommand):
    help = "Load the Social Media Policy 2016-2019 (fixtures/seed_policy.json) unless already loaded."

    def handle(self, *args, **options):
        load_fixture_once(
            "seed_policy",
            already_loaded=Policy.objects.filter(slug="social-media-policy").exists(),
            stdout=self.stdout,
        )
