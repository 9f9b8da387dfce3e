"""The web room of the monitor feature: its pages (`urls.py`, `views.py`, `templates/monitor/`) and API routes."""
