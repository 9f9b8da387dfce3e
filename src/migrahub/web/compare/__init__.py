"""The web room of the compare feature: its pages (`urls.py`, `views.py`, `templates/compare/`) and API routes."""
