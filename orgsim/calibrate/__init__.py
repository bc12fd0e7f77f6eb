"""Calibrate a scenario from a company's exported logs, back-test it, and write demo logs."""
