"""The server refuses exactly what the published OpenAPI document calls invalid, whatever else
the request carries: each invalid query parameter is named in one 400 problem, and lengths are
counted as the document counts them (JSON Schema's `maxLength`: Unicode code points).

Everything here goes through HTTP and the published document (/api/v1/schema/), never the
helpers that declare or check the parameters, so it holds however those are written.
"""

import itertools
import re
from functools import cache
from urllib.parse import urlencode

import pytest
from hypothesis import Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from tests.api.test_hostile_input import CAMPAIGN, publish_campaign

PROBLEM = "application/problem+json"
UTM_BAD = {"utm_source": "!", "utm_medium": "a b", "utm_campaign": "x" * 101, "colour": "blue"}
SLUG_FILTER = {"conditions": "cause", "causes": "condition", "treatments": "condition"}
SLUG_FILTER["therapies"] = "cause"
DETAIL = {
    "conditions": "neuropathic-pain",
    "causes": "shingles",
    "treatments": "opioids",
    "therapies": "ketamine-infusion-therapy",
}
UNSIGNED_TOKEN = "a" * 30 + ":1vzswa:" + "b" * 43  # well-formed, not issued here

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def list_bad(collection):
    """One invalid value for each parameter of a collection's list, and an unknown one."""
    return {
        "limit": "31731",
        "offset": "-1",
        "fields": "é" * 501,
        "expand": "é" * 501,
        "ordering": "popularity",
        "search": " ",
        "channel": "print",
        "review_status": ["current", "overdue"],  # given twice
        "updated_since": "yesterday",
        SLUG_FILTER[collection]: "not a slug",
        "colour": "blue",
    }


def detail_bad():
    return {"fields": "title,,slug", "expand": "é" * 501, "channel": "print", "limit": "5"}


def endpoints():
    """(path, {parameter: invalid value}, {parameter: valid value} for those it requires)."""
    found = []
    for collection, slug in DETAIL.items():
        found.append((f"/api/v1/{collection}/", list_bad(collection), {}))
        found.append((f"/api/v1/{collection}/{slug}/", detail_bad(), {}))
        found.append((f"/api/v1/{collection}/{slug}/email/", UTM_BAD, {}))
        found.append((f"/api/v1/feeds/{collection}.rss", UTM_BAD, {}))
    found += [
        (
            "/api/v1/search/",
            {"q": " ", "limit": "0", "offset": "1.5", "channel": "x", "colour": "1"},
            {"q": "pain"},
        ),
        (
            "/api/v1/pages/",
            {"path": "no-slash/", "channel": "x", "colour": "1"},
            {"path": "/conditions/neuropathic-pain/"},
        ),
        (
            "/api/v1/sync/",
            {"cursor": "0", "limit": "101", "types": "conditions,nope", "channel": "x"},
            {},
        ),
        ("/api/v1/campaigns/", {"limit": "0", "offset": "x", "colour": "1"}, {}),
        (f"/api/v1/campaigns/{CAMPAIGN}/", UTM_BAD, {}),
        (f"/api/v1/feeds/campaigns/{CAMPAIGN}.rss", UTM_BAD, {}),
        ("/api/v1/preview/", {"channel": "x", "colour": "1"}, {"token": UNSIGNED_TOKEN}),
        ("/api/v1/preview/email/", UTM_BAD, {"token": UNSIGNED_TOKEN}),
    ]
    return found


def query(params):
    return urlencode(params, doseq=True)


def problem_errors(response):
    """The `errors` of a 400 invalid-parameters problem; None for any other answer."""
    if response.status_code != 400 or response["Content-Type"] != PROBLEM:
        return None
    body = response.json()
    if not body["type"].endswith("/problems/invalid-parameters/"):
        return None
    return body.get("errors") or {}


@pytest.fixture
def campaign(api):
    publish_campaign()


def subsets(names):
    """Each parameter alone, each pair, and all of them."""
    return [
        *([name] for name in names),
        *(list(pair) for pair in itertools.combinations(names, 2)),
        list(names),
    ]


def test_every_invalid_parameter_is_named_whatever_comes_along(api, campaign):
    failures = []
    for path, bad, base in endpoints():
        for names in subsets(list(bad)):
            request = f"{path}?{query({**base, **{name: bad[name] for name in names}})}"
            response = api(request)
            errors = problem_errors(response)
            if errors is None or set(errors) != set(names):
                shown = sorted(errors) if errors is not None else response.content[:200]
                failures.append(f"{request[:150]}: {response.status_code}, named {shown}")
    assert not failures, f"{len(failures)} answers:\n" + "\n".join(failures[:60])


def names_of_length(names, length):
    """Comma-separated `names` (repeats allowed) exactly `length` characters long."""
    reach = {0: ""}  # length of a list without its last comma -> the list
    for total in range(1, length + 2):
        for name in names:
            before = reach.get(total - len(name) - 1)
            if before is not None and total not in reach:
                reach[total] = f"{before}{name},"
    return reach[length + 1][:-1]


