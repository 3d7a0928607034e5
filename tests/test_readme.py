"""The README's command-line section is generated from the commands' --help and cannot drift."""

import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_command_line_section_matches_the_commands_help():
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", str(README)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, (
        f"README.md is out of date with --help: run 'cog -r README.md'\\n{result.stdout}{result.stderr}"
    )
