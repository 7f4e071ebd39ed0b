"""What the case service keeps beside its event store, written in the same transaction as each append: the
lookups commands depend on (the open case of each controller, the case of each complaint), the durable deadline
timers, the GDPR Art 78(2) clocks, and the read side (the case list and the case detail, with the snapshot),
which `rebuild_projections` can make again from the events.

The modules, by concern: `tables` (the rows), `lookups` (written with the deadline timers), `timers` (the due
ones claimed and fired), `clocks` (Art 78(2)), `projection` (what each append writes beside its events), `rebuild`
(the projections made again from the events), and what the routes read: `lists` (the cases, a case's
complaints) and `details` (one case). A complaint's own handling: `handling_tables` (its rows), `complaints`
(each complaint's record, written with each append, and the letters' timers), `campaigns` (complaints alike,
and a campaign's steps), `queues` (the queues and the workload) and `stats` (the annual report's figures). The
authorities working together: `cooperation` (the deadlines' timers, and the case of each cooperation reference).
"""

from . import campaigns, complaints, cooperation, queues, stats
from .clocks import overdue, overdue_count, overdue_on, stop_clock, told
from .details import case_document, case_with_history
from .lists import case_complaints, case_summaries
from .lookups import case_of_complaint, open_case_for
from .projection import after_append, beside
from .rebuild import REBUILD_BATCH, RebuildFailed, cores, rebuild_projections
from .tables import CaseComplaintRow, CaseDetailRow, CaseSummaryRow, ComplainantClockRow, OpenCaseRow, TimerRow

__all__ = [
    "REBUILD_BATCH",
    "CaseComplaintRow",
    "CaseDetailRow",
    "CaseSummaryRow",
    "ComplainantClockRow",
    "OpenCaseRow",
    "RebuildFailed",
    "TimerRow",
    "after_append",
    "beside",
    "campaigns",
    "case_complaints",
    "case_document",
    "case_of_complaint",
    "case_summaries",
    "case_with_history",
    "complaints",
    "cooperation",
    "cores",
    "open_case_for",
    "overdue",
    "overdue_count",
    "overdue_on",
    "queues",
    "rebuild_projections",
    "stats",
    "stop_clock",
    "told",
]
