"""The web room of the connect feature: its pages (`urls.py`, `views.py`, `templates/connect/`) and API routes."""
