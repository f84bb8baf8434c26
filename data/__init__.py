"""The demo data set and its generator (run as `python -m data.generate`)."""
