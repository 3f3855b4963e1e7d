"""What more than one type's registration shares."""

from pages.models import TherapyPage, TherapyReliefLink
from shapes.relations import Relation

# A condition or cause page's therapies: the therapy pages whose `relieves` links point at it.
RELIEVED_BY_THERAPIES = Relation(
    "therapies",
    TherapyReliefLink,
    "target",
    "page",
    (TherapyPage,),
    ("label", "note"),
    order="title",
)
