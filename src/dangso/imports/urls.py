from django.urls import path

from dangso.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("template/", views.template, name="template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/columns/", views.mapping, name="mapping"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/report/", views.report, name="report"),
]
