"""What `make docs` writes beside the contract's own export (docket_contracts.export): the settings table of
docs/operations.md, read from the three services' settings classes. Not part of any service or image."""
