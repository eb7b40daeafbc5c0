from django.apps import AppConfig


class TrafficConfig(AppConfig):
    name = "webapp.traffic"
    label = "traffic"
