"""Reversing a URL once: for links a page repeats in a list (a policy's page, on home, for each policy)."""

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse


def reverse_once(viewname: str, *args: str | int) -> str:
    """``reverse(viewname, args=args)``, remembered.

    Django's reverse costs tens of microseconds; a list of thirty policies paid it for each. The answer
    depends only on its arguments, the URLconf and the script prefix, which are part of the key (a
    test that swaps the URLconf, a deployment under a sub-path), so a remembered answer is never stale.
    """
    return _reverse(viewname, args, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=4096)
def _reverse(viewname: str, args: tuple, urlconf: str | None, prefix: str) -> str:
    return reverse(viewname, args=args, urlconf=urlconf)
