"""The benches sign people in with ``force_login``. Since issue 18, anyone who must use a second factor
(HR, Heads) is held at its set-up until the session says it passed one, so a bench would time that
redirect instead of the page. This marks a benchmark session as a code typed at sign-in would
(allauth's record of the session's authentications), keeping the gate's own check in every request."""

import time

from allauth.account.internal.flows import login as sign_in_records
from allauth.account.internal.userkit import user_id_to_str


def mark_second_factor_passed(client, user) -> None:
    """Record in ``client``'s session that ``user`` passed a second factor (TOTP) just now."""
    session = client.session  # a new SessionStore at each access: change and save this one
    session[sign_in_records._AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session[sign_in_records.AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "mfa", "at": time.time(), "type": "totp"}
    ]
    session.save()
