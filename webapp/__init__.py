"""meshwatch: the Django project."""
