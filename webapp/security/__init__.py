"""mTLS coverage: the intended mode per workload and port, the observed share, the mismatches."""
