from connectors.models.exchange import Arrival, ExchangeRoute, OutboxMessage, StatusEntry

__all__ = ["Arrival", "ExchangeRoute", "OutboxMessage", "StatusEntry"]
