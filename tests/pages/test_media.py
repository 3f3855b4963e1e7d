"""Images and documents (pages/media.py): the role matrix (upload stays open; an item live
content shows is replaced, re-cropped, re-described or deleted only by Medical reviewers and
Administrators), a replaced image's old files outliving the replacement while the items showing
it refresh, and which documents the public may download."""

import io
from pathlib import Path

from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission, PageViewRestriction
from wagtail.permissions import policy_registry

import orjson
import PIL.Image
import pytest
import wagtail_factories

from api.models import RepresentationState
from pages import media
from shapes.representation import with_origin
from tests import factories
from tests.conftest import member

Image = get_image_model()
Document = get_document_model()
REFUSED = ("editor", "marketing")
ALLOWED = ("reviewer", "administrator")
ROLES = REFUSED + ALLOWED


@pytest.fixture
def marketing(db, django_user_model):
    return member(django_user_model, "Marketing", "marketing")


@pytest.fixture
def administrator(db, django_user_model):
    return member(django_user_model, "Administrators", "administrator")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def sections(home):
    return {
        "conditions": factories.ConditionIndexPageFactory(parent=home),
        "treatments": factories.TreatmentIndexPageFactory(parent=home),
    }


def png(width=1600, height=900, colour="teal"):
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


def root_collection():
    return Collection.get_first_root_node()


def make_image(owner=None, **fields):
    return wagtail_factories.ImageFactory(
        collection=root_collection(),
        uploaded_by_user=owner,
        file__width=1600,
        file__height=900,
        **fields,
    )


def make_document(owner=None, name="leaflet.pdf", collection=None, **fields):
    return wagtail_factories.DocumentFactory(
        collection=collection or root_collection(),
        uploaded_by_user=owner,
        file__filename=name,
        file__data=b"%PDF-1.4 a leaflet",
        **fields,
    )


def show_as_hero(sections, image, slug="migraine"):
    """A live, public condition with `image` as its hero (published: a revision, a refresh)."""
    page = factories.ConditionPageFactory(parent=sections["conditions"], slug=slug)
    page.hero_image, page.hero_image_alt = image, "A person resting"
    page.save_revision().publish()
    return page


def document_link(document, text="the leaflet"):
    return f'<p>Read <a linktype="document" id="{document.pk}">{text}</a>.</p>'


def link_from_live_page(sections, document, slug="gabapentin"):
    page = factories.TreatmentPageFactory(parent=sections["treatments"], slug=slug)
    page.how_it_works = document_link(document)
    page.save_revision().publish()
    return page


def login(client, user):
    client.force_login(user)
    return client


def sign_in(client, request, role):
    user = request.getfixturevalue(role)
    login(client, user)
    return user


def signed_in_with_a_shown_image(client, request, role, sections, **fields):
    """An image `role` uploaded, shown by a live page (its own upload: ownership is not
    enough), with `role` signed in."""
    image = make_image(owner=sign_in(client, request, role), **fields)
    show_as_hero(sections, image)
    return image


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def refused_with_reason(response, index):
    assert response.status_code == 302, response.status_code
    assert response.url == reverse(index)
    message = messages_of(response)[-1]
    assert "shown by live content" in message and "Medical reviewer" in message
    return message


def image_form(image, **fields):
    data = {
        "title": image.title,
        "description": image.description,
        "collection": str(image.collection_id),
        "tags": "",
        "focal_point_x": "",
        "focal_point_y": "",
        "focal_point_width": "",
        "focal_point_height": "",
    }
    data.update(fields)
    return data


def document_form(document, **fields):
    data = {"title": document.title, "collection": str(document.collection_id), "tags": ""}
    data.update(fields)
    return data


# The roles --------------------------------------------------------------------------------------


def test_every_role_uploads_and_only_reviewers_and_administrators_change(db):
    """0010: Editors and Marketing add and choose; their own uploads aside, changing (and
    deleting) images and documents is for Medical reviewers and Administrators."""

    def holders(codename):
        return set(
            GroupCollectionPermission.objects.filter(
                permission__codename=codename, collection=root_collection()
            ).values_list("group__name", flat=True)
        )

    everyone = {"Editors", "Marketing", "Medical reviewers", "Administrators"}
    for model in ("image", "document"):
        assert holders(f"add_{model}") == holders(f"choose_{model}") == everyone
        assert holders(f"change_{model}") == {"Medical reviewers", "Administrators"}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_uploads_new_images_and_documents(db, client, request, role, media_root):
    user = sign_in(client, request, role)
    collection = str(root_collection().pk)
    response = client.post(
        reverse("wagtailimages:add"),
        {"title": "A new photo", "file": upload("new.png", png()), "collection": collection},
    )
    assert response.status_code == 302, response.content
    assert Image.objects.get(title="A new photo").uploaded_by_user == user
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "A new leaflet",
            "file": upload("new.pdf", b"%PDF-1.4"),
            "collection": collection,
        },
    )
    assert response.status_code == 302, response.content
    assert Document.objects.get(title="A new leaflet").uploaded_by_user == user


