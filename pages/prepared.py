"""Querysets compiled once and run many times: the read path's few hot queries.

Building and compiling a queryset costs the ORM about a millisecond, running its SQL a tenth of
that (bench/). A `Prepared` query is built by the ORM, from the same code as any other query
(pages.selectors.Visibility included, so the visibility rule keeps one spelling), with
placeholders where request values go; its SQL is compiled once per shape and kept; each
run puts the values in the placeholders' places and converts the rows as the ORM would.

    by_slug = Prepared(lambda model, slug, now: model.objects.filter(slug=slug, expire_at__gt=now)
                       .values("pk", "title"), slug=TEXT, now=MOMENT)
    by_slug.rows((ConditionPage,), slug="neuropathic-pain", now=timezone.now())
    # [{"pk": 12, "title": "Neuropathic pain"}]

Placeholders: TEXT (a string compared for equality), MOMENT (a datetime), INTS (a list of
integers, for `__in`: its length is part of the compiled shape). A value that shapes the SQL in
other ways (a model, an ordering, LIMIT and OFFSET, the visibility facts) belongs in the shape.
"""

import datetime
import threading
from collections import OrderedDict

from django.core.exceptions import EmptyResultSet
from django.db import connections

TEXT, MOMENT, INTS = "text", "moment", "ints"
COMPILED_SHAPES = 512  # per query, per thread: least recently used ones are compiled again


class Prepared:
    def __init__(self, build, count=False, **placeholders):
        """`build(**placeholder values)` returns a values() queryset; `count`: the query
        answers how many rows the queryset has instead."""
        self.build = build
        self.count = count
        self.placeholders = placeholders
        self.local = threading.local()

    def rows(self, shape, **values):
        """The queryset's rows (dicts; with `count`, a number) for these values. `shape`: a
        tuple of what else the SQL depends on, handed to the build function first (its
        arguments before the placeholders); each distinct shape is compiled once."""
        values = {
            name: list(value) if self.placeholders.get(name) == INTS else value
            for name, value in values.items()
        }
        compiled = self._compiled(shape, values)
        if compiled.sql is None:  # the ORM knows the answer is empty (e.g. `.none()`)
            return 0 if self.count else []
        params = [compiled.value(slot, param, values) for slot, param in compiled.slots]
        with connections[compiled.alias].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            results = cursor.fetchall()
        if self.count:
            return results[0][0]
        if compiled.converters:
            results = compiled.compiler.apply_converters(results, compiled.converters)
        return [dict(zip(compiled.names, row, strict=True)) for row in results]

    def _compiled(self, shape, values):
        lengths = tuple(
            len(values[name]) for name, kind in sorted(self.placeholders.items()) if kind == INTS
        )
        key = (shape, lengths)
        cache = getattr(self.local, "shapes", None)
        if cache is None:
            cache = self.local.shapes = OrderedDict()
        found = cache.get(key)
        if found is None:
            found = cache[key] = Compiled(self, shape, values)
            if len(cache) > COMPILED_SHAPES:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        return found


class Compiled:
    """One compiled shape of a Prepared query: its SQL, where each placeholder's values go,
    and how its columns are converted."""

    def __init__(self, prepared, shape, values):
        stand_ins, self.lookup = {}, {}
        for n, (name, kind) in enumerate(sorted(prepared.placeholders.items())):
            if kind == TEXT:
                stand_ins[name] = f"\x00placeholder {name}\x00"
            elif kind == MOMENT:
                stand_ins[name] = datetime.datetime(1901, 2, 3, 4, 5, 6, 7 + n, tzinfo=datetime.UTC)
            else:
                stand_ins[name] = [-(10**12) - 1000 * n - i for i in range(len(values[name]))]
        queryset = prepared.build(*shape, **stand_ins)
        if prepared.count:  # a count needs no order (Page's default one made SQLite sort)
            queryset = queryset.order_by()
        self.alias = queryset.db
        connection = connections[self.alias]
        self.ops = connection.ops
        for name, stand_in in stand_ins.items():
            kind = prepared.placeholders[name]
            if kind == INTS:
                for i, number in enumerate(stand_in):
                    self.lookup[("int", number)] = (name, i)
            elif kind == MOMENT:
                self.lookup[("moment", self.ops.adapt_datetimefield_value(stand_in))] = (name, None)
            else:
                self.lookup[("text", stand_in)] = (name, None)
        query = queryset.query
        self.compiler = query.get_compiler(self.alias)
        try:
            sql, params = self.compiler.as_sql()
        except EmptyResultSet:
            self.sql = None
            return
        if prepared.count:
            sql = f"SELECT COUNT(*) FROM ({sql}) counted"  # noqa: S608 - the ORM's own SQL
        self.sql = sql
        self.slots = [(self._slot(param), param) for param in params]
        found = {slot for slot, _ in self.slots if slot}
        if len(found) != len(self.lookup):
            raise ValueError(f"Placeholders not found in the compiled SQL: {self.lookup}")
        self.kinds = prepared.placeholders
        self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        fields = [column[0] for column in self.compiler.select[0 : self.compiler.col_count]]
        self.converters = self.compiler.get_converters(fields)

    def _slot(self, param):
        for kind in ("int", "moment", "text"):
            try:
                found = self.lookup.get((kind, param))
            except TypeError:  # an unhashable parameter: never a placeholder
                return None
            if found is not None:
                return found
        return None

    def value(self, slot, param, values):
        if slot is None:
            return param
        name, index = slot
        value = values[name]
        if index is not None:
            return value[index]
        if self.kinds[name] == MOMENT:
            return self.ops.adapt_datetimefield_value(value)
        return value
