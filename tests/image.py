"""What `docker build .` puts in the image, worked out without Docker: the build context (the
project's folder minus what .dockerignore excludes, matched the way Docker matches it) and what
the Dockerfile's COPY instructions take from it into the working directory. And commands run
from a copy of exactly those files, with the virtualenv's editable install of the project
switched off, so a package missing from the copy is an ImportError, not quietly found in the
checkout."""

import os
import posixpath
import re
import shlex
import shutil
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]


def ignore_rules(text):
    """.dockerignore as [(regex, excludes)], in order. Read as Docker reads it: `#` lines are
    comments, whitespace is trimmed, `!` re-includes, each pattern is cleaned (Go's
    filepath.Clean) and a leading `/` dropped."""
    rules = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        excludes = not pattern.startswith("!")
        pattern = posixpath.normpath(pattern.lstrip("!").strip())
        if len(pattern) > 1 and pattern.startswith("/"):
            pattern = pattern[1:]
        rules.append((re.compile(pattern_regex(pattern)), excludes))
    return rules


def pattern_regex(pattern):
    """A .dockerignore pattern as a regular expression (moby's patternmatcher): `*` and `?`
    stop at `/`, `**` crosses folders (`**/` also matches no folder at all)."""
    regex, i = "^", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern[i : i + 1] == "/":
                i += 1
            regex += ".*" if i == len(pattern) else "(.*/)?"
            continue
        if char == "*":
            regex += "[^/]*"
        elif char == "?":
            regex += "[^/]"
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            regex += re.escape(pattern[i])
        elif char in "[]":
            regex += char
        else:
            regex += re.escape(char)
        i += 1
    return regex + "$"


def excluded(path, rules):
    """Is `path` (relative, with `/`) left out of the build context? Like Docker: a pattern
    matching the path or any folder it sits in applies; the last pattern that applies wins."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for regex, excludes in rules:
        if excludes != result and any(regex.match(prefix) for prefix in prefixes):
            result = excludes
    return result


def context_files(root=BASE_DIR, dockerignore=None):
    """The build context of `root`: every file Docker would send, relative, with `/`. A folder
    left out is not walked when no `!` pattern could bring part of it back."""
    text = (root / ".dockerignore").read_text() if dockerignore is None else dockerignore
    rules = ignore_rules(text)
    reincludes = any(not excludes for _, excludes in rules)
    found = []
    for folder, subfolders, files in os.walk(root):
        here = Path(folder).relative_to(root).as_posix()
        here = "" if here == "." else here + "/"
        if not reincludes:
            subfolders[:] = [name for name in subfolders if not excluded(here + name, rules)]
        found += [here + name for name in files if not excluded(here + name, rules)]
    return sorted(found)


def dockerfile_instructions(text):
    """[(INSTRUCTION, arguments)] of a Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            instructions.append((word.upper(), rest.strip()))
    return instructions


def image_layout(dockerfile, files):
    """{path in the working directory: path in the build context} of everything the
    Dockerfile's COPY instructions copy from `files` (the context) into WORKDIR. Only what this
    project's Dockerfile may use is understood (COPY of files and folders, no globs, no ADD, no
    other stage); anything else fails the test that calls it."""
    layout = {}
    for word, arguments in dockerfile_instructions(dockerfile):
        assert word != "ADD", "use COPY: ADD fetches URLs and unpacks archives"
        if word != "COPY":
            continue
        words = [w for w in shlex.split(arguments) if not w.startswith("--chown")]
        assert not any(w.startswith("--") for w in words), f"COPY {arguments}: unknown flag"
        *sources, destination = words
        assert not destination.startswith("/"), f"COPY {arguments}: copy into the WORKDIR"
        assert not any(set(s) & set("*?[") for s in sources), f"COPY {arguments}: a glob"
        into = posixpath.normpath(destination)
        into = "" if into == "." else into + "/"
        for source in sources:
            source = posixpath.normpath(source)
            if source == ".":
                layout.update({into + f: f for f in files})
            elif source in files:
                named = len(sources) > 1 or destination.endswith("/") or not into
                layout[into + posixpath.basename(source) if named else into[:-1]] = source
            else:
                inside = [f for f in files if f.startswith(source + "/")]
                assert inside, f"COPY {source}: not in the build context"
                layout.update({into + f[len(source) + 1 :]: f for f in inside})
    return layout


def copy_image(destination, root=BASE_DIR):
    """Copy what the Dockerfile puts in its working directory into `destination`."""
    layout = image_layout((root / "Dockerfile").read_text(), context_files(root))
    for target, source in layout.items():
        (destination / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / source, destination / target)
    return layout


# Run in front of any code in the copy: the virtualenv's editable install maps the project's
# packages to the checkout, which would fill in a package the image lacks.
ISOLATE = (
    "import os, sys\n"
    "sys.meta_path[:] = [finder for finder in sys.meta_path"
    " if not getattr(finder, '__module__', '').startswith('__editable__')]\n"
    "sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') == os.getcwd()"
    " or not os.path.exists(os.path.join(p or '.', 'manage.py'))]\n"
)


def in_image(argv):
    """The argv that runs `argv`, a command as docker-compose.yml or the Dockerfile gives it
    (`python manage.py ...`, `python -c ...`, `gunicorn ...`), from the copy in the working
    directory with this interpreter and without the checkout."""
    program, *arguments = argv
    if program == "python" and arguments[0] == "-c":
        code = f"sys.argv = ['-c', *{arguments[2:]!r}]\n{arguments[1]}"
    elif program == "python":
        code = (
            f"import runpy\nsys.argv = {arguments!r}\n"
            "runpy.run_path(sys.argv[0], run_name='__main__')"
        )
    elif program == "gunicorn":
        code = f"from gunicorn.app.wsgiapp import run\nsys.argv = {argv!r}\nsys.exit(run())"
    else:
        raise AssertionError(f"{argv}: not a command the image runs")
    return [sys.executable, "-c", ISOLATE + code]


def image_env(env):
    """`env` without what would point Python back at the checkout."""
    return {name: value for name, value in env.items() if name != "PYTHONPATH"}
