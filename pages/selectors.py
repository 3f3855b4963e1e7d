"""The ONE place that decides what the public may see (modelled on Wagtail's
`wagtail/api/querysets.py:get_public_pages_queryset`).

Every public endpoint — lists, details, search, path lookup, relation references and
expansions, rich-text links — asks these functions, never `live()` on its own.
"""

from django.db.models import Q
from django.utils import timezone

from wagtail.models import Page, PageViewRestriction, Site


def default_site():
    return Site.objects.select_related("root_page").filter(is_default_site=True).first()


def public_pages(model=Page, site=None):
    """Pages anonymous consumers may see: live, not expired (by flag or by `expire_at` in the
    past), with no view restriction on them or an ancestor, inside the site (default site)."""
    site = site or default_site()
    queryset = model._default_manager.all()
    if site is None:
        return queryset.none()
    queryset = queryset.filter(
        live=True,
        expired=False,
        path__startswith=site.root_page.path,
    ).filter(Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now()))
    # Any view restriction (password, login, groups) shuts anonymous API consumers out, and it
    # covers the restricted page's descendants too.
    for path in PageViewRestriction.objects.values_list("page__path", flat=True):
        queryset = queryset.exclude(path__startswith=path)
    return queryset


def public_page_ids(model=Page, site=None):
    """A subquery of public page ids, for filtering relation rows in the same SQL query."""
    return public_pages(model, site).values("pk")


def site_root_url_path(site=None):
    """The url_path prefix of the site's root page (e.g. '/clinic/'), stripped from page paths."""
    site = site or default_site()
    return site.root_page.url_path if site else "/"
