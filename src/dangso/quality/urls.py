from django.urls import path

from dangso.quality import views

app_name = "quality"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("check/<int:pk>/", views.check, name="check"),
    path("worklist/", views.worklist, name="worklist"),
    path("worklist/<int:pk>/fix/", views.fix, name="fix"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/<int:pk>/merge/", views.merge, name="merge"),
    path("duplicates/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
]
