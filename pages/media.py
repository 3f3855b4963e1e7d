"""Images and documents: what live content shows, who may change it, what a replaced file
leaves behind, and which documents the public may download.

- Shown by live content: an image or document that a live page or a live snippet (campaigns
  among them) refers to, as Wagtail's reference index records it (hero images, image blocks,
  rich-text embeds and document links), or that an item's stored API representation shows
  (its `image-<id>` key: api/record/changes.py). Replacing, re-cropping, re-describing or deleting
  one changes live medical content without a review, so only someone who may publish every live
  item showing it may (Medical reviewers and Administrators): `refusal` says who may not and
  why, and MediaPermissionPolicy applies it to every change and delete Wagtail checks (its
  collection ownership otherwise lets anyone who uploaded an image change or delete it).
  Uploading new images and documents stays open to editors.
- A replaced image keeps its old file and the files of its old renditions: a URL already
  served (the API, a CDN copy, an email already sent) keeps answering. Its renditions are made
  anew from the new file, and the items showing it refresh (api/signals.image_changed).
- A document is public when public content links to it or it sits in a collection named in
  PUBLIC_DOCUMENT_COLLECTIONS (`document_is_public`, the one rule); any other is answered 404
  to everyone but admin users, as an unknown id is. A public document's URL outlives a new
  file: another file name redirects to the current one.
"""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.forms import BaseImageForm
from wagtail.models import DraftStateMixin, Page, ReferenceIndex
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import get_snippet_models

from pages.selectors import Visibility, public_snippets

GUARDED_ACTIONS = frozenset({"change", "delete"})


# Finders of the pages that show an item beyond Wagtail's reference index, added by the apps
# that know (api/apps.py: the pages whose stored representation shows an image).
SHOWN_BY = []


def also_find_pages_showing(finder):
    """Add `finder(item)`, returning ids of pages that show `item`, to `live_items_showing`."""
    SHOWN_BY.append(finder)


def referring_objects(item):
    """{model: ids} of the pages (as Page) and snippets whose saved content refers to `item`,
    by Wagtail's reference index. A page's or draft-state snippet's row holds its live
    content: a reference made only in a draft revision is not here."""
    rows = ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(item),
        to_object_id=str(item.pk),
    ).values_list("base_content_type_id", "object_id")
    content_models = {Page, *get_snippet_models()}
    found = defaultdict(set)
    for content_type_id, object_id in rows.distinct():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model in content_models:
            found[model].add(int(object_id) if model is Page else object_id)
    return found


def pages_referring_to(item):
    """Ids of the pages, live or not, whose saved content refers to `item`."""
    return referring_objects(item).get(Page, set())


def live_items_showing(item):
    """The live pages and live snippets that show `item`."""
    found = referring_objects(item)
    page_ids = found.pop(Page, set())
    for finder in SHOWN_BY:
        page_ids |= set(finder(item))
    items = list(Page.objects.filter(pk__in=page_ids, live=True).order_by("path"))
    for model, ids in found.items():
        queryset = model._default_manager.filter(pk__in=ids)
        if issubclass(model, DraftStateMixin):
            queryset = queryset.filter(live=True)
        items += list(queryset)
    return items


def may_publish(user, item):
    if isinstance(item, Page):
        return item.permissions_for_user(user).can_publish()
    action = "publish" if isinstance(item, DraftStateMixin) else "change"
    return user.has_perm(f"{item._meta.app_label}.{get_permission_codename(action, item._meta)}")


def refusal(user, item):
    """Why `user` may not replace, edit or delete `item` (live content shows it and they may not
    publish all of that content), or None when they may as far as review goes."""
    if user.is_active and user.is_superuser:
        return None
    refused = [shown for shown in live_items_showing(item) if not may_publish(user, shown)]
    if not refused:
        return None
    names = ", ".join(f"“{shown}”" for shown in refused[:3])
    if len(refused) > 3:
        names += f" and {len(refused) - 3} more"
    kind = item._meta.verbose_name
    return (
        f"“{item}” is shown by live content ({names}): replacing, editing or deleting it would "
        f"change that content without a medical review, so only a Medical reviewer or an "
        f"Administrator may. Upload a new {kind} and choose it in a draft instead: the draft "
        f"goes through review."
    )


class MediaPermissionPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's collection ownership policy for images and documents, except that changing or
    deleting one that live content shows also needs the right to publish that content
    (`refusal`), whoever uploaded it. Listings are unchanged: a refused item is still listed,
    and its edit and delete views explain the refusal (pages/wagtail_hooks.py)."""

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        allowed = super().user_has_any_permission_for_instance
        open_actions = [action for action in actions if action not in GUARDED_ACTIONS]
        if open_actions and allowed(user, open_actions, instance):
            return True
        guarded = [action for action in actions if action in GUARDED_ACTIONS]
        return bool(guarded) and allowed(user, guarded, instance) and not refusal(user, instance)


def register_permission_policies():
    """Called from PagesConfig.ready(). Registered for the exact classes, which Wagtail's
    registry prefers to the policies wagtail.images and wagtail.documents register for their
    models (their apps are readied after this one)."""
    for model, label in (
        (get_image_model(), "wagtailimages.Image"),
        (get_document_model(), "wagtaildocs.Document"),
    ):
        policy = MediaPermissionPolicy(model, auth_model=label, owner_field_name="uploaded_by_user")
        register_permission_policy(model, policy, exact_class=True)


# A replaced image keeps its files ---------------------------------------------------------------


def retire_renditions(image):
    """Forget the renditions made from `image`'s current file (before a new file is saved:
    the same filters must make new renditions of the new file) but keep their files, which
    URLs already served point at. Wagtail deletes a rendition's file when its row is deleted
    (a post_delete handler), so the rows go without signals, and their cache entries here."""
    Rendition = image.get_rendition_model()
    current = type(image)._default_manager.get(pk=image.pk)  # the file they were made from
    renditions = Rendition.objects.filter(image_id=image.pk)
    Rendition.cache_backend.delete_many(
        [
            Rendition.construct_cache_key(current, focal_point_key, filter_spec)
            for focal_point_key, filter_spec in renditions.values_list(
                "focal_point_key", "filter_spec"
            )
        ]
    )
    renditions._raw_delete(renditions.db)


class ImageForm(BaseImageForm):
    """Wagtail's image form (WAGTAILIMAGES_IMAGE_FORM_BASE), except that a new file leaves
    the old one and its renditions' files in storage. The old renditions are retired before
    the image is saved, so the refresh its save triggers renders the new file."""

    def save(self, commit=True):
        if not (commit and "file" in self.changed_data and self.original_file):
            return super().save(commit=commit)
        with transaction.atomic():
            retire_renditions(self.instance)
            self.original_file = None  # Wagtail would delete it and its renditions' files
            return super().save(commit=commit)


# Public documents ------------------------------------------------------------------------------


def record_references(sender, instance, **kwargs):
    """page_published: record the page's references now. Wagtail's reference index follows a
    save a worker round later (a task), but the API serves a page as soon as it is published,
    and a document it links to for the first time must open as soon as that link is served."""
    with transaction.atomic():
        ReferenceIndex.create_or_update_for_object(instance)


def in_public_collection(document):
    names = settings.PUBLIC_DOCUMENT_COLLECTIONS
    return bool(names) and (
        document.collection.get_ancestors(inclusive=True).filter(name__in=names).exists()
    )


def document_is_public(document):
    """The one rule: a document is public when it sits in a collection named in
    PUBLIC_DOCUMENT_COLLECTIONS (or under one), or when public content links to it: a public
    page (pages.selectors.Visibility) or a public snippet whose live content does."""
    if in_public_collection(document):
        return True
    found = referring_objects(document)
    page_ids = found.pop(Page, set())
    if page_ids and Visibility.load().pages().filter(pk__in=page_ids).exists():
        return True
    return any(
        public_snippets(model._default_manager.filter(pk__in=ids)).exists()
        for model, ids in found.items()
    )


def is_admin_user(user):
    return user.is_authenticated and user.has_perm("wagtailadmin.access_admin")


def may_download(user, document):
    """Admin users open any document; everyone else, public ones."""
    return is_admin_user(user) or document_is_public(document)


def refuse_private_document(document, request):
    """before_serve_document: a document the user may not download is not found, the same
    answer as an unknown id, so nothing tells that it exists."""
    if not may_download(request.user, document):
        raise Http404


def serve_document(request, document_id, document_filename):
    """Wagtail's document view (which runs `refuse_private_document`), except that a URL
    with another file name than the current one, of a document the user may download,
    redirects to its current URL: a new file changes the name, and the old URL may be in an
    email already sent, a CDN or a client's copy."""
    from wagtail.documents.views.serve import serve

    # Every answer reads the session, as the answer for a private document must (that adds
    # `Vary: Cookie`): otherwise the header alone would tell one from an unknown id.
    is_admin_user(request.user)
    document = get_document_model().objects.filter(pk=document_id).first()
    if (
        document is not None
        and document.filename != document_filename
        and may_download(request.user, document)
    ):
        return redirect(document.url)
    return serve(request, document_id, document_filename)
