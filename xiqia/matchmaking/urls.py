"""Pages of the matchmaking module, under /matchmaking/."""

from django.urls import path

from xiqia.matchmaking import views

app_name = "matchmaking"

urlpatterns = [
    path("", views.index, name="index"),
    path("notifications/", views.notifications, name="notifications"),
    path("tables/<uuid:key>/check-in/", views.table_check_in, name="table-check-in"),
    path("<slug:slug>/", views.recommendations, name="recommendations"),
    path("<slug:slug>/profile/", views.profile_edit, name="profile"),
    path("<slug:slug>/people/<int:pk>/hide/", views.hide, name="hide"),
    path("<slug:slug>/people/<int:pk>/request/", views.request_send, name="request-send"),
    path("<slug:slug>/requests/", views.requests, name="requests"),
    path(
        "<slug:slug>/requests/<int:pk>/<str:action>/",
        views.request_answer,
        name="request-answer",
    ),
    path("<slug:slug>/agenda/", views.agenda, name="agenda"),
    path("<slug:slug>/agenda.ics", views.agenda_ics, name="agenda-ics"),
    path(
        "<slug:slug>/meetings/<int:pk>/<str:action>/",
        views.meeting_action,
        name="meeting-action",
    ),
    path("<slug:slug>/organise/", views.organise, name="organise"),
    path("<slug:slug>/organise/schedule/", views.schedule, name="schedule"),
    path("<slug:slug>/organise/proposals/", views.proposals, name="proposals"),
    path("<slug:slug>/organise/attendance/", views.attendance, name="attendance"),
    path("<slug:slug>/organise/tables/qr/", views.table_sheet, name="table-sheet"),
]
