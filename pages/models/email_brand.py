"""The clinic's brand and compliance footer for email, as an administrator edits them in the
admin (Settings > Email brand): no medical wording lives here (settings have no review; the
disclaimer and safety lines stay in reviewed snippets and fields).

Per site. The clinic's name, address, logo, colours and default ESP are shared by every
language; the sentences (why the reader gets the email, the unsubscribe label) are worded per
content language: the brand's own fields in the default language, an `EmailWording` row for each
other language (where none is saved, the email says the built-in wording in that language, from
the project's message catalogue: never the default language's sentence in another language's
email).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_noop

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Give a colour as # and six hex digits.")
MIN_CONTRAST = 4.5  # WCAG AA for body text
WHITE = "#ffffff"


class Esp(models.TextChoices):
    """The email service providers whose merge tags the email channel writes."""

    MAILCHIMP = "mailchimp", "Mailchimp"
    BRAZE = "braze", "Braze"
    KLAVIYO = "klaviyo", "Klaviyo"
    ITERABLE = "iterable", "Iterable"


def luminance(hex_colour):
    """WCAG relative luminance of '#rrggbb'."""

    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first, second):
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# The built-in wording, each field's default: said in another language through the message
# catalogue (locale/), where that language has no wording of its own.
FOOTER_TEXT = gettext_noop(
    "You are receiving this email because you asked for news from our clinic."
)
UNSUBSCRIBE_LABEL = gettext_noop("Unsubscribe")
FOOTER_HELP = "Why the reader gets this email, above the unsubscribe link."


@register_setting(icon="mail")
class EmailBrand(BaseSiteSetting, ClusterableModel):
    clinic_name = models.CharField(
        max_length=100, default="Our clinic", help_text="Shown in every email's header and footer."
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown 160 px wide at the top of every email (the clinic's name without one).",
    )
    postal_address = models.TextField(
        blank=True,
        help_text="The clinic's postal address, one line per line: marketing email must carry "
        "it (CAN-SPAM).",
    )
    footer_text = models.CharField(
        max_length=300, blank=True, default=FOOTER_TEXT, help_text=FOOTER_HELP
    )
    unsubscribe_label = models.CharField(max_length=60, default=UNSUBSCRIBE_LABEL)
    default_esp = models.CharField(
        "Default email service provider",
        max_length=20,
        choices=Esp.choices,
        default=Esp.MAILCHIMP,
        help_text="Whose unsubscribe merge tag an email carries when neither the campaign nor "
        "the request (?esp=) names one.",
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#0b5394",
        validators=[HEX_COLOUR],
        help_text="Links and buttons: readable on the background, with white text on buttons.",
    )
    text_colour = models.CharField(max_length=7, default="#1f2933", validators=[HEX_COLOUR])
    background_colour = models.CharField(max_length=7, default=WHITE, validators=[HEX_COLOUR])

    panels = [
        MultiFieldPanel(
            [FieldPanel("clinic_name"), FieldPanel("logo"), FieldPanel("postal_address")],
            heading="The clinic",
        ),
        MultiFieldPanel(
            [FieldPanel("footer_text"), FieldPanel("unsubscribe_label"), FieldPanel("default_esp")],
            heading="Footer and unsubscribe",
        ),
        InlinePanel(
            "wordings",
            heading="Footer and unsubscribe in other languages",
            help_text="An email in another language says these; where a language has none, "
            "its built-in wording.",
        ),
        MultiFieldPanel(
            [
                FieldPanel("accent_colour"),
                FieldPanel("text_colour"),
                FieldPanel("background_colour"),
            ],
            heading="Colours",
        ),
    ]

    class Meta:
        verbose_name = "Email brand"

    def clean(self):
        """Each colour pair readable (contrast at least MIN_CONTRAST:1), named in the error."""
        super().clean()
        colours = (self.accent_colour, self.text_colour, self.background_colour)
        if not all(HEX_COLOUR.regex.match(colour or "") for colour in colours):
            return  # the field's own validator says what is wrong
        pairs = {
            "text_colour": (self.text_colour, self.background_colour, "on the background"),
            "accent_colour": (self.accent_colour, self.background_colour, "on the background"),
        }
        errors = {
            name: f"Contrast {contrast(fg, bg):.1f}:1 {where}: at least {MIN_CONTRAST}:1 is needed."
            for name, (fg, bg, where) in pairs.items()
            if contrast(fg, bg) < MIN_CONTRAST
        }
        if "accent_colour" not in errors and contrast(WHITE, self.accent_colour) < MIN_CONTRAST:
            errors["accent_colour"] = (
                f"White button text on it has a contrast of "
                f"{contrast(WHITE, self.accent_colour):.1f}:1: at least {MIN_CONTRAST}:1 is needed."
            )
        if errors:
            raise ValidationError(errors)


def other_languages():
    """(code, name) of the content languages but the default: those a wording is for."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class EmailWording(models.Model):
    """The brand's sentences in one other content language (a blank one: the built-in
    wording)."""

    brand = ParentalKey(EmailBrand, on_delete=models.CASCADE, related_name="wordings")
    language = models.CharField(max_length=10, choices=other_languages)
    footer_text = models.CharField(max_length=300, blank=True, help_text=FOOTER_HELP)
    unsubscribe_label = models.CharField(max_length=60, blank=True)

    panels = [FieldPanel("language"), FieldPanel("footer_text"), FieldPanel("unsubscribe_label")]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "language"], name="one_wording_per_language")
        ]

    def __str__(self):
        return f"{self.brand} in {self.language}"
