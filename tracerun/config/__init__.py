"""Profiles: YAML files → validated, frozen configuration (see loader.load_profile).

Kept empty so that importing a submodule costs only what that submodule needs.
"""
