from pathlib import Path

from django.conf import settings
from django.core.management import call_command

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


def load_fixture_once(name: str, *, already_loaded: bool, stdout) -> bool:
    """Load ``fixtures/<name>.json`` unless its rows are already there.

    Loading again would overwrite what happened since (a superseded version would become published
    again, a changed password would be reset), so a second run leaves everything as it is.
    """
    if already_loaded:
        stdout.write(f"{name}: already loaded, left as it is.")
        return False
    call_command("loaddata", str(FIXTURES_DIR / f"{name}.json"), verbosity=0)
    stdout.write(f"{name}: loaded.")
    return True
