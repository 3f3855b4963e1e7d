"""Named image renditions every channel uses. Generated content pre-renders them."""

HERO_RENDITIONS = {
    "small": "fill-600x338",
    "medium": "fill-1200x675",
    "large": "fill-1800x1013",
}
BODY_IMAGE_RENDITIONS = {
    "small": "max-600x600",
    "medium": "max-1200x1200",
}


def rendition_specs(named):
    """Every filter spec for `named` renditions: the original format and a webp version."""
    specs = []
    for spec in named.values():
        specs += [spec, f"{spec}|format-webp"]
    return specs


ALL_RENDITION_SPECS = sorted(
    set(rendition_specs(HERO_RENDITIONS) + rendition_specs(BODY_IMAGE_RENDITIONS))
)
