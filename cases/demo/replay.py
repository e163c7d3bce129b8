"""Play a case plan through the case services, as the center's staff would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile

from cases import services
from cases.actors import Actor
from cases.demo.files import sample_pdf
from cases.demo.plans import CasePlan, PlannedStep
from cases.models import Case, Entity, RequiredDocument

NumberFor = Callable[[CasePlan, date], str]


def actor_for(step: PlannedStep, plan: CasePlan, staff: dict[str, Any]) -> Any:
    """The user (or user id) of a step's role key, from a center's staff by role key."""
    if step.actor == "examiner":
        return staff[f"examiner{plan.examiner_slot + 1}"]
    return staff[step.actor]


def replay(
    plan: CasePlan,
    *,
    staff: dict[str, User],
    entity: Entity,
    application_number: NumberFor,
) -> Case:
    """Submit the case with its documents and run each planned transition through its
    service, back-dated.

    The returned case carries ``issued_access_code``, the applicant's status-page code
    that ``case_submit`` showed once.
    """
    first = plan.steps[0]
    case = services.case_submit(
        actor=Actor.admin(actor_for(first, plan, staff)),
        entity=entity,
        patent_type=plan.patent_type,
        title=plan.title,
        classification=plan.classification,
        at=first.at,
        **first.args,
    )
    access_code = getattr(case, "issued_access_code", "")
    # The draft as the applicant handed it in: a small real PDF of each required kind.
    for kind in RequiredDocument.objects.kinds_for(
        center_id=case.center_id, patent_type=case.patent_type
    ):
        services.case_add_document(
            case=case,
            kind=kind,
            file=ContentFile(sample_pdf(kind, case.reference), name=f"{kind}.pdf"),
            actor=Actor.admin(actor_for(first, plan, staff)),
            at=first.at,
        )
    for step in plan.steps[1:]:
        kwargs = dict(step.args)
        if step.name == "accept":
            kwargs["examiner"] = staff[f"examiner{plan.examiner_slot + 1}"]
        elif step.name == "record_filing":
            kwargs["application_number"] = application_number(plan, kwargs["filing_date"])
        case = services.SERVICES[step.name](
            case=case, actor=Actor.admin(actor_for(step, plan, staff)), at=step.at, **kwargs
        )
    case.issued_access_code = access_code
    return case
