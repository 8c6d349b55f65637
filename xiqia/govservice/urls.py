"""Pages of the govservice module."""

from django.urls import path

from xiqia.govservice import green_channel_views as green
from xiqia.govservice import views

app_name = "govservice"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("supervision/", views.supervision, name="supervision"),
    path("track/", views.track, name="track"),
    path("track/status/", views.track_status, name="track-status"),
    path("cases/new/", views.case_receive, name="case-receive"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/<slug:action>/", views.case_action, name="case-action"),
    path("follow-ups/", views.follow_up_list, name="follow-up-list"),
    path("follow-ups/<int:pk>/close/", views.follow_up_close, name="follow-up-close"),
    path("pairing/", views.pairing, name="pairing"),
    path("green-channel/", green.request_queue, name="request-queue"),
    path("green-channel/submit/", green.request_submit, name="request-submit"),
    path("green-channel/track/", green.request_track, name="request-track"),
    path("green-channel/track/status/", green.request_track_status, name="request-track-status"),
    path("green-channel/<int:pk>/", green.request_detail, name="request-detail"),
    path("green-channel/<int:pk>/<slug:action>/", green.request_action, name="request-action"),
]
