from django.urls import path

from dangso.followup import views

app_name = "followup"
urlpatterns = [
    path("", views.task_list_view, name="list"),
    path("new/", views.task_new, name="new"),
    path("programmes/", views.programmes, name="programmes"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/progress/", views.task_progress, name="progress"),
    path("<int:pk>/delegate/", views.task_delegate, name="delegate"),
    path("<int:pk>/grant/", views.task_grant, name="grant"),
    path("<int:pk>/evidence/<int:evidence_id>/", views.evidence, name="evidence"),
]
