"""Process designer: administrators create, edit, test, publish and exchange definitions.

Every write goes through `workflows.services.definitions`; only `can_design` users get in.
htmx requests to the editor get its body (`#editor-body`) back, so the diagram, the problems
and the steps table refresh after each save; without JavaScript the same forms post and redirect.

The pages: `definitions` (list, create, delete, the editor, raw JSON), `steps` (save, delete, the
branch condition check), `versions` (publish, a version read-only), `bpmn` (export, import) and
`trial` (the test run); `editor` builds the editor's forms and context, `labels` the steps table,
`common` has the access check and the helpers every page uses.
"""
