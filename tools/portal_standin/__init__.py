"""A stand-in for the provincial public-service portal's dossier sync and for Egov licensing,
speaking the JSON of docs/connectors-portal.md (see `server`)."""
