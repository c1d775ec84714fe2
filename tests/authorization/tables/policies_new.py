"""Adding a policy to the library: HR only; everyone else is refused (403), the signed-out sent to sign in."""

from tests.authorization.world import Row

HR_MAY_ADD = {"anonymous": 302, "staff": 403, "governor": 403, "head": 403, "exec_head": 403, "hr": 200}
# An upload preview exists only in the session of the HR person who uploaded it: for anyone else's token
# (or one made up) HR get "not found"; the others are refused before the token is looked at.
NOT_YOURS = {**HR_MAY_ADD, "hr": 404}


def build(world) -> None:
    pass


ROWS = {
    "policies:policy_new": Row(expect=HR_MAY_ADD),
    "policies:policy_import_preview": Row(args=lambda w: ["0" * 40], expect=NOT_YOURS),
}

EXTRA_CHECKS = [
    # A token that is not even the shape of one: the same answers, nothing read from storage.
    ("policies:policy_import_preview", lambda w: ["not-a-token"], NOT_YOURS),
]
