"""Benchmarks: latency, throughput, SQL queries and memory of the delivery API under load on
generate_content data, side by side with Wagtail's own API v2 on the same pages (bench/run.py)."""
