"""The clinic's first content: ketamine infusion therapy for neuropathic pain.

This module is where the facts are kept; tests/pages/test_seed.py asserts each of them on the
loaded pages.

Facts are kept as structured data; prose is written in the project's own words. Slugs are pinned:
the website, the app and the tests address content by them.
"""

PROVIDER = "Kalypso Wellness Centers"
EMAIL_FOOTER = f"You are receiving this email because you asked for news from {PROVIDER}."

REVIEWER = {
    "kind": "organisation",
    "name": "Kalypso Wellness Centers Medical Team",
    "credentials": "",
    "job_title": "Clinical content review",
}

DISCLAIMER = {
    "name": "Standard medical disclaimer",
    "text": (
        "<p>This page is general information, not personal medical advice. Talk to a qualified "
        "clinician about your own situation before starting, stopping or changing any "
        "treatment.</p>"
    ),
    "emergency_text": "In an emergency, call your local emergency number (911 in the US) now.",
    "email_text": (
        "<p>This email is general information, not personal medical advice. Talk to a "
        "qualified clinician about your own situation before starting, stopping or changing "
        "any treatment.</p>"
    ),
}

# key -> Reference fields. Keys are only used inside the seed.
REFERENCES = {
    "cohen-2018": {
        "authors": "Cohen SP, Bhatia A, Buvanendran A, et al.",
        "title": "Consensus guidelines on the use of intravenous ketamine infusions for chronic "
        "pain from the American Society of Regional Anesthesia and Pain Medicine, the American "
        "Academy of Pain Medicine, and the American Society of Anesthesiologists",
        "journal": "Reg Anesth Pain Med",
        "year": 2018,
        "volume": "43",
        "issue": "5",
        "pages": "521-546",
        "doi": "10.1097/AAP.0000000000000808",
        "pmid": "",
    },
    "orhurhu-2019": {
        "authors": "Orhurhu V, Orhurhu MS, Bhatia A, Cohen SP",
        "title": "Ketamine infusions for chronic pain: a systematic review and meta-analysis of "
        "randomized controlled trials",
        "journal": "Anesth Analg",
        "year": 2019,
        "volume": "129",
        "issue": "1",
        "pages": "241-254",
        "doi": "10.1213/ANE.0000000000004185",
        "pmid": "31082965",
    },
    "finnerup-2015": {
        "authors": "Finnerup NB, Attal N, Haroutounian S, et al.",
        "title": "Pharmacotherapy for neuropathic pain in adults: a systematic review and "
        "meta-analysis",
        "journal": "Lancet Neurol",
        "year": 2015,
        "volume": "14",
        "issue": "2",
        "pages": "162-173",
        "doi": "10.1016/S1474-4422(14)70251-0",
        "pmid": "25575710",
    },
    "wiffen-2017": {
        "authors": "Wiffen PJ, Derry S, Bell RF, et al.",
        "title": "Gabapentin for chronic neuropathic pain in adults",
        "journal": "Cochrane Database Syst Rev",
        "year": 2017,
        "volume": "",
        "issue": "6",
        "pages": "CD007938",
        "doi": "10.1002/14651858.CD007938.pub4",
        "pmid": "",
    },
}

# key -> (system, value, display name). Codes start unverified until the clinic's coder checks.
CODES = {
    "crps-1": ("ICD-10-CM", "G90.50", "Complex regional pain syndrome I, unspecified"),
    "phantom-limb": ("ICD-10-CM", "G54.6", "Phantom limb syndrome with pain"),
    "postherpetic": ("ICD-10-CM", "B02.23", "Postherpetic polyneuropathy"),
    "t2dm-polyneuropathy": (
        "ICD-10-CM",
        "E11.42",
        "Type 2 diabetes mellitus with diabetic polyneuropathy",
    ),
    "neuropathic-pain": ("SNOMED CT", "247398009", "Neuropathic pain"),
    "ketamine": ("ATC", "N01AX03", "ketamine"),
    "gabapentin": ("ATC", "N03AX12", "gabapentin"),
}

SYMPTOMS = [
    ("shooting-pain", "Shooting pain", "Sudden pain that feels like it travels along a nerve."),
    ("burning-pain", "Burning pain", "Pain that feels hot or burning, often constant."),
    ("tingling", "Tingling", "Pins and needles, often felt alongside the pain."),
    ("numbness", "Numbness", "Reduced or lost feeling, often felt alongside the pain."),
]

