from django.apps import AppConfig


class DnsConfig(AppConfig):
    name = "webapp.dns"
    label = "dns"
