"""Pages of the compare feature (included at the hub's root by `migrahub.web.urls`)."""

from django.urls import path, re_path

from migrahub.web.compare import views

urlpatterns = [
    path("compare/", views.home, name="compare-home"),
    path("compare/load", views.load, name="compare-load"),
    path("compare/<slug:code>/", views.index_page, name="compare-index"),
    path("compare/<slug:code>/compare", views.side_by_side, name="compare-units"),
    re_path(r"^compare/(?P<code>[-\w]+)/export\.(?P<fmt>csv|xlsx|json|imeta|idata)$", views.download,
            name="compare-export"),
    path("compare/<slug:code>/indicators/<str:indicator>", views.indicator_page, name="compare-indicator"),
    path("compare/<slug:code>/units/<str:unit>/", views.unit_profile, name="compare-unit"),
    path("compare/<slug:code>/units/<str:unit>/answers", views.questionnaire, name="compare-answers"),
    path("compare/<slug:code>/units/<str:unit>/suggest", views.suggest, name="compare-suggest"),
    path("compare/<slug:code>/units/<str:unit>/suggestions/<int:suggestion_id>", views.decide,
         name="compare-decide"),
]
