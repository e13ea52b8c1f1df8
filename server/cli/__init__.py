"""Entry point: the ``sales-verdicts`` command line (:mod:`~server.cli.commands`).

:mod:`~server.cli.terminal` draws verdict tables, :mod:`~server.cli.demo` runs the
embedded demo on :mod:`~server.cli.demo_data`, :mod:`~server.cli.threads` runs an ASGI
app in a background thread.
"""
