"""Sign-in and password-reset throttling, measured (issue 14): what each attempt is answered.

On a throwaway SQLite database in a temporary folder, with the portal's own settings (its password
hasher included), through Django's test client:
- 20 wrong passwords for one account from 5 addresses (4 each), then the right one from a sixth;
- one password sprayed over 12 accounts from one address, then one of them with its right password;
- 20 reset requests for one address within the hour: how many emails go out;
- reset requests for a registered and an unknown address: the median time of each (60 of each).
`make bench` runs it; `python bench/bench_throttling.py` does too.
"""

import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ["SYMPHONY_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-throttling-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symphony_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from symphony_portal.trust.models import User  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver"]
settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
mail.outbox = []
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def sign_in(email: str, password: str, ip: str) -> int:
    return (
        Client()
        .post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)
        .status_code
    )


def reset(email: str, ip: str) -> int:
    return Client().post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=ip).status_code


def answers(codes: list[int]) -> str:
    return ", ".join(f"{n}×{code}" for code, n in Counter(codes).items()) + f"  (in order: {codes})"


def main() -> None:
    call_command("migrate", verbosity=0)
    tess = User.objects.create_user("tess@bench.example", "tess-password-1", full_name="Tess Bench")
    people = [
        User.objects.create_user(f"p{n}@bench.example", f"own-password-{n}", full_name=f"P {n}")
        for n in range(12)
    ]
    pair_limit, account_limit = settings.AXES_FAILURE_LIMIT, settings.AXES_FAILURE_LIMIT_PER_ACCOUNT
    address_limit, emails_an_hour = (
        settings.AXES_FAILURE_LIMIT_PER_ADDRESS,
        settings.PASSWORD_RESET_EMAILS_PER_HOUR,
    )
    print(
        f"limits: {pair_limit} per account and address, {account_limit} per account, {address_limit} per "
        f"address, cool-off {settings.AXES_COOLOFF_TIME}; {emails_an_hour} reset emails per address an hour"
    )
    wrong = [sign_in(tess.email, f"guess-{n}", f"10.1.0.{n % 5}") for n in range(20)]
    print("20 wrong passwords, one account, 5 addresses:", answers(wrong))
    print(
        "  then the right password from a sixth address:", sign_in(tess.email, "tess-password-1", "10.1.0.99")
    )
    spray = [sign_in(p.email, "Summer2026!", "10.4.0.1") for p in people]
    print("one password over 12 accounts, one address:", answers(spray))
    print(
        "  then an account's right password from that address:",
        sign_in(people[0].email, "own-password-0", "10.4.0.1"),
    )
    with override_settings(TASKS=IMMEDIATE):
        codes = [reset(tess.email, f"10.8.0.{n}") for n in range(20)]
    print(f"20 reset requests for one address: {answers(codes)}; emails sent: {len(mail.outbox)}")
    times = {"registered": [], "unknown": []}
    with override_settings(
        PASSWORD_RESET_EMAILS_PER_HOUR=10**6, PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR=10**6
    ):
        # One address of each kind, asked for again and again, in alternating order.
        pair = [("registered", people[1].email), ("unknown", "nobody@bench.example")]
        for n in range(60):
            for kind, email in pair if n % 2 else pair[::-1]:
                start = time.perf_counter()
                reset(email, "10.9.9.9")
                times[kind].append((time.perf_counter() - start) * 1000)
    print(
        "reset request, median of 60: registered {:.1f} ms, unknown {:.1f} ms".format(
            statistics.median(times["registered"]), statistics.median(times["unknown"])
        )
    )


if __name__ == "__main__":
    main()
