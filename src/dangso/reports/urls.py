from django.urls import path

from dangso.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.form_list, name="form_list"),
    path("forms/new/", views.form_create, name="form_create"),
    path("forms/<int:pk>/", views.form_detail, name="form_detail"),
    path("forms/<int:pk>/edit/", views.form_edit, name="form_edit"),
    path("forms/<int:pk>/open/", views.open_period, name="open_period"),
    path("forms/<int:pk>/periods/<str:start>/", views.period, name="period"),
    path("forms/<int:pk>/periods/<str:start>/<int:org_id>/", views.period_node, name="period_node"),
    path(
        "forms/<int:pk>/periods/<str:start>/<int:org_id>/approve/",
        views.approve_node,
        name="approve_node",
    ),
    path(
        "forms/<int:pk>/periods/<str:start>/<int:org_id>/export.<slug:fmt>",
        views.period_export,
        name="period_export",
    ),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("submissions/<int:pk>/approve/", views.approve_submission, name="approve_submission"),
    path("submissions/<int:pk>/return/", views.return_submission, name="return_submission"),
    path(
        "submissions/<int:pk>/export.<slug:fmt>",
        views.submission_export,
        name="submission_export",
    ),
]
