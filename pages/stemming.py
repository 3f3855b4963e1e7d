"""Words to their Snowball stems, per language, so search finds "diabetes" in "Diabetic
peripheral neuropathy" on SQLite and PostgreSQL alike.

Neither database backend stems by configuration here (Wagtail's SQLite backend builds its FTS5
table with the default tokenizer; FTS5's Porter stemmer and PostgreSQL's text search
configurations are one language per index), so each searchable model indexes one more field,
`search_stems`: the stems of every other text it indexes, in its language. The search query is
stemmed the same way (pages/search.py). PyStemmer's Snowball algorithms cover the languages to
come (Spanish among them).
"""

import re
from functools import cache

from django.conf import settings

from wagtail.search import index

import Stemmer

STEMS_FIELD = "search_stems"
WORD = re.compile(r"\w+")
# Snowball's algorithm per language code (the first part of LANGUAGE_CODE).
ALGORITHMS = {"en": "english", "es": "spanish", "fr": "french", "de": "german", "pt": "portuguese"}


# Words a query can leave out: they say nothing about what it looks for.
_ENGLISH_STOP_WORDS = """
a about after all also am an and any are as at be because been before being between both but by
can could did do does doing down during each few for from further had has have having he her
here hers him his how i if in into is it its just me more most my no nor not now of off on once
only or other our out over own same she should so some such than that the their them then there
these they this those through to too under until up very was we were what when where which while
who whom why will with would you your
"""
_SPANISH_STOP_WORDS = """
a al algo como con contra cual cuando de del desde donde durante e el ella ellas ellos en entre
era es esa ese eso esta este esto fue ha hay la las le les lo los mas me mi muy ni no nos o para
pero por que quien se sin sobre su sus también te tu un una uno y ya qué cómo cuál dónde
"""
STOP_WORDS = {
    "en": frozenset(_ENGLISH_STOP_WORDS.split()),
    "es": frozenset(_SPANISH_STOP_WORDS.split()),
}


def stop_words(language=None):
    return STOP_WORDS.get(language_of(language), frozenset())


def language_of(language_code=None):
    return (language_code or settings.LANGUAGE_CODE).split("-")[0].lower()


@cache
def _stemmer(language):
    algorithm = ALGORITHMS.get(language)
    if algorithm is None:
        raise ValueError(f"No stemmer for language {language!r}: add it to ALGORITHMS.")
    return Stemmer.Stemmer(algorithm)


def words(text):
    """The words of `text`, case-folded: letters and digits, whatever the script."""
    return WORD.findall(text.casefold())


def stems(text, language=None):
    """The stems of the words of `text`, in order (repeats kept: they weigh in ranking)."""
    return _stemmer(language_of(language)).stemWords(words(text))


def _field_texts(obj, fields):
    for field in fields:
        if isinstance(field, index.SearchField) and field.field_name != STEMS_FIELD:
            value = field.get_value(obj)  # a StreamField's or rich text's text already
            if isinstance(value, list | tuple):
                yield from (str(text) for text in value if text)
            elif value:
                yield str(value)
        elif isinstance(field, index.RelatedFields):
            related = field.get_value(obj)
            for item in related.all() if hasattr(related, "all") else [related]:
                if item is not None:
                    yield from _field_texts(item, field.fields)


def searchable_text(obj):
    """Every text `obj` gives its search index (its model's SearchFields and RelatedFields),
    but its stems."""
    return "\n".join(_field_texts(obj, obj.get_search_fields()))


@cache
def locale_language(locale_id):
    """The language code of a Wagtail locale (by id; read once per process, forgotten with the
    default locale: pages.selectors.forget_default_locale)."""
    from wagtail.models import Locale

    return Locale.objects.filter(pk=locale_id).values_list("language_code", flat=True).first()


class StemmedSearch:
    """For an index.Indexed model: add `index.SearchField(STEMS_FIELD)` to its search_fields and
    its index holds the stems of its other indexed text too, in its own language (a Spanish
    translation's in Spanish)."""

    def search_stems(self):
        language = locale_language(self.locale_id) if getattr(self, "locale_id", None) else None
        return " ".join(stems(searchable_text(self), language))
