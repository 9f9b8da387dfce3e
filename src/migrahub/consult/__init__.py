"""Consult: consultations, submissions, moderation, redaction, opinion groups, synthesis reports and incidents.

Pure logic over frozen dataclasses; the store (`migrahub.store.consult`) and the services
(`migrahub.services.consult`) are the edges.
"""
