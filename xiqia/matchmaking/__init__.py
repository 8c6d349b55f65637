"""Matchmaking at the fair: pure-Python scheduling of accepted 1:1 meetings (no Django)."""