@pytest.mark.parametrize("role", ROLES)
def test_an_image_live_content_shows_is_edited_only_by_reviewers(
    client, request, role, sections, media_root
):
    image = signed_in_with_a_shown_image(client, request, role, sections, title="Resting")
    url = reverse("wagtailimages:edit", args=[image.pk])
    recropped = image_form(
        image,
        title="Re-described",
        focal_point_x="100",
        focal_point_y="100",
        focal_point_width="50",
        focal_point_height="50",
    )
    response = client.post(url, recropped)
    image.refresh_from_db()
    if role in REFUSED:
        message = refused_with_reason(response, "wagtailimages:index")
        assert "“Resting”" in message
        assert (image.title, image.focal_point_x) == ("Resting", None)
        assert client.get(url).status_code == 302  # the form is not even shown
    else:
        assert response.status_code == 302
        assert (image.title, image.focal_point_x) == ("Re-described", 100)


@pytest.mark.parametrize("role", ROLES)
def test_an_image_live_content_shows_is_replaced_only_by_reviewers(
    client, request, role, sections, media_root
):
    image = signed_in_with_a_shown_image(client, request, role, sections)
    old_name = image.file.name
    url = reverse("wagtailimages:edit", args=[image.pk])
    response = client.post(url, image_form(image, file=upload("replaced.png", png(colour="red"))))
    image.refresh_from_db()
    if role in REFUSED:
        refused_with_reason(response, "wagtailimages:index")
        assert image.file.name == old_name
    else:
        assert response.status_code == 302
        assert image.file.name != old_name and "replaced" in image.file.name