def shape_of(api, path, name):
    """The published schema of query parameter `name` of GET `path`."""
    schema = published(api)
    for parameter in schema["paths"][path]["get"]["parameters"]:
        if parameter["name"] == name and parameter["in"] == "query":
            return parameter["schema"]
    raise AssertionError(f"{path} documents no {name}")


@pytest.mark.parametrize(
    ("path", "name", "names"),
    [
        ("/api/v1/conditions/", "fields", ["id", "url"]),
        ("/api/v1/conditions/{slug}/", "fields", ["id", "url"]),
        ("/api/v1/conditions/", "expand", ["causes", "therapies"]),
        ("/api/v1/conditions/{slug}/", "expand", ["causes", "therapies"]),
    ],
)
def test_fields_and_expand_are_as_long_as_the_schema_counts(api, path, name, names):
    limit = shape_of(api, path, name)["maxLength"]
    url = path.replace("{slug}", "neuropathic-pain")
    at_limit = names_of_length(names, limit)
    assert len(at_limit) == limit
    assert api(f"{url}?{name}={at_limit}").status_code == 200
    over = names_of_length(names, limit + 1)
    assert name in problem_errors(api(f"{url}?{query({name: over})}"))
    # Multi-byte characters: each is one character however many bytes (or UTF-16 units) it
    # takes. At the limit only the names are wrong; one more and the length is too.
    for char in ("é", "😀"):
        at = problem_errors(api(f"{url}?{query({name: char * limit})}"))
        past = problem_errors(api(f"{url}?{query({name: char * (limit + 1)})}"))
        assert not any(str(limit) in message for message in at[name]), at
        assert any(str(limit) in message for message in past[name]), past


@pytest.mark.parametrize(
    "value",
    ["title,,slug", ",title", "title,", "TITLE", "title slug", "title;slug", "títle", "title\n"],
)
@pytest.mark.parametrize("name", ["fields", "expand"])
def test_a_detail_refuses_fields_and_expand_off_their_pattern(api, name, value):
    for slug_path in ("/api/v1/conditions/neuropathic-pain/", "/api/v1/conditions/no-such/"):
        response = api(f"{slug_path}?{query({name: value})}")
        assert list(problem_errors(response) or ()) == [name], response.content


def test_search_text_is_blank_as_the_schema_reads_blank(api):
    """The search pattern asks for one character that is not white space (ECMA-262's `\\s`,
    U+FEFF included) or a control character."""
    pattern = shape_of(api, "/api/v1/search/", "q")["pattern"]
    for blank in ("\ufeff", " \ufeff\u3000", "\u2028", "\x85"):
        assert not re.search(pattern, blank)
        for path, name in (("/api/v1/search/", "q"), ("/api/v1/conditions/", "search")):
            errors = problem_errors(api(f"{path}?{query({name: blank})}"))
            assert errors is not None and name in errors, (path, blank)
    for text in ("😀" * 200, "é" * 200):  # at maxLength in code points: searched
        assert api(f"/api/v1/search/?{query({'q': text})}").status_code == 200
        assert "q" in problem_errors(api(f"/api/v1/search/?{query({'q': text + 'x'})}"))


def test_a_cursor_this_server_did_not_sign_is_the_documented_400(api):
    schema = published(api)
    operation = schema["paths"]["/api/v1/sync/"]["get"]
    cursor = next(p for p in operation["parameters"] if p["name"] == "cursor")
    unsigned = ["0", "abc:" + "A" * 43, ".eJyrVkrOzFGyUoIzPwX6"]
    for value in unsigned:  # the schema allows them...
        assert re.search(cursor["schema"]["pattern"], value)
    # ...and says what answers one this server did not sign
    assert "400" in cursor["description"] and "sign" in cursor["description"]
    documented = operation["responses"]["400"]
    assert "cursor" in documented["description"]
    assert documented["content"][PROBLEM]["schema"]["$ref"].endswith("/Problem")
    first = api("/api/v1/sync/?limit=1").json()["next_cursor"]
    payload, signature = first.rsplit(":", 1)
    for value in [*unsigned, f"{payload}:{signature[::-1]}", first[:-1]]:
        response = api(f"/api/v1/sync/?{query({'cursor': value})}")
        assert problem_errors(response) == {"cursor": response.json()["errors"]["cursor"]}
        assert response.json()["type"].endswith("/problems/invalid-parameters/")
    assert api(f"/api/v1/sync/?cursor={first}").status_code == 200


# Walking the document --------------------------------------------------------------------------

