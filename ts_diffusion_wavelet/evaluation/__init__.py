"""Judging generated series: metrics on windows `[N, L, C]`, post-hoc classifier scores, baselines, the report."""
