"""Synthetic medical content at scale, for benchmarks and query-budget tests: the content is
built by pages/seed/generated.py and written by a bulk load (pages/seed/bulk.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from pages.models import ConditionPage
from pages.seed.generated import CHUNK, generate_content


class Progress:
    """Counts and time since the step began: a one-line bar on a terminal, a line every 10%
    elsewhere (CI logs), e.g. `Conditions: 5000/10000 (41.2s)`. `stream`: a command's stdout."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()
        self.label = None

    def step(self, label, done, total):
        if label != self.label:
            self.label, self.started, self.last_decile = label, time.monotonic(), -1
        elapsed = time.monotonic() - self.started
        if self.tty:
            bar = "#" * int(done / total * 30)
            line = f"\r{label:<12} [{bar:<30}] {done}/{total} ({elapsed:.1f}s)"
            self.stream.write(line, ending="\n" if done >= total else "")
            self.stream.flush()
        elif done and int(done / total * 10) > self.last_decile:
            self.last_decile = int(done / total * 10)
            self.stream.write(f"{label}: {done}/{total} ({elapsed:.1f}s)")

    def say(self, message):
        self.stream.write(message)


class Command(BaseCommand):
    help = (
        "Generate realistic synthetic content at scale for benchmarks: N conditions plus "
        "causes, treatments and therapies linked to them (on top of the seed content)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--conditions", type=int, default=100, help="How many conditions.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (repeatable data).")
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Continue the latest run (one that was interrupted) until it holds --conditions "
            "conditions, instead of adding a new run beside it.",
        )
        parser.add_argument(
            "--chunk",
            type=int,
            default=CHUNK,
            help=f"Conditions per transaction (default {CHUNK:,}): an interrupted run keeps "
            "its finished chunks.",
        )

    def handle(self, *args, conditions, seed, resume, chunk, **options):
        if not 1 <= conditions <= 100_000:
            raise CommandError("--conditions must be between 1 and 100000.")
        if chunk < 1:
            raise CommandError("--chunk must be at least 1.")
        started = time.monotonic()
        progress = Progress(self.stdout) if options["verbosity"] else None
        added = generate_content(
            conditions, seed=seed, progress=progress, resume=resume, chunk=chunk
        )
        if not options["verbosity"]:
            return
        if not added:
            self.stdout.write("Nothing to add: the latest run already holds that many conditions.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {sum(added.values())} pages "
                f"({added[ConditionPage]} conditions) in {time.monotonic() - started:.1f}s."
            )
        )
