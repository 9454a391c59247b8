"""What `tollway` does for a user of a gateway (not its operator): sign a device in with a code, and
call the gateway with the saved key. `tollway/cli.py` parses the command line and calls these."""
