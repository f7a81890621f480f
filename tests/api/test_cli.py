"""`python -m server` and `nnplay serve` take the same options."""

from __future__ import annotations

import pytest

from server.__main__ import main, parse_args


def test_nnplay_serve_is_python_m_server(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--help"])
    assert exit_.value.code == 0
    assert "--workers" in capsys.readouterr().out


def test_options() -> None:
    options = parse_args(["--host", "0.0.0.0", "--port", "9000", "--workers", "3",
                          "--data-dir", "/d", "--db", "/x.sqlite"])
    assert (options.host, options.port, options.workers) == ("0.0.0.0", 9000, 3)
    assert (str(options.data_dir), str(options.db)) == ("/d", "/x.sqlite")
