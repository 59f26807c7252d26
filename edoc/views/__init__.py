"""Staff UI views, one module per page group. URLs import the modules directly."""
