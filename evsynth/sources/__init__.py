"""Talking to the outside world (E-utilities, ClinicalTrials.gov) and reading/writing files."""
