"""`tollway serve`: the embedded AWS emulator and the template-driven local API."""
