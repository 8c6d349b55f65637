"""Fair pages, in three parts: public and participant pages, organiser pages, exports."""
