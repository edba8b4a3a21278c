from django.urls import path

from dangso.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("register/<slug:direction>/", views.register_view, name="register"),
    path(
        "register/<slug:direction>/export.<slug:fmt>",
        views.register_export,
        name="register_export",
    ),
    path("incoming/new/", views.incoming_new, name="incoming_new"),
    path("incoming/package/", views.package_import, name="package_import"),
    path("drafts/new/", views.draft_new, name="draft_new"),
    path("office/<int:pk>/", views.office, name="office"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.draft_edit, name="edit"),
    path("<int:pk>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/package.zip", views.package_export, name="package_export"),
    path("<int:pk>/<slug:name>/", views.step, name="step"),
]
