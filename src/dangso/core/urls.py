from django.urls import path

from dangso.core import views

app_name = "core"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
]
