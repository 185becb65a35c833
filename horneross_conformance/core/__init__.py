"""The contract's data and its exact rules: canonical JSON, signing, schemas, events, the requirement catalogue."""
