from django.urls import include, path

from dangso.handbook import views

app_name = "handbook"
urlpatterns = [
    path("", views.home, name="home"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    path("card/", include("dangso.handbook.card_urls")),
]
