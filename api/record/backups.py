"""Backups of the database and the media, restores of them, and what a restored database needs
before it serves (`manage.py backup`, `restore`, `after_restore`).

A backup is a folder: `database.dump` (pg_dump's custom format) or `database.sqlite3` (SQLite's
online backup: a consistent copy while the site runs), `media.tar` (MEDIA_ROOT; none when media
live in object storage) and `manifest.json` (when, which engine, the migrations applied, each
file's size and sha256). The database is dumped first: the media copied after it hold every
file the dump refers to.

A restore checks the files against the manifest and that this code knows every migration the
backup had, replaces the configured database with the backup (PostgreSQL: `pg_restore --clean`
in one transaction, after dropping tables the backup does not have: a newer schema's), puts the
media files back, and then runs `after_restore`:

- `migrate` (a backup made by an older release);
- a new response-cache namespace and a purge of everything cached (api/serving/response_cache.py):
the
  restore brought the old namespace back, and the cache and the CDN hold answers of the lost
  history;
- the cached facts read from the database (visibility, the default disclaimer) dropped;
- a refresh of the stored copies that are no longer current (api.record.changes.catch_up's rule:
  expiry dates and review dates that passed since the backup, another shapes' VERSION).

Sync cursors need nothing: a cursor that has seen lost changes does not match this database's
change marks and is answered 410 (api/channels/sync.py).
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from api.models import ChangeCounter, ChangeMark
from api.record import changes
from api.serving import response_cache
from pages.models.snippets import DEFAULT_DISCLAIMER_CACHE_KEY
from pages.selectors import VISIBILITY_CACHE_KEY

FORMAT = 1  # of manifest.json
MANIFEST = "manifest.json"
MEDIA = "media.tar"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
TOOLS_HINT = (
    "install the PostgreSQL client tools of the server's major version or newer "
    "(Debian/Ubuntu: apt-get install postgresql-client)"
)
LIBPQ_OPTIONS = {  # connection OPTIONS the command-line tools take from the environment
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(CommandError):
    """What went wrong, and what to do next."""


def engine():
    """'postgresql' or 'sqlite': the engines a backup knows how to copy (the database
    reachable)."""
    try:
        connection.ensure_connection()
    except OperationalError as error:
        raise BackupError(
            f"Cannot connect to the database DATABASE_URL names ({error}): check the URL, or "
            "create the database first (createdb, for a restore), then run this again."
        ) from None
    if connection.vendor not in DUMPS:
        raise BackupError(
            f"Backups support PostgreSQL and SQLite, not {connection.vendor}: use the "
            "database's own tools."
        )
    return connection.vendor


def media_root():
    """The folder holding the media, or None when they live elsewhere (object storage)."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.location)
    return None


def digest(path):
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def described(path, **extra):
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": digest(path), **extra}


def private(path):
    """A backup holds password hashes and webhook secrets: readable by its owner only."""
    path.chmod(0o600)
    return path


# --- backup -----------------------------------------------------------------------------------


