"""Background jobs: what a job is to the people who follow it (``model``) and the worker that runs the queue
(``worker``). The queue is django-tasks' database backend in the hub's own database; the work is done by the
service functions that ``migrahub.services.jobs`` names as job kinds."""

from migrahub.jobs.model import JOB_STATUSES, Job, JobCancelled, JobError, JobNotFound, Policy, job_status

__all__ = ["JOB_STATUSES", "Job", "JobCancelled", "JobError", "JobNotFound", "Policy", "job_status"]
