"""The one background process operators run: `manage.py run_worker` (loop) or `--once`."""

import logging
import signal
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from wagtail.models import Revision

from api.channels.sync import prune_tombstones
from api.record.changes import catch_up, refresh_review_status
from webhooks import delivery
from worker import heartbeat, leases, taskdb
from worker.singleton import exclusively

clock = time.monotonic  # round budgets (tests move it)


logger = logging.getLogger(__name__)


def publish_scheduled():
    """Wagtail's publish_scheduled, except that a scheduled revision that cannot be published
    (invalid since it was scheduled: a slug taken meanwhile, an unsafe link an import wrote)
    has its schedule cancelled and logged, instead of failing this round and every one after
    it. The due revisions go first, one transaction each, as publish_scheduled would publish
    them; then publish_scheduled itself, for expiries. Returns how many were cancelled."""
    cancelled = 0
    due = Revision.objects.filter(approved_go_live_at__lt=timezone.now())
    for revision in due.order_by("approved_go_live_at", "pk"):
        try:
            with transaction.atomic():
                revision.publish(log_action="wagtail.publish.scheduled")
        except (ValidationError, IntegrityError) as refused:
            logger.error(
                "Scheduled revision %s of %r not published, its schedule cancelled: %s",
                revision.pk,
                revision.object_str,
                "; ".join(getattr(refused, "messages", [str(refused)])),
            )
            Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=None)
            cancelled += 1
    call_command("publish_scheduled", verbosity=0)
    return cancelled


class Command(BaseCommand):
    help = (
        "Run all background work: queued django-tasks jobs (search and reference indexing, "
        "API change tracking), webhook deliveries, Wagtail's scheduled publishing and "
        "review-status changes (with their reminders). "
        "Loops until stopped; with --once, does everything that is due and exits. "
        "Several may run at once: each queued task and delivery runs once, and the once-a-round "
        "duties (scheduled publishing, review status, catch-up, pruning) by one worker at a time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Do everything that is due, then exit."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="Seconds to sleep between rounds when idle (default 5).",
        )
        parser.add_argument(
            "--budget",
            type=float,
            default=30.0,
            help="Seconds a round spends on queued tasks before it moves on to scheduled "
            "publishing, review status and catching up; the rest waits for the next round "
            "(default 30). A refresh task itself stops after API_REFRESH_TASK_SECONDS.",
        )

    def handle(self, *args, once=False, interval=5.0, budget=30.0, **options):
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        if budget <= 0:
            raise CommandError("--budget must be a positive number of seconds.")
        self.budget = budget
        self.unleased_scan_at = None  # when to look for claimed tasks that never took a lease
        self.verbosity = options["verbosity"]
        self.running = True
        if not once:
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)
            self.say(f"Worker started: a round every {interval:g}s when idle. Ctrl+C to stop.")
        while self.running:
            heartbeat.beat()  # `manage.py worker_health` reads it
            close_old_connections()
            did = self.run_round()
            if once:
                break
            if not did:
                time.sleep(interval)
        self.say("Worker stopped.")

    def stop(self, signum, frame):
        self.say("Stopping after this round...")
        self.running = False

    def say(self, message):
        if self.verbosity:
            self.stdout.write(message)

    def run_round(self):
        """One pass over every kind of due work, queued tasks for at most --budget seconds.
        Returns how many things it did."""
        self.deadline = clock() + self.budget
        queued_again, abandoned = self.reclaim_tasks()  # of workers that died mid-task
        tasks = self.drain_tasks()
        self.duty("publish_scheduled", publish_scheduled)
        # review status moves with the calendar, not an edit
        moved = self.duty("review_status", refresh_review_status)
        tasks += self.drain_tasks()  # what publishing scheduled pages queued
        # what no queued task recorded (a crash after a commit, a deploy)
        caught = self.duty("catch_up", catch_up)
        # due webhook deliveries, expired leases reclaimed, until the round's deadline
        sent = delivery.deliver_due(deadline=max(self.deadline, clock() + 1))
        # sync's deletions older than API_SYNC_TOMBSTONE_DAYS, delivered events older than
        # WEBHOOKS_RETENTION_DAYS
        pruned, forgotten = self.duty(
            "prune", lambda: (prune_tombstones(), delivery.prune()), idle=(0, 0)
        )
        if queued_again:
            self.say(f"{queued_again} task(s) queued again: their worker had stopped.")
        if abandoned:
            self.say(f"{abandoned} task(s) marked failed: their worker stopped every attempt.")
        if tasks:
            self.say(f"Ran {tasks} queued task(s).")
        if moved:
            self.say(f"{moved} item(s) changed review status.")
        if caught:
            self.say(f"{caught} item(s) refreshed that no task had recorded.")
        if sent:
            self.say(f"{sent} webhook delivery attempt(s).")
        if pruned:
            self.say(f"{pruned} tombstone(s) pruned.")
        if forgotten:
            self.say(f"{forgotten} old webhook event(s) forgotten.")
        return queued_again + tasks + moved + caught + sent

    def duty(self, name, run, idle=0):
        """Run a once-a-round duty unless another worker is running it (worker/singleton.py):
        `run()`'s answer, or `idle` when it was skipped."""
        with exclusively(name, settings.WORKER_DUTY_LEASE_SECONDS) as mine:
            return run() if mine else idle

    def reclaim_tasks(self):
        """Tasks left RUNNING by a worker that died (worker/leases.py). Claimed tasks that never
        took a lease are looked for once a lease period: it reads the whole task table."""
        if not taskdb.database_backends():
            return 0, 0
        unleased = self.unleased_scan_at is None or clock() >= self.unleased_scan_at
        if unleased:
            self.unleased_scan_at = clock() + settings.WORKER_TASK_LEASE_SECONDS
        return leases.reclaim(unleased=unleased)

    def drain_tasks(self):
        ran = 0
        for alias in taskdb.database_backends():  # the immediate backend runs tasks inline
            worker = taskdb.RoundWorker(
                alias=alias,
                should_stop=lambda: clock() >= self.deadline,
                around=leases.held,
            )
            worker.run()
            ran += worker.ran
        return ran
