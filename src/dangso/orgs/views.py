from django.http import HttpRequest, HttpResponse


def tree(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # replaced by the UI work in progress
