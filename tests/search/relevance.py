"""The search relevance set: what a patient types, and the items (slugs of the seed content)
that must come among the first three results. tests/search/test_relevance.py scores search
against it on each database (README.md, "Search"). Add a line for every query a patient was
seen to type; keep the misses in: the score says how search does, not how the set was chosen."""

TOP = 3
THRESHOLD = 0.85  # the share of queries answered well that both databases must reach

RELEVANCE_SET = [
    ("diabetes", ["diabetic-peripheral-neuropathy", "neuropathic-pain"]),
    ("diabetic nerve pain", ["diabetic-peripheral-neuropathy", "neuropathic-pain"]),
    ("nerve pain", ["neuropathic-pain"]),
    ("neuropathy", ["diabetic-peripheral-neuropathy"]),
    ("peripheral neuropathy", ["neuropathic-pain", "diabetic-peripheral-neuropathy"]),
    ("tingling feet", ["neuropathic-pain", "diabetic-peripheral-neuropathy"]),
    ("burning feet", ["diabetic-peripheral-neuropathy"]),
    ("numb hands", ["diabetic-peripheral-neuropathy"]),
    ("shooting pain", ["neuropathic-pain"]),
    ("nerve damage treatment", ["neuropathic-pain"]),
    ("ketamine", ["ketamine-infusion-therapy"]),
    ("ketamine for nerve pain", ["ketamine-infusion-therapy", "neuropathic-pain"]),
    ("infusion", ["ketamine-infusion-therapy"]),
    ("shingles pain", ["shingles"]),
    ("pain after shingles", ["shingles"]),
    ("phantom limb pain", ["amputation"]),
    ("CRPS", ["complex-regional-pain-syndrome"]),
    ("gabapentin", ["anti-seizure-medications"]),
    ("epilepsy medicine", ["anti-seizure-medications"]),
    ("morphine", ["opioids"]),
    ("ibuprofen", ["anti-inflammatories"]),
    ("antidepressant", ["antidepressants"]),
    ("vitamins", ["dietary-supplements"]),
    ("needles", ["acupuncture"]),
    ("skin cream", ["topical-creams-and-patches"]),
    ("drinking alcohol", ["alcoholism"]),
    ("HIV", ["hiv-infection"]),
    ("multiple sclerosis", ["multiple-sclerosis"]),
    ("back pain", ["spine-problems"]),  # "back" is not in the content: a synonym it lacks
]
