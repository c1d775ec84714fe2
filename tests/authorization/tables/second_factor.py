"""The second factor (django-allauth's mfa views): each person manages only their own, so the wrong person
is the one not signed in; a trust administrator's reset of someone else's is refused to everyone else.

These rows are walked with the second-factor requirement off (tests/conftest.py): a person here has none
set up, so pages about an existing one answer 404 and changes first ask for the password again (302).
tests/trust/test_second_factor.py walks every URL with it on.
"""

from tests.authorization.world import Row

SIGNED_IN = ("staff", "governor", "head", "exec_head", "hr")
OWN_200 = {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 200)}
# Signed in but not recently by password: asked to confirm it first.
CONFIRM_PASSWORD_302 = {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 302)}
NO_PASSWORD_403 = {**CONFIRM_PASSWORD_302, "governor": 403, "exec_head": 403}
NONE_SET_UP_404 = {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 404)}


def build(world) -> None:
    pass


ROWS = {
    # The same sign-in page under the name allauth's views use.
    "account_login": Row(expect=dict.fromkeys(("anonymous", *SIGNED_IN), 200)),
    # Confirming one's password: the cast's governor and Executive Head have none (403).
    "account_reauthenticate": Row(expect={**OWN_200, "governor": 403, "exec_head": 403}),
    "mfa_index": Row(expect=OWN_200),
    # Confirming needs a password, and the cast's governor and Executive Head have none (403).
    "mfa_activate_totp": Row(expect=NO_PASSWORD_403),
    "mfa_generate_recovery_codes": Row(expect=NO_PASSWORD_403),
    "mfa_deactivate_totp": Row(expect=NONE_SET_UP_404),
    "mfa_view_recovery_codes": Row(expect=NONE_SET_UP_404),
    "mfa_download_recovery_codes": Row(expect=NONE_SET_UP_404),
    # Entering a code: without a second factor, sent to confirm the password instead (403 without one);
    # before sign-in only when a password sign-in waits for it (otherwise back to sign-in, or home).
    "mfa_reauthenticate": Row(expect=NO_PASSWORD_403),
    "mfa_authenticate": Row(expect=dict.fromkeys(("anonymous", *SIGNED_IN), 302)),
    # A trust administrator's; nobody in the table is one (tests/trust/test_second_factor.py).
    "people:second_factor_reset": Row(
        args=lambda w: [w.people["staff"].pk], expect={"anonymous": 302, **dict.fromkeys(SIGNED_IN, 403)}
    ),
}

EXTRA_CHECKS = [
    (
        "people:second_factor_reset",
        lambda w: [w.people["head"].pk],
        {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 403)},
    ),
]