def backup(output, progress, media=True):
    """Write a backup into the folder `output` (new, or empty). `progress`: a
    generate_content.Progress. Returns the manifest."""
    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"{output} is not empty: give a new folder (a backup never overwrites).")
    kind = engine()
    output.mkdir(parents=True, exist_ok=True, mode=0o700)
    applied = sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )
    last = ChangeCounter.row().values_list("last", flat=True).first() or 0
    dump = output / DUMPS[kind]
    progress.say(f"Dumping the database ({kind}) to {dump}...")
    (dump_postgresql if kind == "postgresql" else dump_sqlite)(dump, progress)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": described(private(dump), engine=kind),
        "media": None,
        "migrations": applied,
        "change_counter": last,
    }
    root = media_root()
    if not media:
        progress.say("Media left out (--no-media).")
    elif root is None:
        progress.say(
            "Media live in object storage, not in this backup: keep them with the bucket's own "
            "versioning or replication."
        )
    else:
        tar = output / MEDIA
        progress.say(f"Archiving the media ({root}) to {tar}...")
        files = archive_media(root, tar, progress)
        manifest["media"] = described(private(tar), files=files)
    (output / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    private(output / MANIFEST)
    return manifest


def pg_environment():
    """The environment the PostgreSQL tools connect with: the configured database's settings
    (the password never on a command line)."""
    db = connection.settings_dict
    env = {**os.environ}
    for name, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(name):
            env[variable] = str(db[name])
    for option, variable in LIBPQ_OPTIONS.items():
        if db.get("OPTIONS", {}).get(option) is not None:
            env[variable] = str(db["OPTIONS"][option])
    return env


def run_tool(args, on_line=None, next_step="fix the cause and run the same command again"):
    """Run a PostgreSQL tool with the database's environment, handing each line it writes to
    stderr (its --verbose progress) to `on_line`. Raises BackupError with its last words and
    `next_step`."""
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(f"{args[0]} was not found: {TOOLS_HINT}.")
    lines = []
    process = subprocess.Popen(  # noqa: S603 - a fixed tool, arguments from settings
        [tool, *args[1:]],
        env=pg_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stderr:
        lines.append(line.rstrip())
        if on_line:
            on_line(line)
    if process.wait():
        said = "\n".join(line for line in lines if "error" in line.lower() or "fatal" in line)
        hint = " (version mismatch: " + TOOLS_HINT + ")" if "version mismatch" in said else ""
        said = said or "\n".join(lines[-10:])
        raise BackupError(f"{args[0]} failed{hint}:\n{said}\nNext: {next_step}.")


def dump_postgresql(path, progress):
    tables = len(connection.introspection.table_names())
    dumped = 0

    def on_line(line):
        nonlocal dumped
        if "dumping contents of table" in line:
            dumped += 1
            progress.step("Tables", min(dumped, tables), tables)

    run_tool(["pg_dump", "--format=custom", "--verbose", "--file", str(path)], on_line)


def dump_sqlite(path, progress):
    copy_sqlite(connection.settings_dict["NAME"], path, progress)


def copy_sqlite(source_path, target_path, progress):
    """SQLite's online backup: a consistent copy while other connections read and write."""
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    try:
        source.backup(
            target,
            pages=1024,
            progress=lambda status, remaining, total: progress.step(
                "Pages", total - remaining, total
            ),
        )
    finally:
        target.close()
        source.close()


def archive_media(root, tar_path, progress):
    """Every file under `root` into an (uncompressed: images are compressed already) tar.
    Returns how many files."""
    files = sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
    with tarfile.open(tar_path, "w") as tar:
        for done, path in enumerate(files, 1):
            tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
            progress.step("Media files", done, len(files))
    return len(files)


# --- restore ----------------------------------------------------------------------------------


def read_manifest(source):
    """The manifest of the backup folder `source`, its files checked against it."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{source} has no {MANIFEST}: give a folder written by `manage.py backup`."
        ) from None
    except ValueError:
        raise BackupError(
            f"{source / MANIFEST} is damaged (not JSON): use another backup."
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{source} was written by another version of `manage.py backup` (format "
            f"{manifest.get('format')}); restore it with that version."
        )
    for part in (manifest["database"], manifest["media"]):
        if part is None:
            continue
        path = source / part["file"]
        if not path.exists():
            raise BackupError(f"{path} is missing: the backup is incomplete; use another one.")
        if path.stat().st_size != part["bytes"] or digest(path) != part["sha256"]:
            raise BackupError(
                f"{path} does not match its checksum in {MANIFEST}: the copy is damaged or was "
                "changed; use another backup."
            )
    return manifest


def check_restorable(manifest):
    """The backup fits this database and this code."""
    kind = engine()
    if manifest["database"]["engine"] != kind:
        raise BackupError(
            f"This backup is of a {manifest['database']['engine']} database but DATABASE_URL "
            f"names a {kind} one: restore it into the kind of database it came from."
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    known |= {
        f"{app}.{name}"
        for migration in loader.disk_migrations.values()
        for app, name in migration.replaces
    }
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            f"This backup was made by a newer release (migrations {', '.join(unknown[:5])} are "
            "unknown to this code): deploy that release, then restore."
        )


def other_sessions():
    """How many other sessions are connected to the configured PostgreSQL database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def restore(source, manifest, progress, media=True, force=False, full=False):
    """Replace the database (and the media) with the backup in `source` (its manifest read by
    read_manifest), then run after_restore."""
    source = Path(source)
    check_restorable(manifest)
    dump = source / manifest["database"]["file"]
    if engine() == "postgresql":
        sessions = other_sessions()
        if sessions and not force:
            raise BackupError(
                f"{sessions} other session(s) are connected to the database: stop the web "
                "processes and the worker first (e.g. `docker compose stop web worker`), then "
                "run this again. --force restores anyway (their requests fail meanwhile)."
            )
        progress.say(f"Restoring the database from {dump} (pg_restore, one transaction)...")
        restore_postgresql(dump, progress)
    else:
        progress.say(f"Restoring the database from {dump}...")
        restore_sqlite(dump, progress)
    root = media_root()
    if manifest["media"] is None:
        progress.say("The backup holds no media: the media folder is left as it is.")
    elif not media:
        progress.say("Media left as they are (--no-media).")
    elif root is None:
        progress.say(
            "Media live in object storage here: restore them with the bucket's own tools "
            f"(the backup's {MEDIA} holds the files it had)."
        )
    else:
        progress.say(f"Restoring the media into {root}...")
        extra = extract_media(source / manifest["media"]["file"], root, progress)
        if extra:
            progress.say(
                f"{extra} file(s) in {root} are not in the backup (uploaded after it): left "
                "in place; the restored database does not refer to them."
            )
    after_restore(progress, full=full)


def dump_tables(dump):
    """The tables a pg_dump custom-format file creates: {(schema, name)}."""
    listed = subprocess.run(  # noqa: S603 - a fixed tool, arguments from settings
        [shutil.which("pg_restore") or "pg_restore", "--list", str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode:
        raise BackupError(f"pg_restore could not read {dump}: {listed.stderr.strip()}")
    return {
        (match[1], match[2])
        for match in re.finditer(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", listed.stdout, re.M)
    }


def restore_postgresql(dump, progress):
    if shutil.which("pg_restore") is None:
        raise BackupError(f"pg_restore was not found: {TOOLS_HINT}.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    wanted = {name for kind, name in dump_tables(dump) if kind == schema}
    if not wanted:
        raise BackupError(
            f"{dump} has no tables in schema {schema}, the one DATABASE_URL's database uses: "
            "it is not a backup of this site's database."
        )
    extra = sorted(set(connection.introspection.table_names()) - wanted)
    if extra:  # a newer schema's tables: `migrate` creates them again, empty
        progress.say(f"Dropping {len(extra)} table(s) the backup does not have: {', '.join(extra)}")
        with connection.cursor() as cursor:
            for name in extra:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(name)} CASCADE")
    connection.close()
    tables, restored = len(wanted), 0

    def on_line(line):
        nonlocal restored
        if "processing data for table" in line:
            restored += 1
            progress.step("Tables", min(restored, tables), tables)

    run_tool(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--verbose",
            "--dbname",
            str(connection.settings_dict["NAME"]),
            str(dump),
        ],
        on_line,
        "nothing was changed (pg_restore runs in one transaction); fix the cause and run the "
        "same command again",
    )


def restore_sqlite(dump, progress):
    connection.close()
    copy_sqlite(dump, connection.settings_dict["NAME"], progress)


def extract_media(tar_path, root, progress):
    """Put the archived files back under `root` (replacing files of the same name). Returns
    how many files under `root` the archive does not have."""
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar_path) as tar:
        members = [member for member in tar.getmembers() if member.isfile()]
        for done, member in enumerate(members, 1):
            tar.extract(member, root, filter="data")  # nothing outside `root`, no links out
            progress.step("Media files", done, len(members))
    archived = {Path(member.name) for member in members}
    return sum(
        1 for path in root.rglob("*") if path.is_file() and path.relative_to(root) not in archived
    )


# --- after a restore --------------------------------------------------------------------------


def after_restore(progress, full=False):
    """What a database restored by any means needs before it serves (see the module's
    docstring). `full`: represent every item again, not only the stale ones."""
    progress.say("Bringing the schema up to date (migrate)...")
    call_command("migrate", interactive=False, verbosity=0)
    namespace = response_cache.rotate_namespace()
    last = ChangeCounter.row().values_list("last", flat=True).first() or 0
    if last and not ChangeMark.objects.filter(number=last).exists():
        changes.mark(last)  # a database restored without its marks: cursors start here
    cache.delete_many([VISIBILITY_CACHE_KEY, DEFAULT_DISCLAIMER_CACHE_KEY])
    response_cache.purge_all()
    progress.say(
        f"Response cache: new namespace {namespace}; every cached answer purged (here and at "
        "the CDN)."
    )
    purger = type(response_cache.cdn_purger())
    base = response_cache.SurrogateKeyPurger
    if purger is not base and purger.purge_all is base.purge_all:
        progress.say(
            f"WARNING: the CDN purger {purger.__name__} cannot purge everything (it has no "
            "purge_all): purge the CDN by hand now, or it serves answers of the lost history "
            "until they expire."
        )

    def step(done, total):
        progress.step("Items", done, total)

    if full:
        progress.say("Representing every item again...")
        changed = changes.refresh(everything=True, progress=step)
    else:
        stale = changes.stale_page_ids()
        progress.say(f"Refreshing {len(stale)} stored item(s) that are no longer current...")
        changed = changes.refresh(page_ids=stale, progress=step) if stale else 0
    changed += changes.refresh_review_status()
    progress.say(f"{changed} item(s) changed since the backup's stored copies were made.")
    return changed
