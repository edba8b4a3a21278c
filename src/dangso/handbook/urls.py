from django.urls import include, path

from dangso.handbook import views

app_name = "handbook"
urlpatterns = [
    # The member's portal.
    path("", views.home, name="home"),
    path("activate/", views.activate_view, name="activate"),
    path("library/", views.library_view, name="library"),
    path("library/<int:pk>/", views.publication, name="publication"),
    path("library/<int:pk>/file/", views.publication_file, name="publication_file"),
    path("library/<int:pk>/mark/", views.publication_mark, name="publication_mark"),
    path("study/", views.study, name="study"),
    path("study/<int:pk>/", views.campaign, name="campaign"),
    path("messages/", views.threads, name="threads"),
    path("messages/new/", views.thread_new, name="thread_new"),
    path("messages/<int:pk>/", views.thread, name="thread"),
    path("card/", include("dangso.handbook.card_urls")),
    # The installable app.
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    # The cell committee's side.
    path("committee/accounts/", views.accounts_view, name="accounts"),
    path("committee/library/", views.publish_view, name="publish"),
    path("committee/study/", views.campaigns_view, name="campaigns"),
    path("committee/study/<int:pk>/", views.campaign_progress, name="campaign_progress"),
    path("committee/messages/", views.committee_threads, name="committee_threads"),
    path("committee/messages/<int:pk>/", views.committee_thread, name="committee_thread"),
]
