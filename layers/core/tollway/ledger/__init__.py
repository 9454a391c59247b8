"""Credit balances: reserve before the upstream call, settle after, refund on failure."""
