def axes_username(request, credentials) -> str:
    """The account name django-axes counts failures against: the email, whatever its case.

    Without this, "Head@school" and "head@school" would be throttled as two accounts.
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().lower()
