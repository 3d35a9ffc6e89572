"""A fleet: one template and the instances made from it, listed in ``templsync-fleet.toml``.

``registry`` reads and writes that file (and finds or clones an instance's checkout),
``discover`` finds the instances of a template under folders. Other modules build on the
registry. Nothing is re-exported here, so importing one module loads only what it uses.
"""
