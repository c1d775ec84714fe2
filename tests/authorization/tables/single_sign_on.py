"""Single sign-on (django-allauth's OpenID Connect views): open before sign-in, as signing in is.

The table's world configures no provider (none comes from the environment in tests), so both answer 404
to everyone: a provider that is not configured does not exist. tests/trust/test_single_sign_on.py signs
people in through them against a provider on loopback, and refuses the wrong people there (another
tenant or domain, a deactivated person, an unknown email).
"""

from tests.authorization.world import Row

EVERYONE = ("anonymous", "staff", "governor", "head", "exec_head", "hr")


def build(world) -> None:
    pass


ROWS = {
    "openid_connect_login": Row(
        args=lambda w: ["microsoft"], method="post", expect=dict.fromkeys(EVERYONE, 404)
    ),
    "openid_connect_callback": Row(args=lambda w: ["google"], expect=dict.fromkeys(EVERYONE, 404)),
}
