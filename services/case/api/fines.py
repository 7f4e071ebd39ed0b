"""The fine estimate over HTTP: a sanction's fine walked through the five steps of the EDPB Guidelines 04/2022
(services/case/fines.py), each step shown with its reasons. It decides nothing and records nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from docket_contracts.events import FineCap, NationalProvision, OrderNotComplied
from docket_service.limits import text

from ..deps import Decider
from ..domain import Invalid, fines
from .bounds import (
    MAX_CONDUCTS,
    MAX_FACTOR_CHARS,
    MAX_FACTORS,
    Amount,
    ConductArticles,
    NationalProvisions,
    OrdersNotComplied,
)

router = APIRouter(tags=["fines"])


class FactorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: text(MAX_FACTOR_CHARS, "the circumstance of Art 83(2)")
    percent: Annotated[int, Field(ge=0, le=100, description="its weight in percent of the amount, 0 to 100")]


Factors = Annotated[list[FactorIn], Field(max_length=MAX_FACTORS, description=f"0 to {MAX_FACTORS} of them")]


Position = Annotated[Decimal, Field(ge=0, le=1, description="a point in a range, 0 (its bottom) to 1 (its top)")]


class AssessmentIn(BaseModel):
    """One conduct as the authority assesses it (EDPB Guidelines 04/2022, steps 2 and 3)."""

    model_config = ConfigDict(extra="forbid")

    articles_infringed: ConductArticles = []
    orders_not_complied: OrdersNotComplied = []
    national_provisions: NationalProvisions = []
    seriousness: fines.Seriousness
    position: Position = Field(default=Decimal("0.5"), description="where in the seriousness level's range, 0 to 1")
    aggravating: Factors = []
    mitigating: Factors = []

    def assessment(self, seriousness: fines.Seriousness) -> fines.Assessment:
        return fines.Assessment(
            articles=tuple(self.articles_infringed),
            seriousness=seriousness,
            position=self.position,
            orders_not_complied=tuple(self.orders_not_complied),
            national=tuple(self.national_provisions),
            aggravating=tuple(fines.Factor(f.name, f.percent) for f in self.aggravating),
            mitigating=tuple(fines.Factor(f.name, f.percent) for f in self.mitigating),
        )


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    percent: Annotated[int, Field(ge=-100, le=100, description="the change, -100 to +100 %")]
    reason: text(MAX_FACTOR_CHARS, "why the fine needs it to be effective, proportionate and dissuasive")


class InabilityToPayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payable_eur: Amount = Field(
        description="the most the undertaking can pay without its economic viability being irretrievably jeopardised"
    )
    evidence: text(MAX_FACTOR_CHARS, "the objective evidence of it")


class FineEstimateIn(AssessmentIn):
    """One conduct by the fields of AssessmentIn, or several separate ones in conducts; and the undertaking."""

    seriousness: fines.Seriousness | None = Field(default=None, description="required unless conducts are given")  # type: ignore[assignment]
    conducts: Annotated[list[AssessmentIn], Field(min_length=1, max_length=MAX_CONDUCTS)] | None = Field(
        default=None, description=f"several separate conducts, 1 to {MAX_CONDUCTS}, instead of one conduct's fields"
    )
    turnover_eur: Amount = Field(
        description="total worldwide annual turnover of the undertaking in the preceding financial year"
    )
    size_position: Position | None = Field(
        default=None,
        description=(
            "where in the range of the undertaking's turnover band (up to EUR 500M of turnover) to take the starting "
            "amount; by default the point at which its turnover lies within the band"
        ),
    )
    effectiveness: AdjustmentIn | None = None
    inability_to_pay: InabilityToPayIn | None = None

    def assessments(self) -> list[fines.Assessment]:
        """The conducts to estimate, each charging only what Art 83(4)-(6) make subject to a fine."""
        if self.conducts is None:
            if self.seriousness is None:
                raise Invalid("seriousness", "give the seriousness of the conduct, or give conducts")
            named = [("", self.assessment(self.seriousness))]
        else:
            beside = sorted(set(AssessmentIn.model_fields) & self.model_fields_set)
            if beside:
                raise Invalid(beside[0], "give it within each of conducts, not beside them")
            named = [(f"conducts.{n}.", c.assessment(c.seriousness)) for n, c in enumerate(self.conducts)]
        for field_prefix, assessment in named:
            try:
                fines.provisions(assessment.articles, assessment.orders_not_complied, assessment.national)
            except fines.NotFineable as exc:
                raise Invalid(f"{field_prefix}articles_infringed", str(exc)) from None
        return [assessment for _, assessment in named]

    def adjustment(self) -> fines.Adjustment:
        effective, unable = self.effectiveness, self.inability_to_pay
        return fines.Adjustment(
            percent=effective.percent if effective else 0,
            reason=effective.reason if effective else "",
            payable_eur=unable.payable_eur if unable else None,
            evidence=unable.evidence if unable else "",
        )


class StepOut(BaseModel):
    step: str
    explanation: str
    amount_eur: int
    range_eur: tuple[int, int] | None = Field(
        description="the lowest and highest amount the step could reach; amount_eur is the point chosen"
    )


class ConductFineOut(BaseModel):
    articles_infringed: list[int]
    orders_not_complied: list[OrderNotComplied]
    national_provisions: list[NationalProvision]
    cap: FineCap = Field(description="the cap of the conduct's gravest infringement (Art 83(3))")
    starting_amount_eur: int
    fine_eur: int


class FineEstimateOut(BaseModel):
    method: Literal["EDPB Guidelines 04/2022"] = "EDPB Guidelines 04/2022"
    steps: list[StepOut]
    conducts: list[ConductFineOut]
    fine_eur: int

    @classmethod
    def of(cls, found: fines.Estimate) -> FineEstimateOut:
        return cls(
            steps=[StepOut(**vars(s)) for s in found.steps],
            fine_eur=found.fine_eur,
            conducts=[
                ConductFineOut(
                    articles_infringed=list(c.articles),
                    orders_not_complied=list(c.orders_not_complied),
                    national_provisions=list(c.national),
                    cap=c.cap,
                    starting_amount_eur=c.starting_amount_eur,
                    fine_eur=c.fine_eur,
                )
                for c in found.conducts
            ],
        )


@router.post(
    "/fine-estimates",
    response_model=FineEstimateOut,
    summary="Walk the five steps of the EDPB Guidelines 04/2022 and show each with its reasons",
)
async def estimate_fine(body: FineEstimateIn, caller: Decider) -> FineEstimateOut:
    found = fines.estimate(body.assessments(), body.turnover_eur, body.size_position, body.adjustment())
    return FineEstimateOut.of(found)
