from django.core.management.base import BaseCommand

from acknowledgements.models import Acknowledgement
from acknowledgements.services import acknowledge
from policies.models import PolicyVersion
from symphony_portal.trust.models import User

# A mix for the demo: these people have acknowledged the Social Media Policy; the others (Tom Baker,
# Josh Reed, Ben Carter, Ravi Patel, Lucy Ward, Olu Adeyemi) are still outstanding.
DEMO_ACKNOWLEDGED = [
    "sarah.okafor@symphony.example",
    "amira.khan@symphony.example",
    "margaret.ellis@symphony.example",
    "david.lin@symphony.example",
    "chloe.price@symphony.example",
    "helen.marsh@symphony.example",
    "priya.shah@symphony.example",
    "graham.holt@symphony.example",
]


class Command(BaseCommand):
    help = "Record demo acknowledgements of the seed policy for some demo people, unless already there."

    def handle(self, *args, **options):
        version = PolicyVersion.objects.published().filter(policy__slug="social-media-policy").first()
        people = list(User.objects.filter(email__in=DEMO_ACKNOWLEDGED))
        if version is None or not people:
            self.stdout.write("demo_acknowledgements: load the demo trust and the seed policy first.")
            return
        if Acknowledgement.objects.filter(version=version, person__in=people).exists():
            self.stdout.write("demo_acknowledgements: already loaded, left as it is.")
            return
        for person in people:
            acknowledge(version, by=person)
        self.stdout.write(
            f"demo_acknowledgements: loaded ({len(people)} acknowledged, the rest outstanding)."
        )
