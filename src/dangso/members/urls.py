from django.urls import path

from dangso.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
]
