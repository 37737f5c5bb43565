from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.sections import DASHBOARD, sections_for


@login_required
def dashboard(request):
    """The user's home page: each app contributes the sections that concern the user's role."""
    return render(request, "core/dashboard.html", {"sections": sections_for(DASHBOARD, request.user)})
