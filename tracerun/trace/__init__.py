"""Trace: the one-shot driver: options + Profile → Plan → read in parallel → merged Records."""
