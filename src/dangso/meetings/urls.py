from django.urls import path

from dangso.meetings import views

app_name = "meetings"
urlpatterns = [
    # The committee's pages (meeting.view to read, meeting.manage for the steps).
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("attendance/", views.rates, name="rates"),
    path("attendance/<int:pk>/", views.rates_cell, name="rates_cell"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/materials/", views.meeting_materials, name="materials"),
    path("<int:pk>/materials/<int:material_id>/", views.material, name="material"),
    path(
        "<int:pk>/materials/<int:material_id>/remove/",
        views.material_remove,
        name="material_remove",
    ),
    path("<int:pk>/publish/", views.meeting_publish, name="publish"),
    path("<int:pk>/open/", views.meeting_open, name="open"),
    path("<int:pk>/close/", views.meeting_close, name="close"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path(
        "<int:pk>/attendance/<int:member_id>/check-in/",
        views.attendance_check_in,
        name="attendance_check_in",
    ),
    path(
        "<int:pk>/attendance/<int:member_id>/leave/",
        views.attendance_leave,
        name="attendance_leave",
    ),
    path("<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/minutes/finalise/", views.minutes_finalise, name="minutes_finalise"),
    path("<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
]
