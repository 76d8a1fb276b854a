"""A one-file Django site for django.sh: `python django_site.py runserver PORT`.

DEBUG=True, as `startproject` makes it, and Django's default LOGGING: its
`django.request` errors and runserver's request lines go to stderr; the view's
own `logging.getLogger("shop.orders").warning(…)` has no handler configured,
so Python's last-resort handler writes the message alone.
"""

import logging
import sys

from django.conf import settings
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=True, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"], SECRET_KEY="x"
)
log = logging.getLogger("shop.orders")


def index(request):
    log.warning("order received request_id=%s", request.GET.get("request_id"))
    return HttpResponse("ok")


def boom(request):
    raise RuntimeError("boom request_id=" + request.GET["request_id"])


urlpatterns = [path("", index), path("boom", boom)]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
