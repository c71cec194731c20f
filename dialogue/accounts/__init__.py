"""Staff accounts in the browser: invitations, roles, deactivation and forgotten passwords."""
