"""schema.org JSON-LD for an item, built from its API representation.

Only real schema.org types and properties: a MedicalWebPage `about` what the item's type
registration builds (shapes/types/: a MedicalCondition, MedicalCause, Drug/DrugClass or
MedicalTherapy; tests check them against the vocabulary).
"""

CODING_SYSTEMS = {"ICD-10-CM": "ICD-10-CM", "SNOMED CT": "SNOMED-CT", "ATC": "ATC"}


def medical_codes(codes):
    return [
        {
            "@type": "MedicalCode",
            "codeValue": code["value"],
            "codingSystem": CODING_SYSTEMS.get(code["system"], code["system"]),
        }
        for code in codes
    ]


def linked(items, schema_type):
    return [
        {"@type": schema_type, "name": item.get("label") or item["title"], "url": item["url"]}
        for item in items
    ]


def person_or_organisation(reviewer):
    kind = "Person" if reviewer["kind"] == "person" else "Organization"
    data = {"@type": kind, "name": reviewer["name"]}
    if reviewer.get("credentials") and kind == "Person":
        data["honorificSuffix"] = reviewer["credentials"]
    if reviewer.get("job_title") and kind == "Person":
        data["jobTitle"] = reviewer["job_title"]
    return data


def citation(reference):
    data = {
        "@type": "MedicalScholarlyArticle",
        "headline": reference["title"],
        "author": [
            {"@type": "Person", "name": name.strip()}
            for name in reference["authors"].rstrip(".").split(",")
            if name.strip() and name.strip() != "et al"
        ],
        "datePublished": str(reference["year"]),
    }
    if reference.get("journal"):
        data["isPartOf"] = {"@type": "Periodical", "name": reference["journal"]}
    identifiers = []
    if reference.get("doi"):
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "DOI", "value": reference["doi"]}
        )
    if reference.get("pmid"):
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "PMID", "value": reference["pmid"]}
        )
    if identifiers:
        data["identifier"] = identifiers
    if reference.get("url"):
        data["url"] = reference["url"]
    return data


def with_codes(about, item):
    """`about` with the item's medical codes as its `code` (none: left out)."""
    if item.get("codes"):
        about["code"] = medical_codes(item["codes"])
    return about


def build_schema_org(item, about):
    """JSON-LD dict for a detail representation `item` (shapes.serializers) whose type's
    registration says what it is about (`about`, a shapes.registry.SchemaOrgAbout)."""
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": item["url"],
        "name": item["title"],
        "description": item["summary"],
        "inLanguage": item["locale"],
        "about": about.build(item),
        "citation": [citation(r) for r in item.get("references", [])],
    }
    mentions = about.mentions(item) if about.mentions else None
    if mentions:
        page["mentions"] = mentions
    review = item.get("medical_review") or {}
    if review.get("last_reviewed"):
        page["lastReviewed"] = str(review["last_reviewed"])
    if review.get("reviewed_by"):
        page["reviewedBy"] = person_or_organisation(review["reviewed_by"])
    if item.get("last_published_at"):
        page["dateModified"] = str(item["last_published_at"])
    return page
