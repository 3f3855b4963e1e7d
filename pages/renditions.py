"""Named image renditions every channel uses. Generated content pre-renders them."""

from functools import cache

HERO_RENDITIONS = {
    "small": "fill-600x338",
    "medium": "fill-1200x675",
    "large": "fill-1800x1013",
}
BODY_IMAGE_RENDITIONS = {
    "small": "max-600x600",
    "medium": "max-1200x1200",
}

# The website's srcset: the whole image (uncropped, its own proportions) at these widths, never
# wider than the original, so a site art-directs with the focal point rather than a fixed crop.
SRCSET_WIDTHS = (320, 640, 960, 1280, 1920)
SRCSET_RENDITIONS = {width: f"width-{width}" for width in SRCSET_WIDTHS}

# The app channel's renditions: one per screen density, for an image shown `APP_BASE_WIDTH`
# points wide (a phone's width), so a device picks the one of its density (1x, 2x, 3x).
APP_BASE_WIDTH = 375
APP_DENSITIES = (1, 2, 3)
APP_HERO_RENDITIONS = {  # 16:9, cropped like the website's hero renditions
    density: f"fill-{APP_BASE_WIDTH * density}x{round(APP_BASE_WIDTH * density * 9 / 16)}"
    for density in APP_DENSITIES
}
APP_BODY_IMAGE_RENDITIONS = {  # the image's own proportions, never enlarged
    density: f"width-{APP_BASE_WIDTH * density}" for density in APP_DENSITIES
}

# Where an image is shown -> (the website's named renditions, the app's by density).
HERO, BODY = "hero", "body"
RENDITION_SETS = {
    HERO: (HERO_RENDITIONS, APP_HERO_RENDITIONS),
    BODY: (BODY_IMAGE_RENDITIONS, APP_BODY_IMAGE_RENDITIONS),
}


@cache
def rendition_filters(specs):
    """Wagtail Filters for a tuple of specs, made once: a Filter parses its spec's operations
    when first used, which cost more than looking the renditions up."""
    from wagtail.images.models import Filter

    return tuple(Filter(spec=spec) for spec in specs)


def rendition_specs(named):
    """Every filter spec for `named` renditions: the original format and a webp version."""
    specs = []
    for spec in named.values():
        specs += [spec, f"{spec}|format-webp"]
    return specs


SRCSET_SPECS = rendition_specs(SRCSET_RENDITIONS)
HERO_RENDITION_SPECS = (
    rendition_specs(HERO_RENDITIONS) + rendition_specs(APP_HERO_RENDITIONS) + SRCSET_SPECS
)
BODY_IMAGE_RENDITION_SPECS = (
    rendition_specs(BODY_IMAGE_RENDITIONS)
    + rendition_specs(APP_BODY_IMAGE_RENDITIONS)
    + SRCSET_SPECS
)
ALL_RENDITION_SPECS = sorted(set(HERO_RENDITION_SPECS) | set(BODY_IMAGE_RENDITION_SPECS))
