"""One instance of a template: one module per job, imported from where it is defined.

``copy`` makes an instance, ``update`` merges a newer template version into it, ``check`` says
whether it is behind, ``localdiff`` shows its own changes, ``recopy`` renders it again. They
share ``project`` (the instance on disk), ``session`` (one template version answered and
rendered), ``recorded`` (the version it was made from), ``migrations`` and ``templatetasks``.
Nothing is re-exported here, so importing one of them (``check``, say) loads only what it uses.
"""
