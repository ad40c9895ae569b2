"""Secrets mounted as folders (Kubeflow's secretAsVolume) become the step's environment variables."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from support.artifacts import final_artifacts


def test_every_key_of_a_mounted_secret_becomes_an_environment_variable(tmp_path):
    secret = tmp_path / "db-credentials"
    secret.mkdir()
    (secret / "PASSWORD").write_text("s3cret $(touch x)\n")
    (secret / "..data").mkdir()  # Kubernetes' own bookkeeping in a mounted Secret: skipped
    flow = tmp_path / "secretive.py"
    flow.write_text("import os\nfrom metaflow import FlowSpec, step\n\nclass SecretiveFlow(FlowSpec):\n"
                    "    @step\n    def start(self):\n        self.password = os.environ['PASSWORD']\n"
                    "        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n")
    sha = hashlib.sha256(flow.read_bytes()).hexdigest()
    store = tmp_path / "store"
    for step, inputs in (("start", ""), ("end", "start")):
        done = subprocess.run([sys.executable, "-m", "flowc.runtime", "task", str(flow), step, "--run-id", "r",
                               "--index", "", "--attempt", "0", "--datastore", store.as_uri(), "--source-sha256",
                               sha, "--inputs", inputs], capture_output=True, text=True,
                              env=dict(os.environ, FLOWC_SECRET_DIRS=str(secret)))
        assert done.returncode == 0, done.stderr
    assert final_artifacts(store, "SecretiveFlow", "r")["password"] == "s3cret $(touch x)\n"
