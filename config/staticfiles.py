"""Static files finder: what `collectstatic` collects from the installed apps.

viewflow's wheel ships the npm packages its font stylesheets were built from
(`viewflow/fonts/*/node_modules/`); one of them, roboto-fontface.css, references font files that
were not shipped (Roboto-Thin.woff2 …), so the manifest storage's post-processing of the
production profile failed and no manifest was written (issue 9 #16). eDoc serves none of those
files: apps' `node_modules` folders are not collected. This is an exclusion, not a storage that
tolerates missing references: a broken reference anywhere else still fails `collectstatic`.
"""

from django.contrib.staticfiles.finders import AppDirectoriesFinder as DjangoAppDirectoriesFinder

NOT_COLLECTED = ["node_modules"]


class AppDirectoriesFinder(DjangoAppDirectoriesFinder):
    """Django's app `static/` finder, leaving out npm packaging leftovers."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *NOT_COLLECTED])
