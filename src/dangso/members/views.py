from django.http import HttpRequest, HttpResponse


def member_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # replaced by the UI work in progress


def dashboard(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # replaced by the UI work in progress
