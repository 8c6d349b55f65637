from django.urls import path

from xiqia.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("regions/", views.region_list, name="region-list"),
    path("regions/<str:code>/", views.region_detail, name="region-detail"),
]
