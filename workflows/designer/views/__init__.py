"""Process designer views (being split into modules)."""

from workflows.designer.views.trial import (  # noqa: F401
    bpmn_export,
    bpmn_import,
    condition_check,
    definition_edit,
    definition_list,
    definition_remove,
    json_edit,
    publish,
    step_delete,
    step_save,
    test_run,
    version_detail,
)
