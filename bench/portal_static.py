"""The production static storage (whitenoise's compressed manifest) for the bench server, less
the rewriting of JavaScript source-map comments: vendor/chartjs/chart.umd.min.js names a
chart.umd.min.js.map that the project does not ship, so `collectstatic` fails on it with the
production storage. Everything else (hashed names, the manifest lookup of `{% static %}`,
compressed copies) is as in production."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class BenchStaticStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (extension, rules)
        for extension, rules in CompressedManifestStaticFilesStorage.patterns
        if extension != "*.js"
    )
