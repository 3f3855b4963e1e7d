"""Which content language a request is answered in (docs/architecture.md, "Languages").

`?locale=es` names it. Without it, the answer is the default language's, unless the request's
`Accept-Language` prefers another content language: then the answer is a redirect (302) to the
same URL with `locale=` added. So every answer in a language has a URL of its own: the response
cache and a CDN key by URL as they always did, with no `Vary: Accept-Language` fragmenting the
cached copies of `?locale=` URLs; only the URLs without `locale=` vary by the header (they answer
either the default language or the redirect).

In another language than the default, a channel's setting (TRANSLATION_FALLBACK) says what
stands in for an item with no public translation: the default language's item, marked as a
fallback, or nothing (404); and whether an outdated translation is served (marked) or falls back.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

from api.http.params import Query
from api.http.problems import BadQuery
from pages.selectors import Visibility, default_language

PARAM = "locale"
EMAIL = "email"  # the channel whose TRANSLATION_FALLBACK an item's or a campaign's email follows


def languages():
    """The content languages, the default first (CONTENT_LANGUAGES)."""
    return list(settings.CONTENT_LANGUAGES)


def locale_param(request):
    """?locale=: one of the content languages; None when absent."""
    raw = request.query_params.get(PARAM)
    if raw is None:
        return None
    if raw not in languages():
        raise BadQuery({PARAM: [f"Unknown language; use one of: {', '.join(languages())}."]})
    return raw


def negotiated(request):
    """The content language the request's Accept-Language prefers (its best-weighted range
    that names one, a region such as es-MX counting as its language; `*` as the default);
    None when it names none of them or there is no header. Garbage names nothing."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    known = languages()
    for code, _ in parse_accept_lang_header(header):
        if code == "*":
            return default_language()
        for candidate in (code, code.split("-")[0]):
            if candidate in known:
                return candidate
    return None


def parameter_schema():
    """The `locale` parameter's OpenAPI schema."""
    return {"type": "string", "enum": languages()}


@dataclass(frozen=True)
class LanguageChoice:
    """One request's language: asked for by `?locale=` (`given`), or the default language."""

    language: str
    given: bool
    channel: str

    @classmethod
    def read(cls, request, channel):
        language = locale_param(request)
        return cls(language or default_language(), language is not None, channel)

    @property
    def policy(self):
        return settings.TRANSLATION_FALLBACK[self.channel]

    def visibility(self):
        """What the public may see in this language, standing in as the channel's policy says."""
        policy = self.policy
        return Visibility.load(
            self.language,
            hide_outdated=policy["outdated"] == "default",
            fallback=policy["missing"] == "default",
        )

    def own_visibility(self):
        """What the public may see of the language's own pages, as this channel serves them
        (no stand-ins: a sitemap, a menu)."""
        hide_outdated = self.policy["outdated"] == "default"
        return Visibility.load(self.language, hide_outdated=hide_outdated)

    def redirect(self, request):
        """The redirect to this URL with `locale=` when no `locale=` was given and
        Accept-Language prefers another content language than the default; else None."""
        if self.given:
            return None
        language = negotiated(request)
        if language is None or language == default_language():
            return None
        query = [*request.GET.lists(), (PARAM, [language])]
        flat = [(name, value) for name, values in query for value in values]
        response = HttpResponseRedirect(f"{settings.API_BASE_URL}{request.path}?{urlencode(flat)}")
        response["Cache-Control"] = settings.API_CACHE_CONTROL
        patch_vary_headers(response, ["Accept-Language"])
        return response

    def finish(self, response):
        """Headers every answer in a language has: its Content-Language (a detail's is the
        item's own, set by the read path), and `Vary: Accept-Language` where the URL has no
        `locale=` (the same URL answers a redirect to other readers)."""
        if "Content-Language" not in response:
            response["Content-Language"] = self.language
        if not self.given:
            patch_vary_headers(response, ["Accept-Language"])
        return response


class AnswersInLanguage:
    """For DRF views (with api.views.reading.AnsweringMixin) that read the request's language
    (`read_language`, or set `self.choice`) before answering: a request that should name its
    language is redirected (`answered_in_language`), and every answer gets the language's
    headers (`LanguageChoice.finish`)."""

    choice = None

    def read_language(self, query, channel):
        """`locale=` through `query` (an api.http.params.Query), for `channel`'s policy."""
        self.choice = query.value(PARAM, lambda: LanguageChoice.read(self.request, channel))

    def read_page_and_language(self, request, paginator, channel):
        """A paged list's parameters, `limit`, `offset` and `locale=` (nothing else), checked:
        one 400 naming each bad one."""
        query = Query(request, {"limit", "offset", PARAM})
        paginator.check(query)
        self.read_language(query, channel)
        query.done()

    def answered_in_language(self, request, build, expected_keys=()):
        """The redirect to the `?locale=` URL where Accept-Language asks for one; else the
        answer (AnsweringMixin.answered)."""
        redirect = self.choice.redirect(request)
        return redirect or self.answered(request, build, expected_keys)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return self.choice.finish(response) if self.choice else response
