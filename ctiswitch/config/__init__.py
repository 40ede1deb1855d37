"""The company configuration: one YAML file describes who and what the switch
serves; ``load_demo`` gives the built-in demo company when none is given."""

from .errors import ConfigError
from .load import demo_text, load_config, load_demo, load_text
from .model import Company

__all__ = ["Company", "ConfigError", "demo_text", "load_config", "load_demo", "load_text"]
