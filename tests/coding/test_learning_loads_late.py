"""The learning's NumPy and SciPy load in the process that learns, and in no other.

They are about a third of a web worker's memory; an export, a command or a worker that only shows stored
suggestions has no use for them. Run in a child process: this one has imported them already.
"""

import os
import subprocess
import sys

SCRIPT = """
import sys
from dialogue import create_app
app = create_app()
print(sorted({name.partition('.')[0] for name in sys.modules} & {'numpy', 'scipy', 'snowballstemmer'}))
from dialogue.coding import suggest
assert suggest.describe(None, []) == []  # describing blocks is learning's first step
print(sorted({name.partition('.')[0] for name in sys.modules} & {'numpy', 'scipy', 'snowballstemmer'}))
"""


def test_the_app_starts_without_numpy_and_learning_brings_it(tmp_path):
    env = {**os.environ, "DIALOGUE_ENV": "development", "SECRET_KEY": "test",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'late.sqlite3'}"}
    run = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    at_start, after_learning = run.stdout.splitlines()[-2:]
    assert at_start == "[]"
    assert after_learning == "['numpy', 'scipy', 'snowballstemmer']"
