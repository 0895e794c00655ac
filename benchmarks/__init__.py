"""Reproducible measurements that write JSON results to benchmarks/results/."""
