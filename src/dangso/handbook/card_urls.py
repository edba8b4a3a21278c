"""Electronic party card, under /handbook/card/ in the "handbook" namespace."""

from django.urls import path

from dangso.handbook import card_views

urlpatterns = [
    path("", card_views.card_page, name="card"),
    path("verify/", card_views.verify_page, name="card_verify"),
    path("keys.json", card_views.keys, name="card_keys"),
    path("public-key.pem", card_views.public_key, name="card_public_key"),
    path("revocations.json", card_views.revocations, name="card_revocations"),
]
