"""hub.public_env's checks, without a hub: what `make hub` refuses before any learner's server starts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from hub import public_env


def test_a_clone_the_learners_cannot_reach_is_refused_with_the_way_out():
    with tempfile.TemporaryDirectory(dir="/tmp") as top:  # /tmp lets everyone through; pytest's tmp_path does not
        top = Path(top)
        top.chmod(0o755)
        private = top / "root-home"
        clone = private / "tf-highlevel-mnist"
        clone.mkdir(parents=True)
        private.chmod(0o700)  # like /root: the learners cannot enter it
        clone.chmod(0o755)
        with pytest.raises(SystemExit) as refused:
            public_env.check_repository(clone)
        message = str(refused.value)
        assert f"the learners cannot reach {clone}" in message and "/srv/tf-highlevel-mnist" in message
        private.chmod(0o711)  # others may pass through, and the clone is readable: accepted
        public_env.check_repository(clone)
        clone.chmod(0o700)  # the clone itself private
        with pytest.raises(SystemExit):
            public_env.check_repository(clone)
