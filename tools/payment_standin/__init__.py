"""A TEST stand-in for the VNPAY and MoMo payment providers on loopback (see `server`)."""
