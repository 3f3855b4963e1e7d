"""schema.org JSON-LD for an item, built from its API representation.

Only real schema.org types and properties: a MedicalWebPage `about` a MedicalCondition,
MedicalCause, Drug/DrugClass or MedicalTherapy (tests check them against the vocabulary).
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


def about_condition(item):
    data = {"@type": "MedicalCondition", "name": item["title"], "url": item["url"]}
    if item.get("also_known_as"):
        data["alternateName"] = item["also_known_as"]
    data["signOrSymptom"] = [
        {"@type": "MedicalSignOrSymptom", "name": s["name"]} for s in item.get("symptoms", [])
    ]
    data["possibleTreatment"] = linked(
        item.get("treatments", []) + item.get("therapies", []), "MedicalTherapy"
    )
    return data


def about_cause(item):
    data = {"@type": "MedicalCause", "name": item["title"], "url": item["url"]}
    data["causeOf"] = linked(item.get("conditions", []), "MedicalEntity")
    return data


def about_treatment(item):
    if item.get("category") == "medication":
        data = {"@type": "DrugClass", "name": item.get("drug_class") or item["title"]}
        data["drug"] = [{"@type": "Drug", "name": d["name"]} for d in item.get("example_drugs", [])]
    else:
        data = {"@type": "MedicalTherapy", "name": item["title"]}
    data["url"] = item["url"]
    return data


def about_therapy(item):
    data = {"@type": "MedicalTherapy", "name": item["title"], "url": item["url"]}
    drug = item.get("drug") or {}
    if drug.get("name"):
        data["drug"] = {
            "@type": "Drug",
            "name": drug["name"],
            "mechanismOfAction": f"Acts on the {drug['mechanism_target']}."
            if drug.get("mechanism_target")
            else "",
        }
        if drug.get("drug_class"):
            data["drug"]["drugClass"] = {"@type": "DrugClass", "name": drug["drug_class"]}
        codes = [c for c in item.get("codes", []) if c["system"] == "ATC"]
        if codes:  # a Thing identifier: valid for Drug however its parents are modelled
            data["drug"]["identifier"] = [
                {"@type": "PropertyValue", "propertyID": "ATC", "value": c["value"]} for c in codes
            ]
    safety = item.get("safety") or {}
    data["contraindication"] = [c["name"] for c in safety.get("contraindications", [])]
    data["adverseOutcome"] = [
        {"@type": "MedicalEntity", "name": s["name"]} for s in safety.get("side_effects", [])
    ]
    return data


ABOUT = {
    "condition": about_condition,
    "cause": about_cause,
    "treatment": about_treatment,
    "therapy": about_therapy,
}


def build_schema_org(item):
    """JSON-LD dict for a detail representation `item` (see api.serializers)."""
    about = ABOUT[item["type"]](item)
    if item["type"] != "therapy" and item.get("codes"):
        about["code"] = medical_codes(item["codes"])
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": item["url"],
        "name": item["title"],
        "description": item["summary"],
        "about": about,
        "citation": [citation(r) for r in item.get("references", [])],
    }
    if item["type"] == "condition" and item.get("causes"):
        # Current schema.org has no MedicalCondition.cause: each cause says what it causes.
        condition = {"@type": "MedicalCondition", "name": item["title"], "url": item["url"]}
        page["mentions"] = [
            {**cause, "causeOf": condition} for cause in linked(item["causes"], "MedicalCause")
        ]
    review = item.get("medical_review") or {}
    if review.get("last_reviewed"):
        page["lastReviewed"] = str(review["last_reviewed"])
    if review.get("reviewed_by"):
        page["reviewedBy"] = person_or_organisation(review["reviewed_by"])
    if item.get("last_published_at"):
        page["dateModified"] = str(item["last_published_at"])
    return page
