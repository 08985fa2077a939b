"""Staff command line: ``python -m bot.admin --help``.

Content edits change ``data/content/*.yml`` (the single source of truth, comments
and order kept) and re-import the service DB at once, so the next reply shows
them; NLU work (``teach``, ``validate``, ``train``, ``reload``) changes
``data/nlu`` and the running model. See docs/staff_guide.md (Thai).
"""