CAUSES = [
    {
        "slug": "diabetic-peripheral-neuropathy",
        "title": "Diabetic peripheral neuropathy",
        "summary": "Nerve damage from long-term high blood sugar, usually in the feet and hands. "
        "It is the most common cause of neuropathic pain.",
        "statistics": [
            {
                "value": "50%",
                "population": "people with diabetes",
                "outcome": "have pain from diabetic peripheral neuropathy",
                "reference": None,  # the clinic's page gives no source: the reviewer adds one
            }
        ],
        "codes": ["t2dm-polyneuropathy"],
        "references": ["finnerup-2015"],
    },
    {
        "slug": "complex-regional-pain-syndrome",
        "title": "Complex regional pain syndrome (CRPS)",
        "summary": "Long-lasting pain, usually in an arm or a leg, that develops after an injury "
        "and is far stronger than the injury would explain.",
        "codes": ["crps-1"],
        "references": ["cohen-2018"],
    },
    {
        "slug": "amputation",
        "title": "Amputation",
        "summary": "After a limb is removed, the cut nerves can keep sending pain signals that are "
        "felt in the limb that is no longer there.",
        "resulting_pain_syndrome": "Phantom limb pain",
        "codes": ["phantom-limb"],
    },
    {
        "slug": "alcoholism",
        "title": "Alcoholism",
        "summary": "Heavy drinking over a long time, and the poor nutrition that often comes with "
        "it, can damage nerves.",
    },
    {
        "slug": "spine-problems",
        "title": "Spine problems",
        "summary": "Conditions of the spine can press on or injure the nerve roots that leave it.",
    },
    {
        "slug": "hiv-infection",
        "title": "HIV infection",
        "summary": "The virus, and some older medicines used to treat it, can damage nerves.",
    },
    {
        "slug": "multiple-sclerosis",
        "title": "Multiple sclerosis",
        "summary": "The immune system attacks the protective coating of nerves in the brain and "
        "spinal cord, which can cause nerve pain.",
    },
    {
        "slug": "shingles",
        "title": "Shingles",
        "summary": "The chickenpox virus wakes up in a nerve and causes a painful rash; the pain "
        "can last long after the rash has healed.",
        "codes": ["postherpetic"],
    },
]

TREATMENTS = [
    {
        "slug": "anti-inflammatories",
        "title": "Anti-inflammatories",
        "category": "medication",
        "drug_class": "Nonsteroidal anti-inflammatory drugs (NSAIDs)",
        "summary": "Medicines that reduce inflammation and pain, such as ibuprofen.",
        "example_drugs": [("ibuprofen", None)],
    },
    {
        "slug": "opioids",
        "title": "Opioid pain medications",
        "category": "medication",
        "drug_class": "Opioid analgesics",
        "summary": "Strong pain medicines, such as morphine.",
        "example_drugs": [("morphine", None)],
    },
    {
        "slug": "anti-seizure-medications",
        "title": "Anti-seizure medications",
        "category": "medication",
        "drug_class": "Anticonvulsants",
        "summary": "Medicines first made for epilepsy that also calm overactive pain nerves, such "
        "as gabapentin.",
        "example_drugs": [("gabapentin", "gabapentin")],
        "codes": ["gabapentin"],
        "references": ["wiffen-2017", "finnerup-2015"],
    },
    {
        "slug": "antidepressants",
        "title": "Antidepressants",
        "category": "medication",
        "drug_class": "Antidepressants",
        "summary": "Some antidepressants change how the nervous system handles pain signals.",
        "references": ["finnerup-2015"],
    },
    {
        "slug": "topical-creams-and-patches",
        "title": "Topical creams and patches",
        "category": "topical",
        "summary": "Creams and patches put on the skin over the painful area.",
    },
    {
        "slug": "acupuncture",
        "title": "Acupuncture",
        "category": "alternative-medicine",
        "summary": "Fine needles placed at points on the body; some patients look for it as an "
        "alternative approach.",
    },
    {
        "slug": "herbal-remedies",
        "title": "Herbal remedies",
        "category": "alternative-medicine",
        "summary": "Plant-based products that some patients try for nerve pain.",
    },
    {
        "slug": "dietary-supplements",
        "title": "Dietary supplements",
        "category": "alternative-medicine",
        "summary": "Vitamins and other supplements that some patients try for nerve pain.",
    },
]

