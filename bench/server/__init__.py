"""What the Daphne the harness starts serves: meshwatch itself plus the floor views."""
