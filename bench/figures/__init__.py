"""One module per group of figures; each returns `Figure`s measured against their floors."""
