"""The member's cell meetings (handbook pages), kept at their first addresses under /meetings/
so that links already sent in notices keep working."""

from django.urls import path

from dangso.handbook import meeting_views

app_name = "member_meetings"
urlpatterns = [
    path("my/", meeting_views.portal_list, name="list"),
    path("my/<int:pk>/", meeting_views.portal_detail, name="detail"),
    path("my/<int:pk>/respond/", meeting_views.portal_respond, name="respond"),
    path(
        "my/<int:pk>/materials/<int:material_id>/",
        meeting_views.portal_material,
        name="material",
    ),
    path("check-in/<str:token>/", meeting_views.check_in, name="check_in"),
]
