"""Pages of the connect feature (included at the hub's root by `migrahub.web.urls`)."""

from django.urls import path

from migrahub.web.connect import peers, views

urlpatterns = [
    path("library/practices", views.practice_library, name="connect-practices"),
    path("library/practices/new", views.practice_new, name="connect-practice-new"),
    path("library/practices/review", views.practice_review, name="connect-practice-review"),
    path("library/practices/<int:record_id>", views.practice_detail, name="connect-practice"),
    path("library/practices/<int:record_id>/edit", views.practice_edit, name="connect-practice-edit"),
    path("library/practices/<int:record_id>/act", views.practice_act, name="connect-practice-act"),
    path("library/practices/promote/<int:entity_id>", views.practice_promote, name="connect-practice-promote"),
    path("library/resources", views.resources, name="connect-resources"),
    path("library/resources/import", views.resources_import, name="connect-resources-import"),
    path("library/resources/add", views.resources_add, name="connect-resources-add"),
    path("library/resources/export.<str:fmt>", views.resources_export, name="connect-resources-export"),
    path("cities", peers.city_directory, name="connect-cities"),
    path("cities/<int:city_id>/peers", peers.city_profile, name="connect-city"),
    path("cities/<int:city_id>/contacts", peers.city_contact, name="connect-city-contact"),
    path("peers/requests", peers.requests, name="connect-peer-requests"),
    path("peers/requests/<int:request_id>", peers.request_detail, name="connect-peer-request"),
    path("peers/requests/<int:request_id>/message", peers.request_message, name="connect-peer-message"),
    path("peers/requests/<int:request_id>/outcome", peers.request_outcome, name="connect-peer-outcome"),
    path("peers/expert", peers.expert_profile, name="connect-expert"),
    path("peers/experts", peers.experts, name="connect-experts"),
    path("declarations", peers.declaration_list, name="connect-declarations"),
    path("declarations/<int:declaration_id>", peers.declaration_detail, name="connect-declaration"),
]
