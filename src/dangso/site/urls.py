"""The URL root: every app's pages under its prefix, the site's own pages, the API."""

from django.urls import include, path
from django.views.generic import RedirectView

from dangso.site.api import api

urlpatterns = [
    path("", include("dangso.site.pages")),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("", include("dangso.core.urls")),
    path("accounts/", include("dangso.accounts.urls")),
    path("orgs/", include("dangso.orgs.urls")),
    path("members/", include("dangso.members.urls")),
    path("quality/", include("dangso.quality.urls")),
    path("imports/", include("dangso.imports.urls")),
    path("documents/", include("dangso.documents.urls")),
    path("tasks/", include("dangso.followup.urls")),
    path("reports/", include("dangso.reports.urls")),
    path("handbook/", include("dangso.handbook.urls")),
    path("meetings/", include("dangso.handbook.meeting_urls")),
    path("meetings/", include("dangso.meetings.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
