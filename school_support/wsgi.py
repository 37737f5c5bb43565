import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import resolve, reverse
from django.utils.module_loading import autodiscover_modules

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school_support.settings")
application = get_wsgi_application()

# gunicorn's workers each import this module once, before their first request. Load the URLconf (and
# every view module it imports) now, not during somebody's first request; then move all that was loaded
# out of the garbage collector's reach (gc.freeze, Python's advice for pre-forked servers): those objects
# live as long as the worker, and without this each full collection during a request walks them again.
resolve("/")  # imports the URLconf and every view module it includes
reverse("dashboard")  # builds the table {% url %} reads
autodiscover_modules("sections", "listeners")  # what the apps register on shared pages and events
gc.collect()
gc.freeze()
