"""Strict query-parameter parsing shared by every endpoint: a bad value is a 400 naming the
parameter (see api.problems.BadQuery), never a silent default or clamp."""

from api.problems import BadQuery

SEARCH_MAX_LENGTH = 200


def check_parameters(request, allowed):
    """400 for any query parameter not in `allowed`, naming the allowed ones."""
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise BadQuery(
            {
                name: [f"Unknown parameter. Allowed: {', '.join(sorted(allowed))}."]
                for name in unknown
            },
            detail=f"Unknown query parameter(s): {', '.join(unknown)}.",
        )


def split_param(request, name):
    """A comma-separated parameter as a list of stripped parts; None when absent."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


def subset_param(request, name, known, what):
    """A comma-separated choice of `known` names; None when absent; 400 naming the known ones
    for an unknown or empty choice. `what` says what the names are, for the message."""
    chosen = split_param(request, name)
    if chosen is None:
        return None
    unknown = [item for item in chosen if item not in known]
    if unknown or not chosen:
        raise BadQuery(
            {
                name: [
                    f"Unknown {what} {', '.join(unknown) or '(empty)'}; use one or more of: "
                    f"{', '.join(sorted(known)) or 'none'}."
                ]
            }
        )
    return set(chosen)


def parse_bounded_int(request, name, default, minimum, maximum=None):
    raw = request.query_params.get(name)
    if raw is None:
        return default
    bounds = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
    try:
        value = int(raw)
    except ValueError:
        raise BadQuery({name: [f"'{raw}' is not a whole number; use {bounds}."]}) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise BadQuery({name: [f"{value} is out of range; use {bounds}."]})
    return value


def search_text(request, name, required=False):
    """The search text in `name` (1 to 200 characters after trimming); None when absent."""
    raw = request.query_params.get(name)
    if raw is None and not required:
        return None
    text = (raw or "").strip()
    if not text or len(text) > SEARCH_MAX_LENGTH:
        raise BadQuery({name: [f"Give 1 to {SEARCH_MAX_LENGTH} characters of search text."]})
    return text
