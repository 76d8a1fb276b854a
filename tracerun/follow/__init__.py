"""Follow: the live driver (`-f`): history, then new records from every source, reordered."""
