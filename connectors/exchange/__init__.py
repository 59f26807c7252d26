"""Document exchange with other agencies: the outbox and its delivery (`outbox`), the
eDoc-to-eDoc HTTPS transport and its request signatures (`transport`), what arrives
(`inbound`) and the clerk's answer to an electronic arrival (`arrivals`)."""
