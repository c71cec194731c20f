"""Performance benchmarks: `make bench` (``python -m tests.bench.run [name ...]``).

Not part of the test suite (pytest collects nothing here: no ``test_*`` files). Each benchmark is a
module with ``NAME`` and ``run(args) -> int``, listed in :mod:`tests.bench.run`.
"""
