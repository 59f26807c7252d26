"""Payment providers behind one interface (`payments.providers.base`)."""
