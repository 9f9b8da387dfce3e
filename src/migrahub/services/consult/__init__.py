"""Services of the consult feature, called by the CLI, the web pages and the API.

- :mod:`.polis`: opinion groups of a Pol.is export folder, Pol.is-format export;
- :mod:`.consultations`: consultations, questions, submissions, moderation, personal data;
- :mod:`.reports`: analysis and the synthesis report;
- :mod:`.incidents`: safe incident reporting and its aggregates.
"""
