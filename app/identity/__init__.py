"""Identity rules in plain Python: passwords, sessions, lockout, users and roles."""
