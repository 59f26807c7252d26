"""Verify the digital signatures of any PDF: a report per signature, as JSON and ETSI XML.

`verify.pdf_verify` is the entry point (its result a `verify.Verification`); `options` says what
to trust, `reading` opens the file (`PdfUnreadable`), `ades` runs the ETSI validation processes,
`revocation` reads the validation data embedded in the file, `chain` shows names, certificates
and chains, `report` builds the JSON report (its keys are documented there), `verdict` judges it
(`report_verdict`: every summary and "ok" a user sees) and `etsi` writes the ETSI XML report.
"""
