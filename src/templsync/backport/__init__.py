"""Instance -> template: reverse mapping, pattern mining, templatize, and the template's test run.

``verify`` renders a template into a fresh folder and runs a command there; ``templatize`` turns
a working project into a Copier template; ``backport`` brings one instance's customizations back
into its template (mapped back through the render's source map and line origins, merged three
ways, committed on a branch); ``patterns`` finds the customizations a fleet's instances share.
They render through :mod:`templsync.instance.session`, like copy and update; ``instantiate``
is that render with given answers, in memory. Nothing is re-exported here, so importing one
module loads only what it uses.
"""