CONDITION = {
    "slug": "neuropathic-pain",
    "title": "Neuropathic pain",
    "also_known_as": ["Nerve pain"],
    "summary": "Pain that comes from injured or damaged nerves, which send faulty signals to the "
    "parts of the nervous system that register pain.",
    "definition": (
        "<p>Neuropathic pain happens when nerves are injured or damaged. The damaged nerves send "
        "wrong signals to the pain centres of the nervous system. An injury to a nerve changes how "
        "the nerve works, both where it was hurt and in the areas around it.</p>"
    ),
    "symptoms_overview": "People describe shooting or burning pain. Tingling and numbness often "
    "come with the pain.",
    "symptoms": ["shooting-pain", "burning-pain", "tingling", "numbness"],
    "subtypes": [
        {
            "name": "Peripheral neuropathy",
            "description": "Damage to the nerves outside the brain and spinal cord.",
            "onset_site": "fingers and toes",
            "progression": "spreads upward into the arms and legs",
        }
    ],
    # (cause slug, most common, prevalence statement)
    "causes": [
        (
            "diabetic-peripheral-neuropathy",
            True,
            "Causes pain in 50% of the diabetic population.",
        ),
        ("complex-regional-pain-syndrome", False, ""),
        ("amputation", False, ""),
        ("alcoholism", False, ""),
        ("spine-problems", False, ""),
        ("hiv-infection", False, ""),
        ("multiple-sclerosis", False, ""),
        ("shingles", False, ""),
    ],
    "treatment_approach": [
        {
            "aim": "underlying-cause",
            "heading": "Treat the underlying cause",
            "description": "Where a cause is known, treating it can slow or stop further nerve "
            "damage.",
            # diabetes, spine problems, HIV, shingles, multiple sclerosis, alcoholism
            "causes": [
                "diabetic-peripheral-neuropathy",
                "spine-problems",
                "hiv-infection",
                "shingles",
                "multiple-sclerosis",
                "alcoholism",
            ],
            "symptoms": [],
        },
        {
            "aim": "symptoms",
            "heading": "Treat the symptoms",
            "description": "Relieving the pain, numbness and tingling.",
            "causes": [],
            "symptoms": ["shooting-pain", "burning-pain", "numbness", "tingling"],
        },
    ],
    # (treatment slug, note, efficacy caveat)
    "treatments": [
        ("anti-inflammatories", "Medication for the symptoms.", ""),
        (
            "opioids",
            "Medication for the symptoms.",
            "Neuropathic pain is known to respond poorly to opioid medications.",
        ),
        ("anti-seizure-medications", "Medication for the symptoms.", ""),
        ("antidepressants", "Medication for the symptoms.", ""),
        ("topical-creams-and-patches", "Applied to the skin over the painful area.", ""),
        ("acupuncture", "Alternative medicine some patients seek.", ""),
        ("herbal-remedies", "Alternative medicine some patients seek.", ""),
        ("dietary-supplements", "Alternative medicine some patients seek.", ""),
    ],
    "codes": ["neuropathic-pain"],
    "references": ["finnerup-2015"],
}

THERAPY = {
    "slug": "ketamine-infusion-therapy",
    "title": "Ketamine infusion therapy",
    "summary": "Low-dose ketamine infusions: an alternative treatment for neuropathic pain that "
    "has shown promise in many studies.",
    "provider_name": PROVIDER,
    "evidence_summary": "An alternative treatment for neuropathic pain that has shown promise in "
    "many studies.",
    "drug_name": "Ketamine",
    "drug_class": "Anesthetic",
    "drug_background": "Used as an anesthetic in operating rooms for decades.",
    "administration": "Low-dose intravenous infusion",
    "mechanism_target": "NMDA receptor",
    "mechanism_of_action": (
        "<p>Ketamine blocks the NMDA receptor, a specialised receptor in the nervous system. In "
        "neuropathic pain syndromes this receptor is overstimulated, and opioid medications have "
        "been shown to make that overstimulation worse. Ketamine is thought to reset the pain "
        "pathway to normal.</p>"
    ),
    "claim": (
        "<p>Ketamine infusions can reduce neuropathic pain significantly, and faster than "
        "traditional treatment options.</p>"
    ),
    "claim_references": ["orhurhu-2019", "cohen-2018"],
    "what_to_expect": (
        "<p>The medicine is given slowly through a drip into a vein, at a much lower dose than "
        "for anesthesia. Staff monitor your blood pressure, heart rate and wellbeing throughout "
        "the infusion.</p>"
    ),
    "cta_label": "Ask about ketamine infusion therapy",
    "cta_path": "/contact/",  # on WEBSITE_BASE_URL
    # (page type, slug, label)
    "relieves": [
        ("cause", "diabetic-peripheral-neuropathy", ""),
        ("cause", "shingles", ""),
        ("cause", "amputation", "Phantom limb pain"),
        ("cause", "complex-regional-pain-syndrome", ""),
        ("condition", "neuropathic-pain", ""),
    ],
    "is_off_label": True,
    "approved_use": "Anesthesia",
    "contraindications": [
        "Poorly controlled cardiovascular disease",
        "Pregnancy",
        "Active psychosis",
        "Severe liver disease",
        "Raised intracranial pressure",
        "Raised intraocular pressure",
    ],
    # (name, examples)
    "side_effects": [
        ("Dissociative or psychomimetic effects", "hallucinations, vivid dreams"),
        ("Nausea", ""),
        ("Dizziness", ""),
        ("Raised blood pressure and heart rate", ""),
    ],
    "monitoring": "Infusions are given with monitoring of blood pressure, heart rate and mental "
    "state.",
    "safety_reference": "cohen-2018",
    "codes": ["ketamine"],
    "references": ["cohen-2018", "orhurhu-2019"],
}

