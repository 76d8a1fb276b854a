"""Read: the bytes of one origin → its matched Records (scan, assemble, match)."""
