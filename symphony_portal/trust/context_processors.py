from django.conf import settings


def trust(request):
    return {"TRUST_NAME": settings.TRUST_NAME}