# (kind, slug, title, intro): the website's sections, each shown in its menu.
INDEXES = [
    ("condition", "conditions", "Conditions", "The conditions our clinicians treat."),
    ("cause", "causes", "Causes", "What can lie behind these conditions."),
    ("treatment", "treatments", "Treatments", "The ways these conditions are treated."),
    ("therapy", "therapies", "Therapies", "The therapies our clinics offer."),
]

# The medical team's job title in Spanish (one reviewer, credentials per language).
REVIEWER_ES = {"credentials": "", "job_title": "Revisión de contenido clínico"}

# The therapy page in Spanish: the seed loads it as a translation awaiting medical review (a
# draft in the Medical review workflow, with no review recorded), never published. Inline rows
# (contraindications, side effects) are in the English page's order.
THERAPY_ES = {
    "slug": "terapia-de-infusion-de-ketamina",
    "title": "Terapia de infusión de ketamina",
    "summary": "Infusiones de ketamina en dosis bajas: un tratamiento alternativo para el dolor "
    "neuropático que se ha mostrado prometedor en muchos estudios.",
    "evidence_summary": "Un tratamiento alternativo para el dolor neuropático que se ha mostrado "
    "prometedor en muchos estudios.",
    "drug_name": "Ketamina",
    "drug_class": "Anestésico",
    "drug_background": "Se usa como anestésico en los quirófanos desde hace décadas.",
    "administration": "Infusión intravenosa en dosis bajas",
    "mechanism_target": "Receptor NMDA",
    "mechanism_of_action": (
        "<p>La ketamina bloquea el receptor NMDA, un receptor especializado del sistema "
        "nervioso. En los síndromes de dolor neuropático este receptor está sobreestimulado, y se "
        "ha demostrado que los opioides empeoran esa sobreestimulación. Se cree que la ketamina "
        "devuelve la vía del dolor a la normalidad.</p>"
    ),
    "claim": (
        "<p>Las infusiones de ketamina pueden reducir de forma importante el dolor neuropático, y "
        "más rápido que las opciones de tratamiento tradicionales.</p>"
    ),
    "what_to_expect": (
        "<p>El medicamento se administra lentamente por goteo en una vena, en una dosis mucho "
        "menor que la de la anestesia. El personal vigila su presión arterial, su frecuencia "
        "cardiaca y su bienestar durante toda la infusión.</p>"
    ),
    "cta_label": "Pregunte por la terapia de infusión de ketamina",
    "approved_use": "Anestesia",
    "monitoring": "Las infusiones se administran vigilando la presión arterial, la frecuencia "
    "cardiaca y el estado mental.",
    "contraindications": [
        "Enfermedad cardiovascular mal controlada",
        "Embarazo",
        "Psicosis activa",
        "Enfermedad hepática grave",
        "Presión intracraneal elevada",
        "Presión intraocular elevada",
    ],
    "side_effects": [
        ("Efectos disociativos o psicomiméticos", "alucinaciones, sueños vívidos"),
        ("Náuseas", ""),
        ("Mareos", ""),
        ("Aumento de la presión arterial y de la frecuencia cardiaca", ""),
    ],
}
