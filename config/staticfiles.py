"""Static files app configuration: what `collectstatic` collects.

viewflow's wheel ships the npm packages its font stylesheets were built from
(`viewflow/fonts/*/node_modules/`); one of them, roboto-fontface.css, references font files that
were not shipped (Roboto-Thin.woff2 …), so the manifest storage's post-processing of the
production profile fails and no manifest is written (issue 9 #16). eDoc serves none of those
files: `node_modules` folders are not collected (an exclusion, not a storage that tolerates
missing references; a broken reference anywhere else still fails `collectstatic`).
"""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    ignore_patterns = [*DjangoStaticFilesConfig.ignore_patterns, "node_modules"]
