"""WebNN execution providers for host ML runtimes (installed as ``webnn_providers``)."""