@pytest.mark.parametrize("role", ROLES)
def test_an_image_live_content_shows_is_deleted_only_by_reviewers(
    client, request, role, sections, media_root
):
    image = signed_in_with_a_shown_image(client, request, role, sections)
    response = client.post(reverse("wagtailimages:delete", args=[image.pk]))
    if role in REFUSED:
        refused_with_reason(response, "wagtailimages:index")
        assert Image.objects.filter(pk=image.pk).exists()
    else:
        assert response.status_code == 302
        assert not Image.objects.filter(pk=image.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_a_document_live_content_links_is_changed_only_by_reviewers(
    client, request, role, sections, media_root
):
    document = make_document(owner=sign_in(client, request, role), title="Leaflet")
    link_from_live_page(sections, document)
    edit = reverse("wagtaildocs:edit", args=[document.pk])
    replaced = document_form(
        document, title="Leaflet, 2nd edition", file=upload("leaflet-2.pdf", b"%PDF-1.4 v2")
    )
    response = client.post(edit, replaced)
    document.refresh_from_db()
    if role in REFUSED:
        refused_with_reason(response, "wagtaildocs:index")
        assert (document.title, document.filename) == ("Leaflet", "leaflet.pdf")
        response = client.post(reverse("wagtaildocs:delete", args=[document.pk]))
        refused_with_reason(response, "wagtaildocs:index")
        assert Document.objects.filter(pk=document.pk).exists()
    else:
        assert response.status_code == 302
        assert (document.title, document.filename) == ("Leaflet, 2nd edition", "leaflet-2.pdf")
        response = client.post(reverse("wagtaildocs:delete", args=[document.pk]))
        assert response.status_code == 302
        assert not Document.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize("role", REFUSED)
def test_an_item_nothing_shows_is_changed_and_deleted_by_its_uploader(
    client, request, role, sections, media_root
):
    user = sign_in(client, request, role)
    image, document = make_image(owner=user, title="Spare"), make_document(owner=user)
    response = client.post(
        reverse("wagtailimages:edit", args=[image.pk]),
        image_form(image, title="Spare, re-described", file=upload("spare.png", png())),
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.title == "Spare, re-described"
    response = client.post(
        reverse("wagtaildocs:edit", args=[document.pk]), document_form(document, title="Mine")
    )
    assert response.status_code == 302
    assert client.post(reverse("wagtailimages:delete", args=[image.pk])).status_code == 302
    assert client.post(reverse("wagtaildocs:delete", args=[document.pk])).status_code == 302
    assert not Image.objects.filter(pk=image.pk).exists()
    assert not Document.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize("role", REFUSED)
def test_someone_elses_upload_is_not_changed_by_editors_or_marketing(
    client, request, role, reviewer, media_root
):
    """0010: Editors and Marketing hold add and choose, not change: Wagtail's ownership
    lets them change their own uploads only."""
    image = make_image(owner=reviewer)
    login(client, request.getfixturevalue(role))
    url = reverse("wagtailimages:edit", args=[image.pk])
    response = client.post(url, image_form(image, title="Not mine"))
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert "do not have permission" in messages_of(response)[-1]  # Wagtail's own refusal
    image.refresh_from_db()
    assert image.title == "An image"


def test_the_policy_refuses_change_and_delete_everywhere_wagtail_asks(
    editor, reviewer, sections, media_root
):
    """The bulk actions, the multiple-upload editor, the URL generator and the choosers ask
    the same policy: an uploader keeps choosing a shown image, never changes it."""
    image = make_image(owner=editor)
    policy = policy_registry.get_by_type(Image)
    assert policy.user_has_permission_for_instance(editor, "change", image)
    show_as_hero(sections, image)
    assert not policy.user_has_permission_for_instance(editor, "change", image)
    assert not policy.user_has_permission_for_instance(editor, "delete", image)
    assert policy.user_has_any_permission_for_instance(editor, ["change", "choose"], image)
    assert policy.user_has_permission_for_instance(reviewer, "delete", image)
    assert image in policy.instances_user_has_any_permission_for(editor, ["change"])  # listed


def test_content_a_draft_shows_is_not_live(editor, sections, media_root):
    """A reference made only in a draft revision (the page row holds the live content) leaves
    the image to its uploader: publishing the draft is what goes through review."""
    image = make_image(owner=editor)
    page = factories.ConditionPageFactory(parent=sections["conditions"], slug="migraine")
    page.save_revision().publish()
    page.hero_image, page.hero_image_alt = image, "A draft's hero"
    page.save_revision()
    assert media.live_items_showing(image) == []
    assert policy_registry.get_by_type(Image).user_has_permission_for_instance(
        editor, "change", image
    )
    page.get_latest_revision().publish()
    assert [item.pk for item in media.live_items_showing(image)] == [page.pk]


# A replaced image -------------------------------------------------------------------------------


def served_files(page, media_root):
    """The files the stored web detail of `page` points its hero's renditions at."""
    stored = RepresentationState.objects.get(page_id=page.pk).detail
    detail = orjson.loads(with_origin(bytes(stored)))
    prefix = django_settings.API_BASE_URL + django_settings.MEDIA_URL
    urls = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value.startswith(prefix):
            urls.append(value)

    walk(detail["hero_image"])
    assert urls
    return {Path(media_root, url.removeprefix(prefix)) for url in urls}


def test_a_replaced_image_keeps_its_old_files_and_its_items_show_the_new_one(
    client, reviewer, sections, media_root, django_capture_on_commit_callbacks
):
    image = make_image()
    page = show_as_hero(sections, image)
    old_original = Path(image.file.path)
    old_renditions = served_files(page, media_root)
    assert old_original.exists() and all(path.exists() for path in old_renditions)

    login(client, reviewer)
    with django_capture_on_commit_callbacks(execute=True):  # Wagtail deletes files on commit
        response = client.post(
            reverse("wagtailimages:edit", args=[image.pk]),
            image_form(image, file=upload("new-hero.png", png(2000, 1200, "red"))),
        )
    assert response.status_code == 302

    image.refresh_from_db()
    assert (image.width, image.height) == (2000, 1200)
    # URLs already served (the API, a CDN, an email) keep answering
    assert old_original.exists() and all(path.exists() for path in old_renditions)
    # the item showing it was refreshed in the same round: new renditions, of the new file
    new_renditions = served_files(page, media_root)
    assert new_renditions and not new_renditions & old_renditions
    assert all(path.exists() for path in new_renditions)
    assert all("new-hero" in path.name for path in new_renditions)
    assert not image.renditions.exclude(file__startswith="images/new-hero").exists()


def test_a_re_cropped_image_refreshes_its_items_and_keeps_the_old_crops(
    client, reviewer, sections, media_root, django_capture_on_commit_callbacks
):
    image = make_image()
    page = show_as_hero(sections, image)
    old_renditions = served_files(page, media_root)
    login(client, reviewer)
    recropped = image_form(
        image,
        focal_point_x="200",
        focal_point_y="200",
        focal_point_width="100",
        focal_point_height="100",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("wagtailimages:edit", args=[image.pk]), recropped)
    assert response.status_code == 302
    new_renditions = served_files(page, media_root)
    assert new_renditions != old_renditions
    assert all(path.exists() for path in old_renditions | new_renditions)


# Public documents -------------------------------------------------------------------------------


def fetch(client, document, filename=None):
    return client.get(f"/documents/{document.pk}/{filename or document.filename}")


def not_found_like_an_unknown_id(client, document):
    """The answer for `document` is the answer for an id that does not exist."""
    response = fetch(client, document)
    unknown = client.get(f"/documents/{Document.objects.order_by('-pk')[0].pk + 1}/x.pdf")
    assert response.status_code == unknown.status_code == 404
    assert response.content == unknown.content
    assert sorted(response.headers.items()) == sorted(unknown.headers.items())


def body(response):
    return b"".join(response.streaming_content)


def test_a_document_public_content_links_is_served_to_anyone(client, sections, media_root):
    document = make_document()
    link_from_live_page(sections, document)
    response = fetch(client, document)
    assert response.status_code == 200
    assert body(response) == b"%PDF-1.4 a leaflet"


def test_a_document_linked_from_nowhere_is_not_found(client, sections, media_root):
    document = make_document()
    not_found_like_an_unknown_id(client, document)


def test_a_document_linked_only_from_a_draft_is_not_found(client, sections, media_root):
    never_published = make_document(name="draft.pdf")
    page = factories.TreatmentPageFactory(parent=sections["treatments"], live=False)
    page.how_it_works = document_link(never_published)
    page.save()
    not_found_like_an_unknown_id(client, never_published)

    in_a_new_draft = make_document(name="next.pdf")
    live = link_from_live_page(sections, make_document(name="current.pdf"), slug="pregabalin")
    live.how_it_works = document_link(in_a_new_draft)
    live.save_revision()
    not_found_like_an_unknown_id(client, in_a_new_draft)
    live.get_latest_revision().publish()
    assert fetch(client, in_a_new_draft).status_code == 200


def test_a_document_stops_being_public_with_the_content_linking_it(client, sections, media_root):
    document = make_document()
    page = link_from_live_page(sections, document)
    assert fetch(client, document).status_code == 200
    page.unpublish()
    not_found_like_an_unknown_id(client, document)

    private = make_document(name="private.pdf")
    restricted = link_from_live_page(sections, private, slug="restricted")
    PageViewRestriction.objects.create(page=restricted, restriction_type="login")
    not_found_like_an_unknown_id(client, private)


def test_a_document_in_a_public_collection_is_served(client, settings, db, media_root):
    settings.PUBLIC_DOCUMENT_COLLECTIONS = ["Downloads"]
    downloads = root_collection().add_child(name="Downloads")
    forms = downloads.add_child(name="Forms")
    document = make_document(collection=forms)
    assert fetch(client, document).status_code == 200
    settings.PUBLIC_DOCUMENT_COLLECTIONS = []
    not_found_like_an_unknown_id(client, document)


def test_admin_users_open_any_document(client, editor, sections, media_root):
    document = make_document()
    login(client, editor)
    response = fetch(client, document)
    assert response.status_code == 200
    assert body(response) == b"%PDF-1.4 a leaflet"


def test_a_replaced_document_keeps_its_url_and_its_links_follow(
    client, reviewer, sections, media_root
):
    document = make_document()
    page = link_from_live_page(sections, document)
    old_url = f"/documents/{document.pk}/leaflet.pdf"
    stored = RepresentationState.objects.get(page_id=page.pk).detail
    assert old_url.encode() in stored

    login(client, reviewer)
    response = client.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        document_form(document, file=upload("leaflet-2026.pdf", b"%PDF-1.4 2026")),
    )
    assert response.status_code == 302
    document.refresh_from_db()
    client.logout()

    response = client.get(old_url)  # in an email already sent
    assert response.status_code == 302
    assert response.url == f"/documents/{document.pk}/leaflet-2026.pdf"
    assert body(client.get(response.url)) == b"%PDF-1.4 2026"
    stored = RepresentationState.objects.get(page_id=page.pk).detail
    assert b"leaflet-2026.pdf" in stored and old_url.encode() not in stored


def test_another_file_name_of_a_private_document_is_not_found(client, sections, media_root):
    document = make_document()
    response = fetch(client, document, "leaflet-old.pdf")
    unknown = client.get(f"/documents/{document.pk + 1}/leaflet-old.pdf")
    assert response.status_code == unknown.status_code == 404
    assert response.content == unknown.content
