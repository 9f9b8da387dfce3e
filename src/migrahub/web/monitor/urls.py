"""Pages of the monitor feature (included at the hub's root by `migrahub.web.urls`)."""

from django.urls import path

from migrahub.web.monitor import views

urlpatterns = [
    path("monitor/stories/", views.story_list, name="monitor-stories"),
    path("monitor/search/", views.story_search, name="monitor-search"),
    path("monitor/stories/<int:story_id>/", views.story_detail, name="monitor-story"),
    path("monitor/sources/", views.source_health, name="monitor-sources"),
    path("monitor/sources/add", views.source_add, name="monitor-source-add"),
    path("monitor/alerts/", views.alert_list, name="monitor-alerts"),
    path("monitor/alerts/<int:alert_id>/act", views.alert_act, name="monitor-alert-act"),
    path("monitor/alerts/unsubscribe/<str:secret>/", views.unsubscribe, name="monitor-unsubscribe"),
    path("monitor/notifications/", views.notification_list, name="monitor-notifications"),
    path("monitor/feeds/latest.atom", views.feed_latest, name="monitor-feed-latest"),
    path("monitor/feeds/entity/<int:entity_id>.atom", views.feed_entity, name="monitor-feed-entity"),
    path("monitor/feeds/story/<int:story_id>.atom", views.feed_story, name="monitor-feed-story"),
    path("monitor/feeds/code/<name:code_id>.atom", views.feed_code, name="monitor-feed-code"),
    path("monitor/feeds/alert/<str:token>.atom", views.feed_alert, name="monitor-feed-alert"),
]
