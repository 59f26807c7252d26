"""Signing outgoing documents: personal signatures, the organisation seal, numbering after
signing.

The services: `signing.sign_document` (one person's signature, for whoever's "sign" step it is:
`permissions`), `numbering.fill_number_fields`, `sealing.seal_document` and, when the clerk
issues the document, `issuance.issue_receiver`. `pdf.sign_pdf_bytes` signs the bytes (no
database access) and `versions` stores each result as a new file version, recorded and audited.
Secrets (passphrase, PIN, key bytes) never reach the database or the log.
"""
