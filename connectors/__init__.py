"""Connectors: document exchange with other agencies (edXML, QCVN 102:2016) and external
systems. Layer 5 (config/layers.py): it may use edoc, signing, workflows, search and onestop;
none of them names it."""
