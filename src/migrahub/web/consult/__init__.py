"""The web room of the consult feature: its pages (`urls.py`, `views.py`, `templates/consult/`) and API routes."""
