"""ctiswitch: one call-control engine behind four vendor CTI APIs."""
