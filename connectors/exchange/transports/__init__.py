"""The transports an edXML message travels by (`base.Transport`): eDoc to eDoc over HTTPS
(push: `connectors.exchange.transport`) and the national document-exchange axis (pull:
`axis`). `connectors.exchange.transport.TRANSPORTS` maps a route's transport to one."""
