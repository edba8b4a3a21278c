"""The site's own pages, under the ``site`` namespace."""

from django.urls import path

from dangso.site import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("tasks/dashboard/", views.steering, name="steering"),
    path("tasks/dashboard/members/", views.steering_members, name="steering_members"),
    path("audit/", views.audit_log, name="audit"),
]
