"""The command line's config choices, apart from compiler/configs.py: a compile-cache hit builds its key from
them without importing the parser (configs.py imports the IR, and with it pydantic)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


@dataclass(frozen=True)
class ConfigOptions:
    """Compile-time config choices: `--config NAME PATH` (PATH relative to the working directory) and
    `--config-value NAME TEXT`; `base_dir` is the flow file's folder (default= paths are relative to it)."""

    base_dir: Optional[Path] = None
    files: tuple[tuple[str, str], ...] = ()
    values: tuple[tuple[str, str], ...] = ()

    def cache_text(self) -> str:
        """What these options add to a cache key (files by absolute path: their bytes are checked apart)."""
        files = [(n, str(Path(p).resolve())) for n, p in self.files]
        return json.dumps({"files": files, "values": list(self.values)}) if files or self.values else ""