# A query parameter that is a credential: its malformed value is refused as the credential it
# is (401, as documented), not as a malformed parameter.
CREDENTIALS = {"/api/v1/preview/": {"token"}, "/api/v1/preview/email/": {"token"}}
# Tried in order: the first a pattern refuses (and a length limit allows) breaks only the pattern.
OFF_PATTERN = ["!", " ", "\t", "~!", "A B"]
FILLERS = ["😀", "é", "a", "0"]


def published(api):
    response = api("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


@cache
def matching(pattern):
    """A string `pattern` matches (None when hypothesis cannot write one)."""
    try:
        return find(
            st.from_regex(pattern, fullmatch=True),
            lambda _: True,
            # the first string generated, not shrunk (shrinking cost a second per pattern)
            settings=settings(database=None, derandomize=True, phases=[Phase.generate]),
        )
    except (HypothesisException, re.error, NotImplementedError):
        return None


def allows(shape, value):
    """Does `shape` (a parameter's schema, string constraints) allow the string `value`?"""
    if "pattern" in shape and not re.search(shape["pattern"], value):
        return False
    if "enum" in shape and value not in shape["enum"]:
        return False
    return len(value) <= shape.get("maxLength", len(value))


def valid_value(parameter):
    """A value the parameter's documentation allows: an example, its default, an enum's first."""
    shape = parameter["schema"]
    examples = [e["value"] for e in parameter.get("examples", {}).values()]
    candidates = [*examples, shape.get("default"), *shape.get("enum", ())]
    if "pattern" in shape:
        candidates.append(matching(shape["pattern"]))
    if shape.get("type") == "integer":
        candidates.append(shape.get("minimum", 1))
    return next(str(c) for c in candidates if c is not None)


def of_length(shape, length):
    """A string of `length` characters that `shape` allows but for its maxLength (multi-byte
    characters first, where the pattern takes them); None when there is none to be found."""
    seed = matching(shape["pattern"]) if "pattern" in shape else ""
    if seed is not None:
        for filler in FILLERS:
            value = seed + filler * (length - len(seed))
            if len(value) == length and allows({**shape, "maxLength": length}, value):
                return value
        if seed:  # a list: the seed repeated, comma-separated, past the length
            value = ",".join([seed] * (length // (len(seed) + 1) + 1))
            if len(value) >= length and allows({**shape, "maxLength": len(value)}, value):
                return value
    return None


def violations(parameter):
    """(constraint, value breaking that constraint alone) for each constraint the parameter's
    schema documents that a value can break alone."""
    shape = parameter["schema"]
    found = []
    if "maximum" in shape:
        found.append(("maximum", str(shape["maximum"] + 1)))
    if "minimum" in shape:
        found.append(("minimum", str(shape["minimum"] - 1)))
    if "enum" in shape:
        found.append(("enum", next(v for v in ("x", "xx") if v not in shape["enum"])))
    if "pattern" in shape:
        off = next((v for v in OFF_PATTERN if not re.search(shape["pattern"], v)), None)
        if off is not None and len(off) <= shape.get("maxLength", len(off)):
            found.append(("pattern", off))
    if "maxLength" in shape:
        too_long = of_length(shape, shape["maxLength"] + 1)
        if too_long is not None:
            found.append(("maxLength", too_long))
    return found


def path_of(template, parameters):
    for parameter in parameters:
        if parameter["in"] == "path":
            value = valid_value(parameter)
            template = template.replace("{" + parameter["name"] + "}", value)
    return template


def test_every_documented_constraint_of_a_query_parameter_is_enforced(api):
    schema = published(api)
    failures, checked = [], 0
    for template, item in schema["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        parameters = operation.get("parameters", [])
        path = path_of(template, parameters)
        in_query = [p for p in parameters if p["in"] == "query"]
        base = {p["name"]: valid_value(p) for p in in_query if p.get("required")}
        assert api(f"{path}?{query(base)}").status_code < 500
        for parameter in in_query:
            name = parameter["name"]
            for constraint, value in violations(parameter):
                checked += 1
                request = f"{path}?{query({**base, name: value})}"
                response = api(request)
                if name in CREDENTIALS.get(template, ()):
                    refused = response.status_code == 401
                else:
                    refused = name in (problem_errors(response) or {})
                if not refused:
                    failures.append(
                        f"{template} {name} breaking {constraint} ({request[:120]}): "
                        f"{response.status_code} {response.content[:150]!r}"
                    )
            shape = parameter["schema"]
            at_limit = "maxLength" in shape and of_length(shape, shape["maxLength"])
            if at_limit and len(at_limit) == shape["maxLength"]:
                checked += 1
                response = api(f"{path}?{query({**base, name: at_limit})}")
                if name in (problem_errors(response) or {}):
                    failures.append(
                        f"{template} {name}: {len(at_limit)} characters (its maxLength) "
                        f"refused: {response.content[:200]!r}"
                    )
    assert checked > 100  # the walk reached the parameters
    assert not failures, f"{len(failures)} of {checked}:\n" + "\n".join(failures)
