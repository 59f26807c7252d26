"""Writes on one-stop dossiers: intake (online and at the counter), the status changes of the
national portal's codes, the paused clock of supplements, fees, results and apology letters.

Every write is atomic, NFC-normalises its text, records a `DossierEvent` and an audit entry, and
sends `onestop.signals.dossier_status_changed` once the transaction commits.

The modules, one seam each (callers import from `onestop.services`, which re-exports them):

- `intake`: the citizen's online draft and its submission, reception at the counter, codes;
- `papers`: uploaded papers checked, stored by content and attached;
- `paper_templates`: procedures' blank forms;
- `applicant`: the applicant's fields normalised and checked;
- `processing`: accept, refuse, process, specialists, supplements, stop, withdraw;
- `fees`: fees asked for and settled through the fee collector of `onestop.payments` (the
  interface the payments app implements);
- `results`: the result document chosen and checked, finished, returned;
- `apology`: apology letters and their approval process;
- `clock`: the appointment, paused and resumed;
- `transitions`: what every write shares (locked row, events, status change, guards).
"""

from onestop.services.apology import (
    APOLOGY_KEY,
    apology_approve,
    apology_cancel,
    apology_draft,
)
from onestop.services.applicant import APPLICANT_FIELDS, normalise_phone
from onestop.services.clock import due_from
from onestop.services.fees import (
    dossier_fee_settle,
    dossier_record_payment,
    dossier_request_payment,
    fee_settled_check,
)
from onestop.services.intake import (
    dossier_code_take,
    dossier_keep_papers,
    dossier_receive_at_counter,
    dossier_save_draft,
    dossier_submit_online,
)
from onestop.services.paper_templates import (
    TEMPLATE_MAX_MB,
    paper_template_check,
    paper_template_set,
)
from onestop.services.papers import (
    CONTENT_TYPES,
    DEFAULT_EXTENSIONS,
    DEFAULT_EXTRA_MB,
    EXTRA_PAPER,
    MAGIC,
    ValidatedPaper,
    missing_mandatory,
    paper_validate,
)
from onestop.services.processing import (
    dossier_accept,
    dossier_assign_handler,
    dossier_reject,
    dossier_request_supplement,
    dossier_start_processing,
    dossier_stop,
    dossier_submit_supplement,
    dossier_tracking_revoke,
    dossier_withdraw,
    require_not_closed,
)
from onestop.services.results import (
    dossier_finish,
    dossier_return_result,
    dossier_set_result,
    result_document_check,
    result_document_problem,
)

__all__ = [
    "APOLOGY_KEY",
    "APPLICANT_FIELDS",
    "CONTENT_TYPES",
    "DEFAULT_EXTENSIONS",
    "DEFAULT_EXTRA_MB",
    "EXTRA_PAPER",
    "MAGIC",
    "TEMPLATE_MAX_MB",
    "ValidatedPaper",
    "apology_approve",
    "apology_cancel",
    "apology_draft",
    "dossier_accept",
    "dossier_assign_handler",
    "dossier_code_take",
    "dossier_fee_settle",
    "dossier_finish",
    "dossier_keep_papers",
    "dossier_receive_at_counter",
    "dossier_record_payment",
    "dossier_reject",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_return_result",
    "dossier_save_draft",
    "dossier_set_result",
    "dossier_start_processing",
    "dossier_stop",
    "dossier_submit_online",
    "dossier_submit_supplement",
    "dossier_tracking_revoke",
    "dossier_withdraw",
    "due_from",
    "fee_settled_check",
    "missing_mandatory",
    "normalise_phone",
    "paper_template_check",
    "paper_template_set",
    "paper_validate",
    "require_not_closed",
    "result_document_check",
    "result_document_problem",
]
